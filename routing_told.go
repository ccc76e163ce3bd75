package escalate

import "slices"

// Who is told of what. A person is told about an escalation only if they
// may open it (Parties.MayOpen), never of their own action, and a
// notification that would reach nobody is flagged instead (the store puts it
// on the undelivered list with the reason NobodyToTell gives).

// Notices that are not events of the lifecycle.
const (
	// NoticeNamed tells someone they were named to deal with a case.
	NoticeNamed = "escalation.party"
	// NoticeReminder and NoticeOverdue are the prompts of a running clock.
	NoticeReminder = "clock.reminder"
	NoticeOverdue  = "clock.overdue"
)

// Told returns who is told of action on escalation e (its state after the
// change), as parties ps worked out for that state: by ID, never actor.
// For NoticeNamed, subject is who was named; for a clock's notices, the
// clock's ID.
func (ps Parties) Told(p *Policy, e *Escalation, action string, actor, subject int64) []int64 {
	var out []int64
	add := func(ids ...int64) { out = append(out, ids...) }
	steps := func() {
		for _, s := range ps.Steps {
			add(s.People...)
		}
	}
	with := func(t Tie) {
		for id, x := range ps.ties {
			if x.ties&t != 0 {
				add(id)
			}
		}
	}
	switch action {
	case ActionRaise, ActionEscalate:
		steps()
		with(TieRaiser | TieNamed | TieCopied | TieAlerted)
	case ActionRiskImmediate:
		steps()
		with(TieRaiser | TieImmediate | TieAlerted)
		if line := ps.dir.Line(e.RaisedBy); len(line) > 0 {
			add(line[0].ID)
		}
	case ActionRecordAdd, ActionRecordApprove, ActionMeetingChair:
		steps()
		with(TieRaiser | TieNamed | TieCopied | TieMeetingChair)
		add(subject)
	case ActionOutcomeAgree, ActionOutcomeConfirm, ActionDetermine, ActionRedirect, ActionWithdraw:
		steps()
		with(TieRaiser | TieNamed | TieCopied | TieAlerted | TieMeetingChair | TieInvolved)
		if st := e.CurrentStage(p); st != nil {
			add(ps.stageActors()...)
		}
	case NoticeNamed:
		add(subject)
		with(TieRaiser)
	case ActionPartyRemove:
		steps()
		with(TieRaiser)
	case NoticeReminder, NoticeOverdue:
		people := ps.clockPeople(int(subject))
		add(people...)
		with(TieCopied)
		if action == NoticeOverdue {
			// The people on the clock and their line managers.
			for _, id := range people {
				if line := ps.dir.Line(id); len(line) > 0 {
					add(line[0].ID)
				}
			}
		}
	}
	out = uniq(out)
	return slices.DeleteFunc(out, func(id int64) bool {
		return id == actor || !ps.MayOpen(ps.dir.Person(id))
	})
}

// stageActors are the people acting for either side, now.
func (ps Parties) stageActors() []int64 {
	var out []int64
	for id, x := range ps.ties {
		if x.ties&TieActor != 0 {
			out = append(out, id)
		}
	}
	return out
}

// clockPeople are the people of the step for clock id; with no such step
// (the clock is not at the current stage) the raiser, so a prompt always
// reaches someone.
func (ps Parties) clockPeople(id int) []int64 {
	for _, s := range ps.Steps {
		if s.Kind == StepClock && s.Clock == id {
			return s.People
		}
	}
	for pid, x := range ps.ties {
		if x.ties&TieRaiser != 0 {
			return []int64{pid}
		}
	}
	return nil
}

// NobodyToTell says why a notification of action reached nobody, for the
// undelivered list.
func NobodyToTell(ps Parties, e *Escalation) string {
	if ps.NoReceiver {
		return "Nobody at " + ps.dir.AgencyName(e.ReceivingAgencyID) + " can receive escalations in Escalate, and the partnership has no Business Manager account."
	}
	return "Nobody who may open this escalation could be told: check that the roles the policy names at this stage are held by accounts."
}
