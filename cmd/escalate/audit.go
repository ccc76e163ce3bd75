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
	register("audit", "the tamper-evident audit log (keygen, checkpoint, verify, log)", adminSubcommands("audit", map[string]adminRun{
		"keygen": runAuditKeygen, "checkpoint": runAuditCheckpoint, "verify": runAuditVerify, "log": runAuditLog,
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
	witness := fs.String("witness", "", "a directory outside the database to keep a copy of each signed note in")
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
	if *witness != "" {
		for _, c := range cps {
			p, err := audit.WriteWitness(*witness, c.Checkpoint, c.Note)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "witness copy: %s\n", p)
		}
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
	witness := fs.String("witness", "", "the directory of checkpoint copies kept outside the database: each chain must hold its newest")
	only := fs.String("partnership", "", "verify only this partnership's chain (its key), on its own")
	if _, done, err := parseCommand(env, fs, args, 0); done || err != nil {
		return err
	}
	if *witness != "" && *keyFile == "" {
		return usagef("--witness needs --key FILE.pub to check the notes' signatures")
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
	var wit []audit.Checkpoint
	if *witness != "" {
		ws, err := audit.LatestWitnesses(*witness, verifier)
		if err != nil {
			fmt.Fprintf(env.Stdout, "FAILED: --witness: %v\n", err)
			return exitError{1}
		}
		if len(ws) == 0 {
			fmt.Fprintf(env.Stderr, "warning: the witness directory %s holds no checkpoint\n", *witness)
		}
		for _, w := range ws {
			wit = append(wit, w.Checkpoint)
			fmt.Fprintf(env.Stderr, "checking %s against the witness copy %s (%d events)\n", sqlstore.ChainName(w.Chain), w.Path, w.N)
		}
	}
	// Read-only: verifying writes nothing, so it works on a read-only copy
	// and on a full disk, and sees one snapshot beside a running server.
	db, err := openReadOnlyDB(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *only != "" {
		return verifyOneChain(ctx, env, db, *only, verifier, wit)
	}
	rep, err := db.VerifyAudit(ctx, verifier, wit...)
	if err != nil {
		printAuditFailure(env, err)
		return exitError{1}
	}
	replay, err := db.VerifyRecords(ctx)
	if err != nil {
		printAuditFailure(env, err)
		return exitError{1}
	}
	fmt.Fprintf(env.Stdout, "ok: %d events\n", rep.N)
	fmt.Fprintf(env.Stdout, "ok: the record is what the events say: %d escalations (%d erased under retention), %d dissents, %d learning items, %d proformas, %d recognitions of good practice, %d escalation contacts\n",
		replay.Escalations, replay.Erased, replay.Dissents, replay.LearningItems, replay.Proformas, replay.GoodPractice, replay.AgencyContacts)
	switch {
	case rep.Unchecked > 0:
		fmt.Fprintf(env.Stderr, "warning: %d signed checkpoint(s) not checked: give --key FILE.pub\n", rep.Unchecked)
	case rep.Checkpoints > 0:
		fmt.Fprintf(env.Stderr, "%d signed checkpoint(s) match; the latest covers %d events\n", rep.Checkpoints, rep.LastCheckpoint)
	}
	return nil
}

// verifyOneChain verifies partnership key's chain alone, against its
// witness copy if one is given.
func verifyOneChain(ctx context.Context, env *Env, db *sqlstore.DB, key, verifier string, witness []audit.Checkpoint) error {
	p, err := db.FindPartnership(ctx, key)
	if err != nil {
		return usagef("--partnership %s: %s", key, escalate.ErrorMessage(err))
	}
	rep, err := db.VerifyChain(ctx, p.ID, verifier, witness...)
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
	var rf *sqlstore.ReplayFailure
	switch {
	case errors.As(err, &rf):
		fmt.Fprintf(env.Stdout, "FAILED: the stored record differs from its events: %v\n", rf)
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
