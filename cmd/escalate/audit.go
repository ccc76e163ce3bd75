package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"

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
	c, msg, err := db.Checkpoint(ctx, signer, verifier)
	if err != nil {
		printAuditFailure(env, err)
		return exitError{1}
	}
	fmt.Fprintf(env.Stdout, "checkpoint: %d events, tree head %s\n", c.N, base64.StdEncoding.EncodeToString(c.Root[:]))
	// The note is printed so it can be kept outside the database too: a
	// copy elsewhere survives someone deleting the checkpoint rows.
	fmt.Fprintf(env.Stdout, "\n%s", msg)
	return nil
}

func runAuditVerify(ctx context.Context, env *Env, args []string) error {
	fs := newCommandFlags("audit verify")
	dsn := dbFlag(fs, env)
	keyFile := fs.String("key", "", "the verifier key file (FILE.pub) that checks the signed checkpoints")
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

// printAuditFailure prints what verification found: the first bad sequence
// number and why, or the bad checkpoint.
func printAuditFailure(env *Env, err error) {
	var f *audit.Failure
	var ce *sqlstore.CheckpointError
	switch {
	case errors.As(err, &f):
		fmt.Fprintf(env.Stdout, "FAILED: first bad event: seq %d: %s\n", f.Seq, f.Reason)
	case errors.As(err, &ce):
		fmt.Fprintf(env.Stdout, "FAILED: %v\n", ce)
	default:
		fmt.Fprintf(env.Stdout, "FAILED: %v\n", err)
	}
}
