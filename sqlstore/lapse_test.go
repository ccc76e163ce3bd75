package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// lapseWorld is a Redbridge world whose policy says on_lapse: escalate on
// the stages listed (none: the pack as published, all prompt), with one
// escalation raised on it.
func lapseWorld(t *testing.T, db *DB, stages ...string) (*world, *escalate.Escalation) {
	t.Helper()
	w := newWorld(t, db, "redbridge")
	if len(stages) > 0 {
		raw, err := policy.PackSource("redbridge")
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Replace(string(raw), "\nversion: ", "\nversion: lapse-test ", 1)
		for _, key := range stages {
			item := "\n  - key: " + key + "\n"
			if !strings.Contains(text, item) {
				t.Fatalf("the pack has no stage %q", key)
			}
			text = strings.Replace(text, item, item+"    on_lapse: escalate\n", 1)
		}
		pol, probs, err := policy.Load("redbridge-lapse.yaml", []byte(text))
		if err != nil || policy.HasErrors(probs) {
			t.Fatalf("lapse policy: %v %v", err, probs)
		}
		if _, err := db.SetPolicy(context.Background(), w.p.ID, pol, []byte(text)); err != nil {
			t.Fatal(err)
		}
		w.pol = pol
	}
	return w, w.mustRaise(t, escalate.RiskStandard)
}

// auditActors returns the audit actors of escalation ref's events of action.
func auditActors(t *testing.T, db *DB, ref, action string) []string {
	t.Helper()
	rows, err := db.db.Query(`SELECT actor FROM audit_events WHERE object = $1 AND action = $2 ORDER BY seq`,
		"escalation:"+ref, action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func lapseGet(t *testing.T, w *world, ref string) *escalate.Escalation {
	t.Helper()
	e, err := w.svc.Get(w.as("prac"), ref)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEscalateOnLapse(t *testing.T) {
	ctx := context.Background()
	later := time.Now().AddDate(1, 0, 0) // every clock started now has lapsed
	t.Run("OK", func(t *testing.T) {
		forEachEngine(t, func(t *testing.T, db *DB) {
			w, e := lapseWorld(t, db, "stage-1")
			ns, err := db.EnqueueOverdue(ctx, later, 100)
			if err != nil {
				t.Fatal(err)
			}
			escalated := 0
			for _, n := range ns {
				if n.Escalated {
					escalated++
				}
			}
			if len(ns) == 0 || escalated != 1 || ns[0].OnLapse != "escalate" {
				t.Fatalf("notices = %+v, want stage-1 prompts with on_lapse escalate and one escalation", ns)
			}
			got := lapseGet(t, w, e.Ref)
			if got.Stage != 1 || got.CurrentStage(w.pol).Key != "stage-2" {
				t.Fatalf("stage = %d, want 1 (stage-2)", got.Stage)
			}
			for _, c := range got.Clocks {
				if c.Stage == "stage-1" && c.Status == escalate.ClockRunning {
					t.Errorf("stage-1 clock %d still running", c.ID)
				}
			}
			if actors := auditActors(t, db, e.Ref, escalate.ActionEscalate); len(actors) != 1 || actors[0] != SchedulerActor {
				t.Fatalf("escalate audit actors = %v, want [%s]", actors, SchedulerActor)
			}
			var reason []byte
			if err := db.db.QueryRow(`SELECT c.content FROM audit_events a JOIN audit_content c ON c.seq = a.seq
				WHERE a.object = $1 AND a.action = $2`,
				"escalation:"+e.Ref, escalate.ActionEscalate).Scan(&reason); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(reason), LapseReason) {
				t.Errorf("escalate event %s lacks the reason %q", reason, LapseReason)
			}
			msgs, err := db.Outbox(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			outboxEscalated := 0
			for _, m := range msgs {
				if m.Kind == escalate.ActionEscalate {
					outboxEscalated++
				}
			}
			if outboxEscalated == 0 {
				t.Errorf("no %s outbox rows: %+v", escalate.ActionEscalate, msgs)
			}
			// A second pass at the same instant prompts stage-2's lapsed
			// clocks (stage-2 says prompt) and escalates nothing more; a
			// third writes nothing at all.
			ns, err = db.EnqueueOverdue(ctx, later, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range ns {
				if n.Escalated || n.OnLapse != "prompt" {
					t.Errorf("second pass notice %+v, want a stage-2 prompt only", n)
				}
			}
			if got := lapseGet(t, w, e.Ref); got.Stage != 1 {
				t.Errorf("after a second pass stage = %d, want 1", got.Stage)
			}
			if n := len(auditActors(t, db, e.Ref, escalate.ActionEscalate)); n != 1 {
				t.Errorf("after a second pass %d escalate events, want 1", n)
			}
			before := rowCounts(t, db)
			if ns, err := db.EnqueueOverdue(ctx, later, 100); err != nil || len(ns) != 0 {
				t.Fatalf("third pass = %+v, %v; want nothing", ns, err)
			}
			wantUnchanged(t, db, before)
			mustVerifyAudit(t, db)
		})
	})
	t.Run("Prompt", func(t *testing.T) {
		forEachEngine(t, func(t *testing.T, db *DB) {
			w, e := lapseWorld(t, db)
			ns, err := db.EnqueueOverdue(ctx, later, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range ns {
				if n.EscalationID == e.ID && (n.Escalated || n.OnLapse != "prompt") {
					t.Errorf("notice %+v: a prompt stage must not escalate", n)
				}
			}
			if got := lapseGet(t, w, e.Ref); got.Stage != 0 {
				t.Errorf("stage = %d, want 0", got.Stage)
			}
			if n := len(auditActors(t, db, e.Ref, escalate.ActionEscalate)); n != 0 {
				t.Errorf("%d escalate events, want none", n)
			}
		})
	})
	t.Run("FinalStage", func(t *testing.T) {
		forEachEngine(t, func(t *testing.T, db *DB) {
			all := []string{}
			pol, err := policy.Pack("redbridge")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range pol.Stages {
				all = append(all, s.Key)
			}
			w, e := lapseWorld(t, db, all...)
			// Each pass escalates one stage, as the next stage's clocks
			// start then; once at the final stage, passes change nothing.
			for range len(all) + 2 {
				if _, err := db.EnqueueOverdue(ctx, later, 100); err != nil {
					t.Fatal(err)
				}
			}
			got := lapseGet(t, w, e.Ref)
			if got.Stage != len(all)-1 {
				t.Fatalf("stage = %d, want the final stage %d", got.Stage, len(all)-1)
			}
			if n := len(auditActors(t, db, e.Ref, escalate.ActionEscalate)); n != len(all)-1 {
				t.Errorf("%d escalate events, want %d", n, len(all)-1)
			}
			mustVerifyAudit(t, db)
		})
	})
}
