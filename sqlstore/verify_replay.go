package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// Replaying the audit log against the stored record: the chain proves the
// events were not changed; the replay proves the cases are what the events
// say. doc/audit.md, "What verify checks in the record".

// ReplayFailure is a stored record that differs from what its audit events
// say: the first case and field found, and the event that last set it.
type ReplayFailure struct {
	Object string // e.g. "escalation:REDBRIDGE-2026-0001"
	Field  string // e.g. "issue", "record 2: discussion", "party user 7"
	Seq    int64  // the event that last set the field; 0 when none did
	Reason string
}

func (f *ReplayFailure) Error() string {
	s := f.Object + ": " + f.Field + ": " + f.Reason
	if f.Seq != 0 {
		s += fmt.Sprintf(" (last set by seq %d)", f.Seq)
	}
	return s
}

// ReplayReport counts what VerifyRecords replayed.
type ReplayReport struct {
	Escalations   int // replayed and matching, erased ones included
	Erased        int // of those, erased under retention
	Dissents      int
	LearningItems int
	Proformas     int
	GoodPractice  int // recognitions of good practice
	Publications  int // policy publications since the history was kept
	// AgencyContacts counts the escalation contacts checked.
	AgencyContacts int
}

// replayBatch is how many escalations are replayed per round of queries:
// each round reads their rows, clocks, records, parties and events by
// index ranges and one IN list.
const replayBatch = 500

// VerifyRecords replays every escalation's audit events, and those of
// dissents, learning items, proformas, recognitions of good practice and
// agencies' escalation contacts,
// and checks that what is stored is what the events say: fields, records
// (with their results) and approvals, the outcome and the meeting's report,
// who was named and removed, meeting chairs, clocks, risk, the learning
// step's answers and attachments' metadata. A row an event created that is
// no longer stored, with no event to say why (retention's erase, a
// contact's deletion), is a failure too, for each kind of object the
// events create (verify_replay_missing.go). escalation_people is routing's output, worked out again
// from the rest, so it is not replayed. It reads one
// snapshot (readTx), so it may run beside a server, and writes nothing. It
// returns the first difference as a *ReplayFailure, with the rows it has
// checked so far counted.
//
// It reads events by object, whatever chain they are in, so it works per
// case; it does not check the chain itself (VerifyAudit does).
func (db *DB) VerifyRecords(ctx context.Context) (ReplayReport, error) {
	var rep ReplayReport
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		r := &replayer{ctx: ctx, tx: tx, db: db, policies: map[int64]*escalate.Policy{}}
		if err := r.loadPolicies(); err != nil {
			return err
		}
		for _, step := range []func(*ReplayReport) error{r.escalations, r.missing, r.dissents, r.learningItems, r.proformas, r.goodPractice, r.policyHistory, r.agencyContacts} {
			if err := step(&rep); err != nil {
				return err
			}
		}
		return nil
	})
	return rep, err
}

// replayer is one run of VerifyRecords.
type replayer struct {
	ctx      context.Context
	tx       *sql.Tx
	db       *DB
	policies map[int64]*escalate.Policy // by policy version ID; nil when it no longer loads
}

func (r *replayer) loadPolicies() error {
	rows, err := r.tx.QueryContext(r.ctx, `SELECT id, yaml, sha256 FROM policy_versions`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text, sum string
		if err := rows.Scan(&id, &text, &sum); err != nil {
			return err
		}
		if p, ok := policies.Load(sum); ok {
			r.policies[id] = p.(*escalate.Policy)
			continue
		}
		p, _, err := policy.Load(fmt.Sprintf("policy-version-%d.yaml", id), []byte(text))
		if err == nil {
			r.policies[id] = p
		}
	}
	return rows.Err()
}

// viewActions are the readings, which change nothing: the replay reads
// every event but these, by the partial index audit_events_state (migration
// 00025), whose predicate a query must repeat word for word.
const viewActions = `('escalation.view', 'dissent.view', 'learning.item.view', 'proforma.view')`

