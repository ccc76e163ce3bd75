package sqlstore

import (
	"fmt"
	"slices"
	"time"

	"github.com/escalate-project/escalate"
)

// Comparing what an escalation's events say with what is stored, field by
// field, for VerifyRecords.

// storedCase is an escalation as stored, with what verification reads
// besides the domain value.
type storedCase struct {
	*escalationRow
	nextDue   time.Time // zero when NULL
	erased    time.Time // zero unless retention erased it
	parties   map[int64]replayParty
	responses map[int64]replayResponse
	chairs    map[string]replayChair
	// attachments' metadata by ID; nil when none
	attachments map[int64]escalate.Attachment
}

// compare returns the first field in which stored s differs from what c's
// events say, or nil. p is s's pinned policy, nil when it no longer loads.
func (c *replayCase) compare(s *storedCase, p *escalate.Policy) *ReplayFailure {
	if !c.raised {
		return &ReplayFailure{Object: c.object, Field: "escalation", Reason: "stored, but no event raised it"}
	}
	if c.erased || !s.erased.IsZero() {
		return c.compareErased(s)
	}
	if c.gone != 0 {
		return &ReplayFailure{Object: c.object, Field: "content", Seq: c.gone,
			Reason: "an event's content was erased, but the case was not erased under retention"}
	}
	x, e := &c.esc, s.Escalation
	stage := ""
	if p != nil && e.Stage >= 0 && e.Stage < len(p.Stages) {
		stage = p.Stages[e.Stage].Key
	}
	same := c.sameTime
	checks := []struct {
		field string
		ok    bool
	}{
		{"policy", x.PolicyID == e.PolicyID && (x.PolicyVersion == "" || x.PolicyVersion == e.PolicyVersion)},
		{"raised_by", x.RaisedBy == e.RaisedBy},
		{"raised_role", x.RaisedRole == e.RaisedRole},
		{"raising_agency", x.RaisingAgencyID == e.RaisingAgencyID},
		{"receiving_agency", x.ReceivingAgencyID == e.ReceivingAgencyID},
		{"receiving_contact", x.ReceivingContact == e.ReceivingContact},
		{"decision", x.Decision == e.Decision},
		{"decision_date", x.DecisionDate == e.DecisionDate},
		{"child_ref", x.ChildRef == e.ChildRef},
		{"child_initials", x.ChildInitials == e.ChildInitials},
		{"categories", slices.Equal(x.Categories, e.Categories)},
		{"issue", x.Issue == e.Issue},
		{"risk", x.Risk == e.Risk},
		{"disagreement", x.Disagreement == e.Disagreement},
		{"outcome_sought", x.OutcomeSought == e.OutcomeSought},
		{"created", same(x.Created, e.Created)},
		{"risk_level", x.RiskLevel == e.RiskLevel},
		{"stage", c.stageKey == stage},
		{"status", x.Status == e.Status},
		{"outcome", c.sameOutcome(x.Outcome, e.Outcome)},
		{"immediate action", c.sameImmediate(x.Immediate, e.Immediate)},
	}
	for _, ch := range checks {
		if !ch.ok {
			return c.fail(ch.field, "the stored value differs from what the events say")
		}
	}
	if f := c.compareClocks(e.Clocks); f != nil {
		return f
	}
	if due, ok := x.NextDue(); ok != !s.nextDue.IsZero() || ok && !due.Truncate(time.Microsecond).Equal(s.nextDue) {
		return c.fail("next_due", "the stored next deadline is not the soonest running clock's")
	}
	if f := c.compareRecords(e.Records); f != nil {
		return f
	}
	if f := c.compareAttachments(s.attachments); f != nil {
		return f
	}
	return c.compareParties(s)
}

