package web

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// The raise journey's routing questions: a strategic or policy issue the
// policy refers alongside (H&F), who the raiser dealt with at the other
// agency (chosen from its people, or left to its escalation contacts, with
// a warning when nobody there can receive it), and a deadline that protects
// the child when the risk is raised.

// agencyPeople are the people of an agency a raiser may name as the one
// they dealt with, and the agency's escalation contacts.
type agencyPeople struct {
	people   []*escalate.User
	contacts []*escalate.User
}

// peopleOf returns agency id's people and escalation contacts, where the
// server keeps them (PartnershipStore, EscalationContactStore).
func (s *Server) peopleOf(ctx context.Context, partnershipID, agencyID int64) (*agencyPeople, error) {
	out := &agencyPeople{}
	if s.org == nil {
		return out, nil
	}
	us, err := s.org.Users(ctx, partnershipID)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		if u.AgencyID == agencyID && !u.Disabled && !(&escalate.Person{Roles: u.Roles}).OnlyAdministers() {
			out.people = append(out.people, u)
		}
	}
	slices.SortFunc(out.people, func(a, b *escalate.User) int { return strings.Compare(a.Name, b.Name) })
	if cs, ok := s.org.(EscalationContactStore); ok {
		all, err := cs.EscalationContacts(ctx, partnershipID)
		if err != nil {
			return nil, err
		}
		for _, u := range all[agencyID] {
			if !u.Disabled {
				out.contacts = append(out.contacts, u)
			}
		}
	}
	return out, nil
}

// receivable reports whether anyone at the agency can receive an
// escalation: an escalation contact, or someone who may be named.
func (ap *agencyPeople) receivable() bool { return len(ap.contacts) > 0 }

// alongsideChosen are the redirects referred alongside that were answered
// yes on the scope page.
func (rc *raiseCtx) alongsideChosen() []escalate.Redirect {
	return slices.DeleteFunc(rc.redirects(), func(rd escalate.Redirect) bool {
		return !rd.Alongside || rc.draft.Scope[rd.Key] != "yes"
	})
}

// referred are the keys referred alongside the disagreement, which
// carries on.
func (rc *raiseCtx) referred() []string {
	var out []string
	for _, rd := range rc.alongsideChosen() {
		if rc.draft.Alongside[rd.Key] == "yes" {
			out = append(out, rd.Key)
		}
	}
	return out
}

func alongsideForm(rc *raiseCtx) *raisePage {
	pg := &raisePage{Heading: "Is there also a disagreement about the child?", Button: "Continue"}
	for _, rd := range rc.alongsideChosen() {
		id := "alongside-" + rd.Key
		pg.Lead = append(pg.Lead, "You said: "+strings.TrimSuffix(rd.Question, "?")+". That goes to "+rd.To+
			". If there is also a disagreement about what keeps this child safe, it carries on here as well, and the issue is referred alongside it.")
		pg.Fields = append(pg.Fields, &raiseField{ID: id, Name: id, Kind: "radios",
			Label:   "Is there also a disagreement with another agency about what keeps this child safe?",
			Options: yesNo(id, rc.draft.Alongside[rd.Key])})
	}
	return pg
}

func readAlongside(rc *raiseCtx, f url.Values) []fieldError {
	rc.draft.Alongside = map[string]string{}
	var errs []fieldError
	for _, rd := range rc.alongsideChosen() {
		v := f.Get("alongside-" + rd.Key)
		if v != "yes" && v != "no" {
			errs = append(errs, fieldError{"alongside-" + rd.Key, "Select yes if there is also a disagreement about the child"})
			continue
		}
		rc.draft.Alongside[rd.Key] = v
	}
	return errs
}

func whoForm(rc *raiseCtx) *raisePage {
	name := rc.agencyName(rc.draft.AgencyID)
	pg := &raisePage{Heading: "Who did you deal with at " + name + "?", Button: "Continue"}
	ap := rc.people
	if ap == nil {
		ap = &agencyPeople{}
	}
	if !ap.receivable() {
		pg.Warning = "Nobody at " + name + " can receive disagreements in Escalate yet. If you carry on, the partnership's Business Manager is told at once and finds who deals with it there."
	} else {
		pg.Lead = []string{"If you leave this, " + name + "'s escalation contact (" + userNames(ap.contacts) + ") is told at once and takes it or names who deals with it."}
	}
	opts := []*raiseOption{{Value: "", Text: "Leave it to " + name + "'s escalation contact"}}
	for _, u := range ap.people {
		v := strconv.FormatInt(u.ID, 10)
		opts = append(opts, &raiseOption{Value: v, Text: u.Name + " (" + roleNamesList(u.Roles) + ")", Checked: u.ID == rc.draft.DealtWith})
	}
	pg.Fields = []*raiseField{{ID: "dealt_with", Name: "dealt_with", Kind: "select", Options: opts,
		Label: "The person you dealt with (optional)",
		Hint:  "They are told about the disagreement and can act on it. Listed by name and role."}}
	return pg
}

