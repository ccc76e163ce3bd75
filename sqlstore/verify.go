package sqlstore

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/escalate-project/escalate/audit"
)

// AuditReport is what VerifyAudit found in an intact log: each chain's
// result, and their totals in Result (N events, Checkpoints checked; Root
// and Last are those of the service-wide chain).
type AuditReport struct {
	audit.Result
	// Chains holds each chain's result, lowest chain first.
	Chains []ChainReport
	// Unchecked counts the stored checkpoints whose signatures could not be
	// checked because no verifier key was given.
	Unchecked int
}

// ChainReport is one chain's verification: 0 is the service-wide chain,
// any other the partnership of that ID.
type ChainReport struct {
	Chain int64
	audit.Result
}

// ChainError is a problem found in one chain: Err is an *audit.Failure
// naming the chain's first bad seq, or the error that stopped reading it.
type ChainError struct {
	Chain int64
	Err   error
}

func (e *ChainError) Error() string { return fmt.Sprintf("%s: %v", ChainName(e.Chain), e.Err) }

// Unwrap returns the underlying error.
func (e *ChainError) Unwrap() error { return e.Err }

// ChainName is how messages name a chain: "the service-wide chain" or
// "partnership 3's chain".
func ChainName(chain int64) string {
	if chain == 0 {
		return "the service-wide chain"
	}
	return fmt.Sprintf("partnership %d's chain", chain)
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

// VerifyAudit checks every chain of the audit log, each on its own (as
// VerifyChain does), and every stored checkpoint. A problem in a chain is a
// *ChainError holding an *audit.Failure that names the first bad sequence
// number of that chain; a bad checkpoint is a *CheckpointError.
//
// Checkpoints are read before events: the log only grows, so every
// checkpoint read is covered by the events read after it, with no need to
// hold a snapshot (or, on SQLite, the write lock) for the whole scan.
func (db *DB) VerifyAudit(ctx context.Context, verifierKey string) (AuditReport, error) {
	var rep AuditReport
	cps, n, err := db.checkpoints(ctx, verifierKey, -1)
	if err != nil {
		return rep, err
	}
	if verifierKey == "" {
		rep.Unchecked = n
	}
	chains, err := db.AuditChains(ctx)
	if err != nil {
		return rep, err
	}
	for _, c := range chains {
		res, err := audit.Verify(db.verifiedEntries(ctx, c), cps[c])
		if err != nil {
			return rep, &ChainError{Chain: c, Err: err}
		}
		rep.Chains = append(rep.Chains, ChainReport{Chain: c, Result: res})
		rep.N += res.N
		rep.Checkpoints += res.Checkpoints
		if c == 0 {
			rep.Root, rep.Last, rep.LastCheckpoint = res.Root, res.Last, res.LastCheckpoint
		}
	}
	return rep, nil
}

// VerifyChain checks one chain on its own: partnership partnershipID's, or
// the service-wide chain for 0. It reads no other chain's events, so a
// partnership's log can be checked, and handed over, alone.
func (db *DB) VerifyChain(ctx context.Context, partnershipID int64, verifierKey string) (ChainReport, error) {
	cps, _, err := db.checkpoints(ctx, verifierKey, partnershipID)
	if err != nil {
		return ChainReport{}, err
	}
	res, err := audit.Verify(db.verifiedEntries(ctx, partnershipID), cps[partnershipID])
	if err != nil {
		return ChainReport{}, &ChainError{Chain: partnershipID, Err: err}
	}
	return ChainReport{Chain: partnershipID, Result: res}, nil
}

// verifiedEntries streams chain's entries for audit.Verify, failing an
// entry whose stored content does not open its commitment.
func (db *DB) verifiedEntries(ctx context.Context, chain int64) iter.Seq2[audit.Entry, error] {
	return func(yield func(audit.Entry, error) bool) {
		for ev, err := range db.chainEvents(ctx, chain) {
			if err == nil && (ev.Salt != nil || ev.Content != nil) && !audit.Open(ev.Commitment, ev.Salt, ev.Content) {
				err = &audit.Failure{Seq: ev.Seq, Reason: "stored content does not match its commitment"}
			}
			if !yield(ev.Entry, err) || err != nil {
				return
			}
		}
	}
}

// checkpoints returns the stored checkpoints of chain (-1: every chain)
// opened with verifierKey, by chain, and how many are stored. With no key
// it returns none to check.
func (db *DB) checkpoints(ctx context.Context, verifierKey string, chain int64) (map[int64][]audit.Checkpoint, int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, chain, n, root, note FROM audit_checkpoints
		WHERE $1 < 0 OR chain = $1 ORDER BY id`, chain)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	cps := map[int64][]audit.Checkpoint{}
	count := 0
	for rows.Next() {
		var id, chain, n int64
		var root []byte
		var msg string
		if err := rows.Scan(&id, &chain, &n, &root, &msg); err != nil {
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
		if c.Chain != chain || c.N != n || string(c.Root[:]) != string(root) {
			return nil, 0, &CheckpointError{ID: id, Err: fmt.Errorf("stored chain, size or root differs from the signed note")}
		}
		cps[chain] = append(cps[chain], c)
	}
	return cps, count, rows.Err()
}

// SignedCheckpoint is a checkpoint Checkpoint stored, with its signed note.
type SignedCheckpoint struct {
	audit.Checkpoint
	Note []byte
}

// Checkpoint verifies the whole log, every chain, then signs the tree head
// of each chain that has grown since its last checkpoint with signerKey and
// stores the signed notes, one per chain. verifierKey, the signer's public
// half, checks the earlier checkpoints: a log that fails verification is
// never signed. It returns the new checkpoints, lowest chain first (none
// when nothing was logged since the last).
func (db *DB) Checkpoint(ctx context.Context, signerKey, verifierKey string) ([]SignedCheckpoint, error) {
	rep, err := db.VerifyAudit(ctx, verifierKey)
	if err != nil {
		return nil, fmt.Errorf("not signing a log that does not verify: %w", err)
	}
	at := db.Now().UTC().Truncate(time.Microsecond)
	var out []SignedCheckpoint
	for _, ch := range rep.Chains {
		if ch.N == 0 || ch.N == ch.LastCheckpoint {
			continue
		}
		msg, err := audit.Checkpoint{Chain: ch.Chain, N: ch.N, Root: ch.Root, At: at}.Sign(signerKey)
		if err != nil {
			return nil, err
		}
		c, err := audit.OpenCheckpoint(msg, verifierKey)
		if err != nil {
			return nil, fmt.Errorf("the verifier key is not the signer key's pair: %w", err)
		}
		out = append(out, SignedCheckpoint{Checkpoint: c, Note: msg})
	}
	err = db.WithTx(ctx, func(tx *Tx) error {
		for _, c := range out {
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (chain, n, root, note, created) VALUES ($1, $2, $3, $4, $5)`,
				c.Chain, c.N, c.Root[:], string(c.Note), timeArg(tx.now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
