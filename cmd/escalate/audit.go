package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/audit"
	"github.com/escalate-project/escalate/sqlstore"
)

func init() {
	register("audit", "the tamper-evident audit log (keygen, checkpoint, verify)", adminSubcommands("audit", map[string]adminRun{
		"keygen": runAuditKeygen, "checkpoint": runAuditCheckpoint, "verify": runAuditVerify,
	}))
}

func runAuditKeygen(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("audit keygen")
	out := fs.String("out", "", "the signer key file to write (mode 0600); the verifier key goes to FILE.pub")
	name := fs.String("name", "escalate-audit", "the key's name, shown in every signature")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("out", *out); err != nil {
		return err
	}
	for _, p := range []string{*out, *out + ".pub"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			return usagef("--out: %s already exists: a key is never overwritten", p)
		}
	}
	signer, verifier, err := audit.GenerateKey(*name)
	if err != nil {
		return usagef("--name: %v", err)
	}
	if err := audit.WriteKeyFile(*out, signer); err != nil {
		return err
	}
	if err := audit.WriteKeyFile(*out+".pub", verifier); err != nil {
		os.Remove(*out) // half a pair is no use
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote the signer key to %s (keep it secret and outside the database)\n", *out)
	fmt.Fprintf(env.Stdout, "wrote the verifier key to %s.pub (give it to whoever verifies the log)\n", *out)
	return nil
}

func runAuditCheckpoint(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("audit checkpoint")
	dsn := dbFlag(fs, env)
	keyFile := fs.String("key", "", "the signer key file written by escalate audit keygen; its verifier is read from FILE.pub")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if err := requireFlags("key", *keyFile); err != nil {
		return err
	}
	signer, err := audit.ReadKeyFile(*keyFile)
	if err != nil {
		return usagef("--key: %v", err)
	}
	if !audit.IsSignerKey(signer) {
		return usagef("--key %s: not a signer key (give the file without .pub)", *keyFile)
	}
	verifier, err := audit.ReadKeyFile(*keyFile + ".pub")
	if err != nil {
		return usagef("--key: the verifier key: %v", err)
	}
	db, err := openDB(ctx, env, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	cps, err := db.Checkpoint(ctx, signer, verifier)
	if err != nil {
		printAuditFailure(env, err)
		return exitError{1}
	}
	if len(cps) == 0 {
		fmt.Fprintln(env.Stdout, "checkpoint: nothing was logged since the last checkpoints")
		return nil
	}
	for _, c := range cps {
		fmt.Fprintf(env.Stdout, "checkpoint: %s: %d events, tree head %s\n", sqlstore.ChainName(c.Chain), c.N,
			base64.StdEncoding.EncodeToString(c.Root[:]))
	}
	// The notes are printed so they can be kept outside the database too:
	// a copy elsewhere survives someone deleting the checkpoint rows.
	for _, c := range cps {
		fmt.Fprintf(env.Stdout, "\n%s", c.Note)
	}
	return nil
}

func runAuditVerify(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("audit verify")
	dsn := dbFlag(fs, env)
	keyFile := fs.String("key", "", "the verifier key file (FILE.pub) that checks the signed checkpoints")
	only := fs.String("partnership", "", "verify only this partnership's chain (its key), on its own")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	verifier := ""
	if *keyFile != "" {
		k, err := audit.ReadKeyFile(*keyFile)
		if err != nil {
			return usagef("--key: %v", err)
		}
		if audit.IsSignerKey(k) {
			return usagef("--key %s: this is the secret signer key; give the verifier key %s.pub", *keyFile, *keyFile)
		}
		verifier = k
	}
	db, err := openDB(ctx, env, *dsn, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if *only != "" {
		return verifyOneChain(ctx, env, db, *only, verifier)
	}
	rep, err := db.VerifyAudit(ctx, verifier)
	if err != nil {
		printAuditFailure(env, err)
		return exitError{1}
	}
	fmt.Fprintf(env.Stdout, "ok: %d events\n", rep.N)
	switch {
	case rep.Unchecked > 0:
		fmt.Fprintf(env.Stderr, "warning: %d signed checkpoint(s) not checked: give --key FILE.pub\n", rep.Unchecked)
	case rep.Checkpoints > 0:
		fmt.Fprintf(env.Stderr, "%d signed checkpoint(s) match; the latest covers %d events\n", rep.Checkpoints, rep.LastCheckpoint)
	}
	return nil
}

// verifyOneChain verifies partnership key's chain alone.
func verifyOneChain(ctx context.Context, env *Env, db *sqlstore.DB, key, verifier string) error {
	p, err := db.FindPartnership(ctx, key)
	if err != nil {
		return usagef("--partnership %s: %s", key, escalate.ErrorMessage(err))
	}
	rep, err := db.VerifyChain(ctx, p.ID, verifier)
	if err != nil {
		printAuditFailure(env, err)
		return exitError{1}
	}
	fmt.Fprintf(env.Stdout, "ok: %d events in %s (%s)\n", rep.N, sqlstore.ChainName(p.ID), p.Key)
	if rep.Checkpoints > 0 {
		fmt.Fprintf(env.Stderr, "%d signed checkpoint(s) match; the latest covers %d events\n", rep.Checkpoints, rep.LastCheckpoint)
	}
	return nil
}

// printAuditFailure prints what verification found: the chain, its first
// bad sequence number and why, or the bad checkpoint.
func printAuditFailure(env *Env, err error) {
	var f *audit.Failure
	var ce *sqlstore.CheckpointError
	var chain *sqlstore.ChainError
	switch {
	case errors.As(err, &chain) && errors.As(err, &f):
		fmt.Fprintf(env.Stdout, "FAILED: first bad event: %s: seq %d: %s\n", sqlstore.ChainName(chain.Chain), f.Seq, f.Reason)
	case errors.As(err, &f):
		fmt.Fprintf(env.Stdout, "FAILED: first bad event: seq %d: %s\n", f.Seq, f.Reason)
	case errors.As(err, &ce):
		fmt.Fprintf(env.Stdout, "FAILED: %v\n", ce)
	default:
		fmt.Fprintf(env.Stdout, "FAILED: %v\n", err)
	}
}