// events returns the audit events about each of objects, in log order,
// but the views.
func (r *replayer) events(objects []string) (map[string][]replayEvent, error) {
	out := make(map[string][]replayEvent, len(objects))
	if len(objects) == 0 {
		return out, nil
	}
	args := make([]any, len(objects))
	for i, o := range objects {
		args[i] = o
	}
	rows, err := r.tx.QueryContext(r.ctx, `
		SELECT e.seq, e.at, e.actor, e.action, e.object, e.commitment, c.content
		FROM audit_events e LEFT JOIN audit_content c ON c.seq = e.seq
		WHERE e.object IN (`+placeholders(len(objects))+`) AND e.action NOT IN `+viewActions+`
		ORDER BY e.object, e.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("replay: reading events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ev replayEvent
		var object string
		var commitment []byte
		if err := rows.Scan(&ev.seq, scanTime(&ev.at), &ev.actor, &ev.action, &object, &commitment, &ev.content); err != nil {
			return nil, err
		}
		ev.erased = ev.content == nil && !isZeroHash(commitment)
		out[object] = append(out[object], ev)
	}
	return out, rows.Err()
}

// isZeroHash reports whether a commitment is all zeros: the event had no
// content.
func isZeroHash(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// placeholders returns "$1, $2, … $n".
func placeholders(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i+1)
	}
	return b.String()
}

// escalations replays every escalation, replayBatch at a time in ID order.
// One goroutine reads the next batch while this one folds and compares the
// last: reading waits on the database, folding on the CPU.
func (r *replayer) escalations(rep *ReplayReport) error {
	type batch struct {
		cases   []*storedCase
		objects []string
		evs     map[string][]replayEvent
		err     error
	}
	batches := make(chan batch, 1)
	done := make(chan struct{})
	var reading sync.WaitGroup
	reading.Add(1)
	// The reader stops before the transaction ends, whatever the fold found.
	defer func() { close(done); reading.Wait() }()
	go func() {
		defer reading.Done()
		defer close(batches)
		var after int64
		for {
			var b batch
			b.cases, b.err = r.storedCases(after)
			if b.err == nil && len(b.cases) == 0 {
				return
			}
			if b.err == nil {
				b.objects = make([]string, len(b.cases))
				for i, s := range b.cases {
					b.objects[i] = "escalation:" + s.Ref
				}
				b.evs, b.err = r.events(b.objects)
			}
			select {
			case batches <- b:
			case <-done:
				return
			}
			if b.err != nil {
				return
			}
			after = b.cases[len(b.cases)-1].ID
		}
	}()
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		for i, s := range b.cases {
			c := newReplayCase(b.objects[i])
			evs := b.evs[b.objects[i]]
			for j := range evs {
				if f := c.apply(&evs[j]); f != nil {
					return f
				}
			}
			if f := c.compare(s, r.policies[s.PolicyVersionID]); f != nil {
				return f
			}
			rep.Escalations++
			if c.erased {
				rep.Erased++
			}
		}
	}
	return nil
}

// storedCases reads the next replayBatch escalations after ID after, with
// their clocks, records, parties, meeting chairs, attachments and learning
// answers.
func (r *replayer) storedCases(after int64) ([]*storedCase, error) {
	rows, err := r.tx.QueryContext(r.ctx, `SELECT `+escalationColumns+`, e.next_due, e.erased`+escalationFrom+
		`WHERE e.id > $1 ORDER BY e.id LIMIT $2`, after, replayBatch)
	if err != nil {
		return nil, fmt.Errorf("replay: reading escalations: %w", err)
	}
	var cases []*storedCase
	byID := map[int64]*storedCase{}
	for rows.Next() {
		s := &storedCase{parties: map[int64]replayParty{}, responses: map[int64]replayResponse{}, chairs: map[string]replayChair{}}
		row, err := scanEscalation(extraScanner{rows, []any{scanTime(&s.nextDue), scanTime(&s.erased)}})
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("replay: reading escalations: %w", err)
		}
		s.escalationRow = row
		cases = append(cases, s)
		byID[row.ID] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(cases) == 0 {
		return nil, err
	}
	lo, hi := cases[0].ID, cases[len(cases)-1].ID
	if err := r.each(`SELECT escalation_id, `+clockColumns+` FROM clocks
		WHERE escalation_id >= $1 AND escalation_id <= $2 ORDER BY escalation_id, id`, lo, hi,
		func(sc rowScanner, id *int64) error {
			cs, err := scanClock(sc)
			if s := byID[*id]; err == nil && s != nil {
				s.Clocks = append(s.Clocks, cs)
			}
			return err
		}); err != nil {
		return nil, err
	}
	if err := r.each(`SELECT escalation_id, `+recordColumns+`
		FROM records WHERE escalation_id >= $1 AND escalation_id <= $2 ORDER BY escalation_id, id`, lo, hi,
		func(sc rowScanner, id *int64) error {
			rec, err := scanRecord(sc)
			if s := byID[*id]; err == nil && s != nil {
				s.Records = append(s.Records, rec)
			}
			return err
		}); err != nil {
		return nil, err
	}
	if err := r.each(`SELECT escalation_id, user_id, added_by, added, COALESCE(removed_by, 0), removed FROM escalation_parties
		WHERE escalation_id >= $1 AND escalation_id <= $2`, lo, hi,
		func(sc rowScanner, id *int64) error {
			var u int64
			var p replayParty
			err := sc.Scan(&u, &p.AddedBy, scanTime(&p.Added), &p.RemovedBy, scanTime(&p.Removed))
			if s := byID[*id]; err == nil && s != nil {
				s.parties[u] = p
			}
			return err
		}); err != nil {
		return nil, err
	}
	if err := r.each(`SELECT escalation_id, stage, user_id, appointed_by, appointed FROM escalation_meeting_chairs
		WHERE escalation_id >= $1 AND escalation_id <= $2`, lo, hi,
		func(sc rowScanner, id *int64) error {
			var stage string
			var c replayChair
			err := sc.Scan(&stage, &c.User, &c.By, scanTime(&c.Appointed))
			if s := byID[*id]; err == nil && s != nil {
				s.chairs[stage] = c
			}
			return err
		}); err != nil {
		return nil, err
	}
	if err := r.readAttachments(byID, lo, hi); err != nil {
		return nil, err
	}
	err = r.each(`SELECT escalation_id, user_id, debriefed, items FROM learning_responses
		WHERE escalation_id >= $1 AND escalation_id <= $2`, lo, hi,
		func(sc rowScanner, id *int64) error {
			var u int64
			var a replayResponse
			err := sc.Scan(&u, &a.Debriefed, &a.Items)
			if s := byID[*id]; err == nil && s != nil {
				s.responses[u] = a
			}
			return err
		})
	return cases, err
}

// each runs query with the range lo..hi and calls fn for each row with a
// scanner of its columns after the first, which it reads into *id (the
// owner's ID) as it scans.
func (r *replayer) each(query string, lo, hi int64, fn func(sc rowScanner, id *int64) error) error {
	rows, err := r.tx.QueryContext(r.ctx, query, lo, hi)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := fn(idScanner{rows, &id}, &id); err != nil {
			return fmt.Errorf("replay: %w", err)
		}
	}
	return rows.Err()
}

// idScanner reads the first column into id, then the rest into what the
// caller asks.
type idScanner struct {
	r  rowScanner
	id *int64
}

func (s idScanner) Scan(dest ...any) error { return s.r.Scan(append([]any{s.id}, dest...)...) }

// extraScanner scans the columns a scanner expects, then extra ones after
// them.
type extraScanner struct {
	r     rowScanner
	extra []any
}

func (s extraScanner) Scan(dest ...any) error { return s.r.Scan(append(dest, s.extra...)...) }

// indexedActions are the actions audit_events_creations indexes (migration
// 00025): a query names them all, so either engine may use the index.
const indexedActions = `('escalation.raise', 'dissent.record', 'learning.item.create', 'proforma.create', 'contact.delete', 'user.disable')`