// sameTime compares instants at the stored precision. When the events are
// too old to carry the change's own instant, the event's time stands in:
// it may be later than the change's, when the change waited for the audit
// lock, but never earlier, and not by more than a minute.
func (c *replayCase) sameTime(want, got time.Time) bool {
	want, got = want.Truncate(time.Microsecond), got.Truncate(time.Microsecond)
	if want.Equal(got) {
		return true
	}
	return c.loose && !got.After(want) && want.Sub(got) <= time.Minute
}

func (c *replayCase) sameOutcome(x, e *escalate.Outcome) bool {
	if x == nil || e == nil {
		return x == nil && e == nil
	}
	return x.Kind == e.Kind && x.Text == e.Text && x.OutstandingIssues == e.OutstandingIssues &&
		x.RedirectTo == e.RedirectTo && x.Reason == e.Reason && x.Decision == e.Decision && x.Report == e.Report && x.By == e.By &&
		c.sameTime(x.At, e.At) && (x.ConfirmedAt.IsZero() == e.ConfirmedAt.IsZero()) &&
		(x.ConfirmedAt.IsZero() || c.sameTime(x.ConfirmedAt, e.ConfirmedAt))
}

func (c *replayCase) sameImmediate(x, e *escalate.ImmediateAction) bool {
	if x == nil || e == nil {
		return x == nil && e == nil
	}
	return x.Action == e.Action && x.By == e.By && c.sameTime(x.At, e.At)
}

func (c *replayCase) compareClocks(got []escalate.ClockState) *ReplayFailure {
	want := c.esc.Clocks
	micro := func(t time.Time) time.Time { return t.Truncate(time.Microsecond) }
	for i := range max(len(want), len(got)) {
		switch {
		case i >= len(got):
			return c.fail(fmt.Sprintf("clock %d", want[i].ID), "an event starts it, but it is not stored")
		case i >= len(want):
			return c.fail(fmt.Sprintf("clock %d", got[i].ID), "stored, but no event starts it")
		}
		w, g := want[i], got[i]
		field := fmt.Sprintf("clock %d", w.ID)
		for _, ch := range []struct {
			what string
			ok   bool
		}{
			{"", w.ID == g.ID && w.Stage == g.Stage && w.Key == g.Key && w.Action == g.Action && w.By == g.By},
			{"within", w.Within == g.Within},
			{"start", micro(w.Start).Equal(g.Start)},
			{"due", w.Immediate == g.Immediate && micro(w.Due).Equal(g.Due)},
			{"explanation", w.Explanation == g.Explanation},
			{"status", w.Status == g.Status && micro(w.MetAt).Equal(g.MetAt)},
			{"shortened", w.ShortenedReason == g.ShortenedReason},
			{"recomputed", w.Recomputed == g.Recomputed},
		} {
			if !ch.ok {
				f := field
				if ch.what != "" {
					f += ": " + ch.what
				}
				return &ReplayFailure{Object: c.object, Field: f, Seq: c.set[field], Reason: "the stored value differs from what the events say"}
			}
		}
	}
	return nil
}

func (c *replayCase) compareRecords(got []escalate.Record) *ReplayFailure {
	want := c.esc.Records
	micro := func(t time.Time) time.Time { return t.Truncate(time.Microsecond) }
	for i := range max(len(want), len(got)) {
		switch {
		case i >= len(got):
			return c.fail(fmt.Sprintf("record %d", want[i].ID), "an event adds it, but it is not stored")
		case i >= len(want):
			return c.fail(fmt.Sprintf("record %d", got[i].ID), "stored, but no event adds it")
		}
		w, g := want[i], got[i]
		field := fmt.Sprintf("record %d", w.ID)
		for _, ch := range []struct {
			what string
			ok   bool
		}{
			{"", w.ID == g.ID && w.Stage == g.Stage && w.Corrects == g.Corrects},
			{"result", w.Result == g.Result},
			{"facilitator", w.Facilitator == g.Facilitator},
			{"at", micro(w.At).Equal(g.At)},
			{"form", w.Form == g.Form},
			{"participants", slices.Equal(w.Participants, g.Participants)},
			{"discussion", w.Discussion == g.Discussion},
			{"outcome", w.Outcome == g.Outcome},
			{"by", w.By == g.By},
			{"created", c.sameTime(w.Created, g.Created)},
			{"approval", w.ApprovedBy == g.ApprovedBy && micro(w.ApprovedAt).Equal(g.ApprovedAt)},
		} {
			if !ch.ok {
				f := field
				if ch.what != "" {
					f += ": " + ch.what
				}
				return &ReplayFailure{Object: c.object, Field: f, Seq: c.set[field], Reason: "the stored value differs from what the events say"}
			}
		}
	}
	return nil
}

