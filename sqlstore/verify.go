package sqlstore

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/escalate-project/escalate/audit"
)

// AuditReport is what VerifyAudit found in an intact log.
type AuditReport struct {
	audit.Result
	// Unchecked counts the stored checkpoints whose signatures could not be
	// checked because no verifier key was given.
	Unchecked int
}

// CheckpointError is a stored checkpoint that does not open with the
// verifier key, or whose columns disagree with its signed note.
type CheckpointError struct {
	ID  int64
	Err error
}

func (e *CheckpointError) Error() string { return fmt.Sprintf("checkpoint %d: %v", e.ID, e.Err) }

// Unwrap returns the underlying error.
func (e *CheckpointError) Unwrap() error { return e.Err }

// VerifyAudit checks the whole audit log: sequence continuity, every hash and
// link, time order, that stored content opens its commitment, and, when
// verifierKey is given, every signed checkpoint, each tree being a prefix of
// the current one. A problem in the log is an error holding an
// *audit.Failure that names the first bad sequence number; a bad
// checkpoint is a *CheckpointError.
//
// Checkpoints are read before events: the log only grows, so every
// checkpoint read is covered by the events read after it, with no need to
// hold a snapshot (or, on SQLite, the write lock) for the whole scan.
//
// witness are checkpoints kept outside the database (audit.LatestWitness),
// already opened with the verifier key: the log must hold them too.
func (db *DB) VerifyAudit(ctx context.Context, verifierKey string, witness ...audit.Checkpoint) (AuditReport, error) {
	var rep AuditReport
	cps, n, err := db.checkpoints(ctx, verifierKey)
	if err != nil {
		return rep, err
	}
	cps = append(cps, witness...)
	if verifierKey == "" {
		rep.Unchecked = n
	}
	rep.Result, err = audit.Verify(db.verifiedEntries(ctx), cps)
	return rep, err
}

// verifiedEntries streams the log's entries for audit.Verify, failing an
// entry whose stored content does not open its commitment.
func (db *DB) verifiedEntries(ctx context.Context) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for ev, err := range db.auditEvents(ctx, 1, 0) {
			if err == nil && (ev.Salt != nil || ev.Content != nil) && !audit.Open(ev.Commitment, ev.Salt, ev.Content) {
				err = &audit.Failure{Seq: ev.Seq, Reason: "stored content does not match its commitment"}
			}
			if !yield(ev.Entry, err) || err != nil {
				return
			}
		}
	}
}

// checkpoints returns the stored checkpoints opened with verifierKey, and how
// many are stored. With no key it returns none to check.
func (db *DB) checkpoints(ctx context.Context, verifierKey string) ([]audit.Checkpoint, int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, n, root, note FROM audit_checkpoints ORDER BY id`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var cps []audit.Checkpoint
	count := 0
	for rows.Next() {
		var id, n int64
		var root []byte
		var msg string
		if err := rows.Scan(&id, &n, &root, &msg); err != nil {
			return nil, 0, err
		}
		count++
		if verifierKey == "" {
			continue
		}
		c, err := audit.OpenCheckpoint([]byte(msg), verifierKey)
		if err != nil {
			return nil, 0, &CheckpointError{ID: id, Err: err}
		}
		if c.N != n || string(c.Root[:]) != string(root) {
			return nil, 0, &CheckpointError{ID: id, Err: fmt.Errorf("stored size or root differs from the signed note")}
		}
		cps = append(cps, c)
	}
	return cps, count, rows.Err()
}

// Checkpoint verifies the whole log, then signs its tree head with signerKey
// and stores the signed note. verifierKey, the signer's public half, checks
// the earlier checkpoints: a log that fails verification is never signed.
// It returns the new checkpoint and its signed note.
func (db *DB) Checkpoint(ctx context.Context, signerKey, verifierKey string) (audit.Checkpoint, []byte, error) {
	rep, err := db.VerifyAudit(ctx, verifierKey)
	if err != nil {
		return audit.Checkpoint{}, nil, fmt.Errorf("not signing a log that does not verify: %w", err)
	}
	at := db.Now().UTC().Truncate(time.Microsecond)
	msg, err := audit.SignCheckpoint(signerKey, rep.N, rep.Root, at)
	if err != nil {
		return audit.Checkpoint{}, nil, err
	}
	c, err := audit.OpenCheckpoint(msg, verifierKey)
	if err != nil {
		return audit.Checkpoint{}, nil, fmt.Errorf("the verifier key is not the signer key's pair: %w", err)
	}
	err = db.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (n, root, note, created) VALUES ($1, $2, $3, $4)`,
			c.N, c.Root[:], string(msg), timeArg(tx.now))
		return err
	})
	if err != nil {
		return audit.Checkpoint{}, nil, err
	}
	return c, msg, nil
}
