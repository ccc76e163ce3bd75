package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
)

// Store is the outbox as the worker sees it; *sqlstore.DB implements it.
type Store interface {
	ClaimOutbox(ctx context.Context, worker string, now, until time.Time, limit int) ([]escalate.OutboxDelivery, error)
	// PrepareMarkSent readies the mark of a row as sent before its message
	// goes out; the worker commits it the moment the server accepts.
	PrepareMarkSent(ctx context.Context, id int64, messageID string) (escalate.SentMark, error)
	// FoldSentMarks records in the outbox the marks committed since the
	// last fold but kept outside it (SQLite's sent journal); the worker
	// calls it after each batch, well before the batch's lease lapses.
	FoldSentMarks(ctx context.Context) error
	MarkFailed(ctx context.Context, id int64, errText string, nextAttempt time.Time) error
	MarkDead(ctx context.Context, id int64, errText string) error
}

// Worker delivers the outbox: it claims bounded batches and sends each row
// as one email, marking it sent as soon as the server has accepted it.
type Worker struct {
	Store    Store
	Mailer   Mailer
	Composer Composer
	Name     string        // who claims, for claimed_by; default host:pid
	Batch    int           // rows per claim; default 20
	Interval time.Duration // pause when the outbox is empty; default 10s
	// Lease is how long a claim lasts (default escalate.OutboxLease, one
	// minute): how long the rows of a worker that crashed wait before
	// another worker takes them.
	Lease time.Duration
	Now   func() time.Time // default time.Now; tests move it on
	Log   *slog.Logger     // default discards; never given personal data
}

func (w *Worker) defaults() {
	if w.Name == "" {
		h, _ := os.Hostname()
		w.Name = fmt.Sprintf("%s:%d", h, os.Getpid())
	}
	if w.Batch <= 0 {
		w.Batch = 20
	}
	if w.Lease <= 0 {
		w.Lease = escalate.OutboxLease
	}
	if w.Interval <= 0 {
		w.Interval = 10 * time.Second
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
}

// Result counts what one batch did.
type Result struct {
	Claimed, Sent, Failed, Dead int
}

// RunOnce claims one batch and tries every row in it.
func (w *Worker) RunOnce(ctx context.Context) (Result, error) {
	w.defaults()
	var res Result
	claimed := w.Now()
	batch, err := w.Store.ClaimOutbox(ctx, w.Name, claimed, claimed.Add(w.Lease), w.Batch)
	if err != nil {
		return res, err
	}
	res.Claimed = len(batch)
	defer func() {
		if res.Sent == 0 {
			return
		}
		// Detached: a shutdown during the batch must not keep its marks
		// out of the outbox (the next claim would fold them anyway).
		if err := w.Store.FoldSentMarks(context.WithoutCancel(ctx)); err != nil {
			w.Log.Error("outbox marks not folded: the next claim folds them", "error", err.Error())
		}
	}()
	for _, d := range batch {
		if ctx.Err() != nil {
			// The unsent rest of the batch returns when its lease lapses.
			return res, ctx.Err()
		}
		if w.Now().Sub(claimed) > w.Lease/2 {
			// A slow server: stop well before the lease lapses, so that no
			// other worker can claim a row this one is still sending.
			w.Log.Warn("outbox batch left unfinished: the mail server is slow", "left", len(batch)-res.Sent-res.Failed-res.Dead)
			return res, nil
		}
		// No send may outlast the lease: past it another worker may take
		// the row and send it too.
		sctx, cancel := context.WithDeadline(ctx, claimed.Add(w.Lease*3/4))
		err := w.deliver(sctx, ctx, d)
		cancel()
		switch {
		case err == nil:
			res.Sent++
		case errors.Is(err, errNotPrepared):
			// Not sent (the database failed, or another worker has the
			// row): nothing to record; its lease brings it back.
			res.Failed++
			w.Log.Warn("notification not sent", "outbox_id", d.ID, "error", redact(err))
		case errors.Is(err, errNotMarked):
			// Sent but not marked: the row comes back when its lease
			// lapses and is sent again, with the same Message-ID.
			res.Sent++
			w.Log.Error("notification sent but not marked sent", "outbox_id", d.ID, "error", redact(err))
		case errors.Is(err, ErrRefused):
			res.Dead++
			w.Log.Warn("notification undeliverable", "outbox_id", d.ID, "error", redact(err))
			if err := w.Store.MarkDead(ctx, d.ID, redact(err)); err != nil {
				return res, err
			}
		default:
			res.Failed++
			next := w.Now().Add(Backoff(d.Attempts))
			w.Log.Warn("notification not sent", "outbox_id", d.ID, "attempt", d.Attempts, "error", redact(err))
			if err := w.Store.MarkFailed(ctx, d.ID, redact(err), next); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// deliver sends d and marks it sent at once: the time between the server's
// acceptance and the mark is the only window in which a crash can cause a
// second delivery (doc/notifications.md).
//
// sendCtx bounds the SMTP exchange; ctx is the worker's own.
func (w *Worker) deliver(sendCtx, ctx context.Context, d escalate.OutboxDelivery) error {
	if len(d.To) == 0 {
		return fmt.Errorf("%w: nobody holds the recipient role, or the user is disabled", ErrRefused)
	}
	e, err := w.Composer.Compose(d)
	if err != nil {
		return err
	}
	mark, err := w.Store.PrepareMarkSent(ctx, d.ID, e.MessageID)
	if err != nil {
		return fmt.Errorf("%w: %w", errNotPrepared, err)
	}
	if err := w.Mailer.Send(sendCtx, e); err != nil {
		mark.Rollback()
		return err
	}
	// Accepted: commit the mark before anything else. The mark is
	// detached from ctx, so a shutdown that starts now cannot lose it.
	if err := mark.Commit(); err != nil {
		return fmt.Errorf("%w: %w", errNotMarked, err)
	}
	return nil
}

// errNotMarked is a message the server accepted that could not be marked sent.
var errNotMarked = errors.New("accepted by the mail server but not marked sent")

// errNotPrepared is a row whose mark could not be readied, so it was not
// sent: it comes back when its lease lapses.
var errNotPrepared = errors.New("not sent: its mark could not be readied")

// Run delivers batches until ctx ends, pausing Interval whenever the outbox
// has nothing due. A failing store is logged and tried again after Interval.
func (w *Worker) Run(ctx context.Context) error {
	w.defaults()
	for {
		res, err := w.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.Log.Error("outbox worker", "error", err.Error())
		}
		if err != nil || res.Claimed < w.Batch {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(w.Interval):
			}
		}
	}
}

// Backoff is how long to wait after the attempt-th failed attempt (1 is the
// first): 2 minutes doubling to at most 6h, then jittered to between half and
// all of that so that workers retrying together spread out. With
// escalate.MaxOutboxAttempts at 8, a row survives a mail server that is down
// for two to four hours before it is dead.
func Backoff(attempt int) time.Duration {
	const base, ceiling = 2 * time.Minute, 6 * time.Hour
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	return d/2 + rand.N(d/2+1)
}

// redact keeps an error's text free of email addresses (an SMTP server may
// quote the recipient) before it is logged or stored.
func redact(err error) string {
	words := strings.Fields(err.Error())
	for i, w := range words {
		if strings.Contains(w, "@") {
			words[i] = "[address]"
		}
	}
	s := strings.Join(words, " ")
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}
