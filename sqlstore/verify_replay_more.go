package sqlstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/escalate-project/escalate"
)

// Replaying dissents, learning items and proformas: what their events
// describe, checked as escalations are (verify_replay.go).

// replayContent is a change's event content as stored: the rule's data and
// "time", the instant of the change. The event's own time is when it
// reached the log, which may be later when the change waited for the audit
// lock; the stored rows carry the change's instant.
func replayContent(ev escalate.Event) map[string]any {
	d := make(map[string]any, len(ev.Data)+1)
	for k, v := range ev.Data {
		d[k] = v
	}
	if !ev.At.IsZero() {
		d["time"] = ev.At.UTC().Truncate(time.Microsecond)
	}
	return d
}

// moreData is what dissent, learning and proforma events carry besides
// replayData's fields.
type moreData struct {
	replayData
	Step             string   `json:"step"`
	Date             string   `json:"date"`
	People           []string `json:"people"`
	Feedback         string   `json:"feedback"`
	Recommendations  string   `json:"recommendations"`
	ConferenceDate   string   `json:"conference_date"`
	ConferenceKind   string   `json:"conference_kind"`
	Agency           int64    `json:"agency"`
	Professional     string   `json:"professional"`
	Nature           string   `json:"nature"`
	Grounds          string   `json:"grounds"`
	ChairDecision    string   `json:"chair_decision"`
	Description      string   `json:"description"`
	AssignedRole     string   `json:"assigned_role"`
	AssignedSubgroup string   `json:"assigned_subgroup"`
	Status           string   `json:"status"`
	ActionTaken      string   `json:"action_taken"`
	Theme            string   `json:"theme"`
	Version          int      `json:"version"`
	Refs             []string `json:"refs"`
	Ref              string   `json:"ref"`
	BodySHA256       string   `json:"body_sha256"`
}

// decode reads ev's content into d; an erased or missing content is a
// failure, since these objects are not erased case by case.
func decode(object string, ev *replayEvent, d *moreData) *ReplayFailure {
	if ev.erased {
		return &ReplayFailure{Object: object, Field: "content", Seq: ev.seq, Reason: "an event's content was erased, but the record was not erased under retention"}
	}
	if ev.content == nil {
		return nil
	}
	if err := json.Unmarshal(ev.content, d); err != nil {
		return &ReplayFailure{Object: object, Field: ev.action, Seq: ev.seq, Reason: "the event's content is not readable: " + err.Error()}
	}
	return nil
}

