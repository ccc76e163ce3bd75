package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/escalate-project/escalate/audit"
	"github.com/escalate-project/escalate/sqlstore"
)

// checkpointFlags configure the signed audit checkpoints escalate serve takes
// by itself. Without a key there are none: `escalate audit checkpoint` still
// takes one on demand.
type checkpointFlags struct {
	KeyFile string
	Every   time.Duration

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
		return
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
	}
}
