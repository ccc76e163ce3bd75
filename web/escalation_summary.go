package web

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// The top of the escalation page (doc/web.md, "The case page"): who the
// case is about and between whom, where it stands, and the next step with
// its button, so that on a laptop's screen the summary and the next step
// show without scrolling; then the stages as a GOV.UK task list.

// stageItem is one of the policy's stages in the page's task list.
type stageItem struct {
	Name    string // "Stage 2: Line managers"
	Status  string // "Done", "Now", "Not reached", "Resolved here" …
	Tag     string // a govuk-tag class for the current stage; "" for plain text
	Current bool
}

// stageItems are the pinned policy's stages as the case has gone through
// them.
func (v *caseView) stageItems() []stageItem {
	e, p := v.E, v.Policy
	out := make([]stageItem, len(p.Stages))
	for i, st := range p.Stages {
		it := stageItem{Name: "Stage " + strconv.Itoa(i+1) + ": " + st.Name}
		switch {
		case i < e.Stage:
			it.Status = "Done"
		case i == e.Stage && !e.Status.Closed():
			it.Status, it.Tag, it.Current = "Now", "govuk-tag--blue", true
		case i == e.Stage:
			it.Status, it.Tag, it.Current = e.Status.Words()+" here", statusTags[e.Status], true
		default:
			it.Status = "Not reached"
		}
		out[i] = it
	}
	return out
}

// between says who disagrees with whom: "Demo Primary School (raised by
// Alex Demo-Practitioner, practitioner) with Demo Children's Social Care".
func (v *caseView) between() string {
	e := v.E
	return v.Agencies[e.RaisingAgencyID] + " (raised by " + v.People[e.RaisedBy] + ", " +
		policy.RoleName(v.Policy, e.RaisedRole) + ") with " + v.Agencies[e.ReceivingAgencyID]
}

// childShort names the child as the summary does: "DEMO-1014 (initials
// DF)" or "MAT 2211 (unborn baby due March 2027)".
func childShort(e *escalate.Escalation) string {
	if e.ChildExpected != "" && e.ChildInitials == "" {
		return e.ChildRef + " (unborn baby due " + monthWords(e.ChildExpected) + ")"
	}
	return e.ChildRef + " (initials " + e.ChildInitials + ")"
}

// stepActions are the escalation actions that carry out each kind of next
// step, most likely first.
var stepActions = map[string][]string{
	escalate.StepRoute:    {partyPath},
	escalate.StepAppoint:  {"meeting-chair"},
	escalate.StepClock:    {"confirm", "approve", "record"},
	escalate.StepOutcome:  {"agree", "determine", "record"},
	escalate.StepSettle:   {"agree", "escalate", "record"},
	escalate.StepEscalate: {"escalate"},
	escalate.StepDecide:   {"determine"},
}

// nextButton is the button of the first next step the signed-in user is
// to take, among the actions d offers them: "Confirm the outcome in
// writing", "Escalate to the next stage". None when it is not their turn
// (the page still lists what they may do).
func (v *caseView) nextButton(ctx context.Context, d *escalationData) *actionLink {
	u := escalate.UserFromContext(ctx)
	if u == nil || v.E.Status.Closed() {
		return nil
	}
	for _, st := range v.Parties.Steps {
		if !slices.Contains(st.People, u.ID) {
			continue
		}
		for _, path := range stepActions[st.Kind] {
			for _, a := range d.Actions {
				if strings.HasSuffix(a.Href, "/"+path) {
					a := a
					return &a
				}
			}
		}
	}
	return nil
}