func readWho(rc *raiseCtx, f url.Values) []fieldError {
	rc.draft.DealtWith = 0
	v := f.Get("dealt_with")
	if v == "" {
		return nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || rc.people == nil || !slices.ContainsFunc(rc.people.people, func(u *escalate.User) bool { return u.ID == id }) {
		return []fieldError{{"dealt_with", "Choose someone from the list, or leave it to the agency's escalation contact"}}
	}
	rc.draft.DealtWith = id
	return nil
}

// elevated reports whether the child is at increased or immediate risk.
func (rc *raiseCtx) elevated() bool {
	return rc.draft.Immediate == "yes" || rc.draft.RiskLevel == string(escalate.RiskIncreased)
}

func protectByForm(rc *raiseCtx) *raisePage {
	pg := &raisePage{Heading: "A deadline that protects the child", Button: "Continue"}
	if len(rc.policy.Stages) > 0 {
		var shorter, usual []string
		for _, c := range rc.policy.Stages[0].Clocks {
			a := strings.TrimSuffix(c.Action, ".")
			if c.Increased != "" {
				shorter = append(shorter, a+": "+c.Increased+" instead of "+c.Within)
			} else {
				usual = append(usual, a+": "+c.Within)
			}
		}
		if len(shorter) > 0 {
			pg.Lead = append(pg.Lead, "Because the child is at greater risk, the policy's shorter timescales apply at stage 1: "+strings.Join(shorter, "; ")+".")
		}
		if len(usual) > 0 {
			pg.Lead = append(pg.Lead, "The policy has no shorter timescale for "+strings.Join(usual, "; ")+". Those usual timescales apply unless you set an earlier deadline here.")
		}
	}
	pg.Lead = append(pg.Lead, "The policy allows a shorter timescale that protects the child, whichever is shorter. Every deadline later than the one you set is brought forward to it.")
	d := rc.draft
	pg.Fields = []*raiseField{
		{ID: "protect_by", Name: "protect_by", Kind: "date", Date: [3]string{d.ProtectDay, d.ProtectMonth, d.ProtectYear},
			Label: "By when must this be settled to protect the child? (optional)", Hint: "For example, 27 3 2026. Leave it blank to keep the policy's timescales."},
		{ID: "protect_time", Name: "protect_time", Kind: "text", Width: "govuk-input--width-5", Value: d.ProtectTime,
			Label: "At what time? (optional)", Hint: "For example, 14:30. Leave blank for the end of the working day (17:00)."},
	}
	return pg
}

func readProtectBy(rc *raiseCtx, f url.Values) []fieldError {
	d := rc.draft
	d.ProtectDay, d.ProtectMonth, d.ProtectYear = strings.TrimSpace(f.Get("protect_by-day")),
		strings.TrimSpace(f.Get("protect_by-month")), strings.TrimSpace(f.Get("protect_by-year"))
	d.ProtectTime = strings.TrimSpace(f.Get("protect_time"))
	d.ProtectBy = time.Time{}
	if d.ProtectDay == "" && d.ProtectMonth == "" && d.ProtectYear == "" {
		if d.ProtectTime != "" {
			return []fieldError{{"protect_by", "Enter the date as well as the time, or leave both blank"}}
		}
		return nil
	}
	date, msg := decisionDate(d.ProtectDay, d.ProtectMonth, d.ProtectYear)
	if msg != "" {
		return []fieldError{{"protect_by", strings.Replace(msg, "The date of the decision", "The deadline", 1)}}
	}
	h, m := 17, 0
	if d.ProtectTime != "" {
		t, err := time.Parse("15:04", d.ProtectTime)
		if err != nil {
			return []fieldError{{"protect_time", "Enter the time as hours and minutes, for example 14:30"}}
		}
		h, m = t.Hour(), t.Minute()
	}
	day, _ := calendar.ParseDate(date)
	at := day.At(h, m)
	if !at.After(rc.now) {
		return []fieldError{{"protect_by", "The deadline must be later than now"}}
	}
	d.ProtectBy = at
	return nil
}

// userNames joins users' names.
func userNames(us []*escalate.User) string {
	var ns []string
	for _, u := range us {
		ns = append(ns, u.Name)
	}
	return strings.Join(ns, ", ")
}
