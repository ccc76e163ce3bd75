package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/escalate-project/escalate/audit"
	"github.com/escalate-project/escalate/sqlstore"
)

// checkpointFlags configure the signed audit checkpoints escalate serve takes
// by itself. serve refuses to start without a key unless told it may
// (--no-audit-key): without one nothing outside the database can show a
// rewritten log. `escalate audit checkpoint` still takes one on demand.
type checkpointFlags struct {
	KeyFile string
	Every   time.Duration
	// NoKey lets serve start without a key, knowingly.
	NoKey bool
	// Witness is a directory outside the database that gets a copy of
	// every signed note (audit.WriteWitness); empty for none.
	Witness string

	signer, verifier string
}

func (c *checkpointFlags) register(env *Env, fs *flag.FlagSet) error {
	fs.StringVar(&c.KeyFile, "audit-key", envValue(env, "ESCALATE_AUDIT_KEY"),
		"signer key file from escalate audit keygen (its verifier in FILE.pub); when set, serve signs audit checkpoints periodically ($ESCALATE_AUDIT_KEY)")
	every := time.Hour
	if s := envValue(env, "ESCALATE_CHECKPOINT_EVERY"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return usagef("ESCALATE_CHECKPOINT_EVERY=%q: want a duration such as 1h", s)
		}
		every = d
	}
	fs.DurationVar(&c.Every, "checkpoint-every", every, "how often to sign an audit checkpoint when new events were logged ($ESCALATE_CHECKPOINT_EVERY)")
	noKey, err := envBool(env, "ESCALATE_NO_AUDIT_KEY", false)
	if err != nil {
		return err
	}
	fs.BoolVar(&c.NoKey, "no-audit-key", noKey, "start without an audit signing key: no checkpoints, so a rewritten audit log cannot be shown ($ESCALATE_NO_AUDIT_KEY)")
	fs.StringVar(&c.Witness, "audit-witness", envValue(env, "ESCALATE_AUDIT_WITNESS"),
		"a directory outside the database to copy every signed checkpoint into, for escalate audit verify --witness ($ESCALATE_AUDIT_WITNESS)")
	return nil
}

// require refuses to run without a key unless NoKey says so. serve calls
// it after the flags are read; the demo makes a key instead.
func (c *checkpointFlags) require() error {
	switch {
	case c.KeyFile == "" && !c.NoKey:
		return usagef("no audit signing key: give --audit-key FILE (make one with escalate audit keygen), " +
			"or --no-audit-key to run without signed checkpoints, knowing a rewritten audit log could not then be shown")
	case c.KeyFile != "" && c.NoKey:
		return usagef("--audit-key and --no-audit-key contradict each other: give one")
	case c.Witness != "":
		if st, err := os.Stat(c.Witness); err != nil || !st.IsDir() {
			return usagef("--audit-witness %s: not a directory", c.Witness)
		}
	}
	return nil
}

// check reads the key pair so a bad key stops start-up, not the first tick.
func (c *checkpointFlags) check() error {
	if c.Every <= 0 {
		return usagef("--checkpoint-every must be positive")
	}
	if c.KeyFile == "" {
		return nil
	}
	signer, err := audit.ReadKeyFile(c.KeyFile)
	if err != nil {
		return usagef("--audit-key: %v", err)
	}
	if !audit.IsSignerKey(signer) {
		return usagef("--audit-key %s: not a signer key (give the file without .pub)", c.KeyFile)
	}
	verifier, err := audit.ReadKeyFile(c.KeyFile + ".pub")
	if err != nil {
		return usagef("--audit-key: the verifier key: %v", err)
	}
	c.signer, c.verifier = signer, verifier
	return nil
}

// run signs a checkpoint at start and then every c.Every, whenever events
// were logged since the last one, until ctx ends. A log that no longer
// verifies is never signed: the failure is logged as an error each time.
func (c *checkpointFlags) run(ctx context.Context, db *sqlstore.DB, log *slog.Logger) {
	if c.signer == "" {
		log.Warn("serving without an audit signing key (--no-audit-key): no checkpoints are signed")
		return
	}
	if c.Witness == "" {
		log.Warn("no --audit-witness: signed checkpoints are kept only in the database")
	}
	t := time.NewTicker(c.Every)
	defer t.Stop()
	for {
		c.once(ctx, db, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *checkpointFlags) once(ctx context.Context, db *sqlstore.DB, log *slog.Logger) {
	events, done, err := db.AuditHead(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("audit checkpoint", "err", err)
		}
		return
	}
	if events == done {
		return
	}
	cps, err := db.Checkpoint(ctx, c.signer, c.verifier)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("audit checkpoint refused", "err", err)
		}
		return
	}
	for _, cp := range cps {
		log.Info("audit checkpoint signed", "chain", cp.Chain, "events", cp.N)
		if c.Witness != "" {
			if _, err := audit.WriteWitness(c.Witness, cp.Checkpoint, cp.Note); err != nil {
				log.Error("audit checkpoint: no witness copy", "chain", cp.Chain, "err", err)
			}
		}
	}
}