func (c *replayCase) compareParties(s *storedCase) *ReplayFailure {
	for _, u := range sortedKeys(c.parties, s.parties) {
		field := fmt.Sprintf("party user %d", u)
		w, inEvents := c.parties[u]
		g, stored := s.parties[u]
		switch {
		case !stored:
			return c.fail(field, "an event names them a party, but the grant is not stored")
		case !inEvents:
			return c.fail(field, "stored as a party, but no event names them")
		case w.AddedBy != g.AddedBy || !c.sameTime(w.Added, g.Added):
			return c.fail(field, "the stored grant differs from what the events say")
		case w.RemovedBy != g.RemovedBy || w.Removed.IsZero() != g.Removed.IsZero() ||
			!w.Removed.IsZero() && !c.sameTime(w.Removed, g.Removed):
			return c.fail(field, "the stored removal differs from what the events say")
		}
	}
	for stage, w := range c.chairs {
		if g, ok := s.chairs[stage]; !ok || g.User != w.User || g.By != w.By || !c.sameTime(w.Appointed, g.Appointed) {
			return c.fail("meeting chair of "+stage, "the stored appointment differs from what the events say")
		}
	}
	for stage := range s.chairs {
		if _, ok := c.chairs[stage]; !ok {
			return c.fail("meeting chair of "+stage, "stored, but no event appoints them")
		}
	}
	for _, u := range sortedKeys(c.responses, s.responses) {
		field := fmt.Sprintf("learning response of user %d", u)
		w, inEvents := c.responses[u]
		g, stored := s.responses[u]
		switch {
		case !stored:
			return c.fail(field, "an event records it, but it is not stored")
		case !inEvents:
			return c.fail(field, "stored, but no event records it")
		case w != g:
			return c.fail(field, "the stored answer differs from what the events say")
		}
	}
	return nil
}

// compareErased checks a case erased under retention: the erasure is
// logged, and nothing personal is left on the row.
func (c *replayCase) compareErased(s *storedCase) *ReplayFailure {
	e := s.Escalation
	switch {
	case !c.erased:
		return c.fail("erased", "the case is marked erased, but no retention.erase event says so")
	case s.erased.IsZero():
		return c.fail("erased", "an event erased the case, but it is still stored in full")
	case e.ChildRef != "" || e.ChildInitials != "" || e.Issue != "" || e.Risk != "" || e.Disagreement != "" ||
		e.OutcomeSought != "" || e.Decision != "" || e.ReceivingContact != "" || e.Immediate != nil ||
		e.Outcome != nil && (e.Outcome.Text != "" || e.Outcome.OutstandingIssues != "" || e.Outcome.Reason != ""):
		return c.fail("erased", "the case is marked erased, but personal data is still stored on it")
	case e.Outcome != nil && e.Outcome.Report != "":
		return c.fail("erased", "the case is marked erased, but its meeting's report is still stored")
	case len(e.Records) > 0 || len(s.parties) > 0 || len(s.responses) > 0 || len(s.chairs) > 0 || len(s.attachments) > 0:
		return c.fail("erased", "the case is marked erased, but its records, parties, meeting chairs or attachments are still stored")
	}
	return nil
}

// sortedKeys returns the keys of a and b, once each, in order.
func sortedKeys[V1, V2 any](a map[int64]V1, b map[int64]V2) []int64 {
	var ks []int64
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}