// batches calls fn with the IDs of table's rows, replayBatch at a time in
// ID order.
func (r *replayer) batches(table string, fn func(ids []int64) error) error {
	var after int64
	for {
		rows, err := r.tx.QueryContext(r.ctx, `SELECT id FROM `+table+` WHERE id > $1 ORDER BY id LIMIT $2`, after, replayBatch)
		if err != nil {
			return fmt.Errorf("replay: %s: %w", table, err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		if err := fn(ids); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// dissents replays every Child Protection Conference dissent: its
// recorded fields (not the conference's own reference, which its events
// leave out on purpose), its step and outcome, clocks and entries.
func (r *replayer) dissents(rep *ReplayReport) error {
	return r.batches("dissents", func(ids []int64) error {
		for _, id := range ids {
			var ref string
			var erased time.Time
			if err := r.tx.QueryRowContext(r.ctx, `SELECT ref, erased FROM dissents WHERE id = $1`, id).Scan(&ref, scanTime(&erased)); err != nil {
				return err
			}
			got, err := r.storedDissent(ref)
			if err != nil {
				return err
			}
			evs, err := r.events([]string{"dissent:" + ref})
			if err != nil {
				return err
			}
			if f := erasedDissent("dissent:"+ref, evs["dissent:"+ref], got, !erased.IsZero()); f != nil {
				return f
			} else if erased.IsZero() {
				if f := replayDissent("dissent:"+ref, evs["dissent:"+ref], got); f != nil {
					return f
				}
			}
			rep.Dissents++
		}
		return nil
	})
}

func (r *replayer) storedDissent(ref string) (*escalate.Dissent, error) {
	d, err := scanDissent(r.tx.QueryRowContext(r.ctx, `SELECT `+dissentColumns+` FROM dissents d WHERE d.ref = $1`, ref))
	if err != nil {
		return nil, err
	}
	rows, err := r.tx.QueryContext(r.ctx, `SELECT id, key, action, within, start_at, due_at, explanation, status, met_at
		FROM dissent_clocks WHERE dissent_id = $1 ORDER BY id`, d.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		c := escalate.ClockState{Stage: "dissent"}
		if err := rows.Scan(&c.ID, &c.Key, &c.Action, &c.Within, scanTime(&c.Start), scanTime(&c.Due),
			&c.Explanation, &c.Status, scanTime(&c.MetAt)); err != nil {
			rows.Close()
			return nil, err
		}
		d.Clocks = append(d.Clocks, c)
	}
	rows.Close()
	rows, err = r.tx.QueryContext(r.ctx, `SELECT id, action, at, by_user, date, people, outcome, text, feedback, recommendations
		FROM dissent_entries WHERE dissent_id = $1 ORDER BY id`, d.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e escalate.DissentEntry
		var people string
		if err := rows.Scan(&e.ID, &e.Action, scanTime(&e.At), &e.By, &e.Date, &people, &e.Outcome,
			&e.Text, &e.Feedback, &e.Recommendations); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(people), &e.People); err != nil {
			return nil, err
		}
		d.Entries = append(d.Entries, e)
	}
	return d, rows.Err()
}

// erasedDissent checks a dissent against its retention.erase event: one
// marked erased must have such an event, a recorded event before it, and
// no free text or entries left; one not marked erased must have none.
func erasedDissent(object string, evs []replayEvent, got *escalate.Dissent, marked bool) *ReplayFailure {
	var erase, record int64
	for _, ev := range evs {
		switch ev.action {
		case escalate.ActionRetentionErase:
			erase = ev.seq
		case escalate.DissentActionRecord:
			record = ev.seq
		}
	}
	switch {
	case !marked && erase != 0:
		return &ReplayFailure{Object: object, Field: "erased", Seq: erase, Reason: "an event erased the dissent, but it is still stored in full"}
	case !marked:
		return nil
	case erase == 0:
		return &ReplayFailure{Object: object, Field: "erased", Reason: "the dissent is marked erased, but no retention.erase event says so"}
	case record == 0:
		return &ReplayFailure{Object: object, Field: "dissent", Reason: "stored, but no event records it"}
	case got.Step != escalate.DissentClosed:
		return &ReplayFailure{Object: object, Field: "step", Seq: erase, Reason: "the dissent is marked erased, but it was not closed"}
	case got.ConferenceRef != "" || got.Professional != "" || got.Nature != "" || got.Grounds != "" || got.ChairDecision != "":
		return &ReplayFailure{Object: object, Field: "erased", Seq: erase, Reason: "the dissent is marked erased, but personal data is still stored on it"}
	case len(got.Entries) > 0:
		return &ReplayFailure{Object: object, Field: "erased", Seq: erase, Reason: "the dissent is marked erased, but its entries are still stored"}
	}
	return nil
}

// replayDissent folds a dissent's events and compares them with got.
func replayDissent(object string, evs []replayEvent, got *escalate.Dissent) *ReplayFailure {
	c := newReplayCase(object)
	var x escalate.Dissent
	recorded := false
	for i := range evs {
		ev := &evs[i]
		var d moreData
		if ev.action == escalate.DissentActionView {
			continue
		}
		if f := decode(object, ev, &d); f != nil {
			return f
		}
		by, at := ev.actorID(), c.when(ev, &d.replayData)
		entry := func() {
			x.Entries = append(x.Entries, escalate.DissentEntry{ID: len(x.Entries) + 1, Action: ev.action, At: at, By: by,
				Date: d.Date, People: d.People, Outcome: d.Outcome, Text: d.Text, Feedback: d.Feedback,
				Recommendations: d.Recommendations})
			c.mark(ev.seq, fmt.Sprintf("entry %d", len(x.Entries)))
		}
		switch ev.action {
		case escalate.DissentActionRecord:
			recorded = true
			x = escalate.Dissent{RecordedBy: by, ConferenceDate: d.ConferenceDate, ConferenceKind: d.ConferenceKind,
				AgencyID: d.Agency, Professional: d.Professional, Nature: d.Nature, Grounds: d.Grounds,
				ChairDecision: d.ChairDecision, Step: escalate.DissentAwaitingReview, Created: at}
			x.Entries = []escalate.DissentEntry{{ID: 1, Action: ev.action, At: at, By: by, Date: d.ConferenceDate, Text: d.Nature}}
			c.mark(ev.seq, "recorded", "step", "entry 1")
		case escalate.DissentActionSchedule:
			x.Step, x.MeetingDate = escalate.DissentScheduled, d.Date
			entry()
			c.mark(ev.seq, "step")
		case escalate.DissentActionEvaluate:
			x.Step = escalate.DissentEvaluated
			entry()
			c.mark(ev.seq, "step")
		case escalate.DissentActionDecide:
			x.Outcome, x.Step = d.Outcome, escalate.DissentInvestigating
			entry()
			c.mark(ev.seq, "step", "outcome")
		case escalate.DissentActionReport:
			x.Step = escalate.DissentReportReviewed
			entry()
			c.mark(ev.seq, "step")
		case escalate.DissentActionStrategy:
			entry()
		case escalate.DissentActionClose:
			x.Step = escalate.DissentClosed
			c.mark(ev.seq, "step")
		case escalate.ActionClockStart:
			cs := escalate.ClockState{ID: d.Clock, Stage: "dissent", Key: d.Key, Action: d.Action, Within: d.Within,
				Start: d.Start, Explanation: d.Explanation, Status: escalate.ClockRunning}
			if d.Due != nil {
				cs.Due = *d.Due
			}
			x.Clocks = append(x.Clocks, cs)
			c.mark(ev.seq, fmt.Sprintf("clock %d", d.Clock))
		case escalate.ActionClockMet:
			for j := range x.Clocks {
				if x.Clocks[j].ID == d.Clock {
					x.Clocks[j].Status, x.Clocks[j].MetAt = escalate.ClockMet, at
				}
			}
			c.mark(ev.seq, fmt.Sprintf("clock %d", d.Clock))
		}
	}
	if !recorded {
		return &ReplayFailure{Object: object, Field: "dissent", Reason: "stored, but no event records it"}
	}
	g := got
	for _, ch := range []struct {
		field string
		ok    bool
	}{
		{"recorded", x.RecordedBy == g.RecordedBy && x.ConferenceDate == g.ConferenceDate && x.ConferenceKind == g.ConferenceKind &&
			x.AgencyID == g.AgencyID && x.Professional == g.Professional && x.Nature == g.Nature &&
			x.Grounds == g.Grounds && x.ChairDecision == g.ChairDecision && c.sameTime(x.Created, g.Created)},
		{"step", x.Step == g.Step && x.MeetingDate == g.MeetingDate},
		{"outcome", x.Outcome == g.Outcome},
	} {
		if !ch.ok {
			return c.fail(ch.field, "the stored value differs from what the events say")
		}
	}
	for i := range max(len(x.Entries), len(g.Entries)) {
		field := fmt.Sprintf("entry %d", i+1)
		if i >= len(x.Entries) || i >= len(g.Entries) {
			return c.fail(field, "the stored entries differ in number from what the events say")
		}
		w, s := x.Entries[i], g.Entries[i]
		if w.Action != s.Action || w.By != s.By || !c.sameTime(w.At, s.At) || w.Date != s.Date ||
			!slices.Equal(w.People, s.People) || w.Outcome != s.Outcome || w.Text != s.Text ||
			w.Feedback != s.Feedback || w.Recommendations != s.Recommendations {
			return c.fail(field, "the stored value differs from what the events say")
		}
	}
	for i := range max(len(x.Clocks), len(g.Clocks)) {
		if i >= len(x.Clocks) || i >= len(g.Clocks) {
			return c.fail("clocks", "the stored clocks differ in number from what the events say")
		}
		w, s := x.Clocks[i], g.Clocks[i]
		field := fmt.Sprintf("clock %d", w.ID)
		if w.ID != s.ID || w.Key != s.Key || w.Within != s.Within || !w.Start.Truncate(time.Microsecond).Equal(s.Start) ||
			!w.Due.Truncate(time.Microsecond).Equal(s.Due) || w.Status != s.Status ||
			!c.sameTime(w.MetAt, s.MetAt) && !(w.MetAt.IsZero() && s.MetAt.IsZero()) {
			return c.fail(field, "the stored value differs from what the events say")
		}
	}
	return nil
}

// learningItems replays the learning log: each item's fields as created
// and last updated, its version and the escalations it is linked to.
func (r *replayer) learningItems(rep *ReplayReport) error {
	return r.batches("learning_items", func(ids []int64) error {
		objects := make([]string, len(ids))
		for i, id := range ids {
			objects[i] = fmt.Sprintf("learning:%d", id)
		}
		evs, err := r.events(objects)
		if err != nil {
			return err
		}
		for i, id := range ids {
			var it escalate.LearningItem
			var role string
			err := r.tx.QueryRowContext(r.ctx, `SELECT kind, description, assigned_role, assigned_subgroup, status,
				action_taken, theme, created_by, version FROM learning_items WHERE id = $1`, id).
				Scan(&it.Kind, &it.Description, &role, &it.Assignee.Subgroup, &it.Status, &it.ActionTaken, &it.Theme,
					&it.CreatedBy, &it.Version)
			if err != nil {
				return err
			}
			it.Assignee.Role = escalate.Role(role)
			links, err := r.strings(`SELECT e.ref FROM learning_links l JOIN escalations e ON e.id = l.escalation_id
				WHERE l.item_id = $1 ORDER BY e.ref`, id)
			if err != nil {
				return err
			}
			if f := replayLearning(objects[i], evs[objects[i]], &it, links); f != nil {
				return f
			}
			rep.LearningItems++
		}
		return nil
	})
}

func replayLearning(object string, evs []replayEvent, got *escalate.LearningItem, links []string) *ReplayFailure {
	c := newReplayCase(object)
	var x escalate.LearningItem
	var refs []string
	created := false
	for i := range evs {
		ev := &evs[i]
		if ev.action == escalate.ActionLearningView {
			continue
		}
		var d moreData
		if f := decode(object, ev, &d); f != nil {
			return f
		}
		switch ev.action {
		case escalate.ActionLearningCreate:
			created = true
			x = escalate.LearningItem{Kind: d.Kind, Description: d.Description, Status: escalate.LearningOpen,
				Assignee:  escalate.Assignee{Role: escalate.Role(d.AssignedRole), Subgroup: d.AssignedSubgroup},
				CreatedBy: ev.actorID(), Version: 1}
			refs = append(refs, d.Refs...)
			c.mark(ev.seq, "item", "links")
		case escalate.ActionLearningUpdate:
			x.Assignee = escalate.Assignee{Role: escalate.Role(d.AssignedRole), Subgroup: d.AssignedSubgroup}
			x.Status, x.ActionTaken, x.Theme, x.Version = d.Status, d.ActionTaken, d.Theme, d.Version
			c.mark(ev.seq, "item")
		case escalate.ActionLearningLink:
			refs = append(refs, d.Ref)
			c.mark(ev.seq, "links")
		}
	}
	if !created {
		return &ReplayFailure{Object: object, Field: "learning item", Reason: "stored, but no event creates it"}
	}
	slices.Sort(refs)
	refs = slices.Compact(refs)
	switch {
	case x.Kind != got.Kind || x.Description != got.Description || x.Assignee != got.Assignee || x.Status != got.Status ||
		x.ActionTaken != got.ActionTaken || x.Theme != got.Theme || x.CreatedBy != got.CreatedBy || x.Version != got.Version:
		return c.fail("item", "the stored value differs from what the events say")
	case !slices.Equal(refs, links):
		return c.fail("links", "the stored links to escalations differ from what the events say")
	}
	return nil
}

// proformas replays each proforma: the escalation and stage it is of, its
// body (by its SHA-256, which events carry since this check was added),
// and its review.
func (r *replayer) proformas(rep *ReplayReport) error {
	return r.batches("proformas", func(ids []int64) error {
		objects := make([]string, len(ids))
		for i, id := range ids {
			objects[i] = fmt.Sprintf("proforma:%d", id)
		}
		evs, err := r.events(objects)
		if err != nil {
			return err
		}
		for i, id := range ids {
			var p storedProforma
			err := r.tx.QueryRowContext(r.ctx, `SELECT e.ref, p.stage_key, p.body, p.status, COALESCE(p.reviewed_by, 0), p.version
				FROM proformas p JOIN escalations e ON e.id = p.escalation_id WHERE p.id = $1`, id).
				Scan(&p.ref, &p.stage, &p.body, &p.status, &p.reviewedBy, &p.version)
			if err != nil {
				return err
			}
			if f := replayProforma(objects[i], evs[objects[i]], &p); f != nil {
				return f
			}
			rep.Proformas++
		}
		return nil
	})
}

type storedProforma struct {
	ref, stage, body, status string
	reviewedBy               int64
	version                  int
}

func replayProforma(object string, evs []replayEvent, got *storedProforma) *ReplayFailure {
	c := newReplayCase(object)
	var x storedProforma
	var sum string
	created := false
	for i := range evs {
		ev := &evs[i]
		if ev.action == escalate.ActionProformaView {
			continue
		}
		var d moreData
		if f := decode(object, ev, &d); f != nil {
			return f
		}
		switch ev.action {
		case escalate.ActionProformaCreate:
			created = true
			x = storedProforma{ref: d.Ref, stage: d.Stage, status: escalate.ProformaNew, version: 1}
			sum = d.BodySHA256
			c.mark(ev.seq, "proforma", "body")
		case escalate.ActionProformaReview:
			x.status, x.reviewedBy = d.To, ev.actorID()
			x.version++
			c.mark(ev.seq, "review")
		}
	}
	switch {
	case !created:
		return &ReplayFailure{Object: object, Field: "proforma", Reason: "stored, but no event creates it"}
	case x.ref != got.ref || x.stage != got.stage:
		return c.fail("proforma", "the stored escalation or stage differs from what the events say")
	case sum != "" && sum != sha256Hex(got.body):
		return c.fail("body", "the stored body differs from what the events say")
	case x.status != got.status || x.reviewedBy != got.reviewedBy || x.version != got.version:
		return c.fail("review", "the stored review differs from what the events say")
	}
	return nil
}

// sha256Hex is the SHA-256 of s in hex.
func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// strings runs a query for one text column with one argument.
func (r *replayer) strings(query string, arg any) ([]string, error) {
	rows, err := r.tx.QueryContext(r.ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
