package escalate

import (
	"slices"
	"time"
)

// Access actions that are not events.
const (
	// ActionList is seeing that an escalation exists, in a list.
	ActionList = "escalation.list"
)

// Can reports whether actor may take action (an Event action, e.g.
// ActionView, ActionRecordAdd) on e, whose parties Route worked out. For
// ActionRaise, e may be nil. Nothing crosses partnerships, disabled accounts
// may do nothing, and a closed escalation may only be viewed. The rules
// themselves check what a role must hold (approvers) and what the case must
// be (open, right stage); Can decides who is a party at all. See
// doc/lifecycle.md, "Routing" and "Who may do what".
func Can(actor *User, e *Escalation, ps Parties, action string) bool {
	if actor == nil || actor.Disabled {
		return false
	}
	if action == ActionRaise {
		return slices.ContainsFunc(actor.Roles, func(r Role) bool { return r != RoleAdmin })
	}
	if e == nil || actor.PartnershipID != e.PartnershipID {
		return false
	}
	t := ps.ties[actor.ID]
	party := t.ties&tiesThatAct != 0
	raising := t.sides&sideRaising != 0 && party
	receiving := t.sides&sideReceiving != 0 && party
	oversight := slices.ContainsFunc(Oversight, actor.HasRole)
	bm := actor.HasRole(RoleBusinessManager)
	sees := t.ties != 0 || oversight

	switch action {
	case ActionView, ActionList:
		return sees
	case ActionRiskImmediate:
		// Anyone who can see the case may record what they did to protect
		// the child, even after it closed; it grants nothing else.
		return sees
	case ActionLearningRecord:
		// The learning step comes after closure, for those who could
		// record on the case while it was open.
		return e.Status.Closed() && (party || bm)
	}
	if e.Status.Closed() {
		return false
	}
	switch action {
	case ActionRecordAdd, ActionRiskRaise, ActionRiskLower, ActionClockShorten:
		return party || bm
	case ActionRecordApprove:
		return (party || bm) && slices.ContainsFunc(Approvers, actor.HasRole)
	case ActionOutcomeAgree, ActionOutcomeConfirm:
		// The receiving side confirms the agreed outcome; at a stage within
		// the raising agency there is no receiving side yet, so the
		// raiser's management line agrees it; at a meeting, its chair.
		if ps.WithinAgency {
			return t.ties&TieRaiserLine != 0 || t.ties&TieActor != 0 && t.ties&TieRaiser == 0 && raising
		}
		return receiving || t.ties&TieMeetingChair != 0 || t.ties&TieActor != 0 && t.sides&sidePartnership != 0
	case ActionEscalate:
		// Either side may escalate when they cannot agree; the Business
		// Manager refers to the Chair (Redbridge 4.9).
		return party || bm
	case ActionRedirect:
		return raising || bm
	case ActionWithdraw:
		return t.ties&(TieRaiser|TieRaiserLine) != 0
	case ActionDetermine:
		// The independent scrutineer too, where a stage names them and so
		// they act on the case (mediating its final stage).
		return oversight || party && actor.HasRole(RoleIndependentScrutineer)
	case ActionPartyName, ActionPartyRemove:
		return raising || receiving || bm
	case ActionMeetingChair:
		return actor.HasRole(RoleChair) || actor.HasRole(RoleViceChair) || bm
	case ActionClockRecompute:
		return actor.HasRole(RoleAdmin) || bm
	}
	return false
}

// ViewEvent returns the event that records actor viewing e: need to know is
// audited, so every read of a case leaves a trace.
func ViewEvent(now time.Time, actor *User, e *Escalation) Event {
	ev := Event{At: now, Action: ActionView, Ref: e.Ref, Data: map[string]any{"stage": e.Stage, "version": e.Version}}
	if actor != nil {
		ev.Actor = actor.ID
	}
	return ev
}
