package escalate

import "slices"

// Naming who deals with an escalation is one rule, used by the pages and the
// API alike: who may be named (people at the raising or receiving agency, or
// holders of the partnership roles the current stage names; never an account
// that only administers), and who may name, replace or remove them (the
// parties who act for either side, and the Business Manager).

// MayBeNamed checks that person may be named to deal with e at its current
// stage: not the raiser, who always deals with it. The error is EINVALID on
// field "user", saying why.
func MayBeNamed(p *Policy, e *Escalation, person *Person) error {
	switch {
	case person == nil || person.Disabled:
		return FieldErrorf("user", "There is no such person in this partnership.")
	case person.OnlyAdministers():
		return FieldErrorf("user", "%s administers the service and does not deal with cases.", person.Name)
	case person.ID == e.RaisedBy:
		return FieldErrorf("user", "%s raised this escalation and is already dealing with it.", person.Name)
	case person.AgencyID == e.RaisingAgencyID || person.AgencyID == e.ReceivingAgencyID:
		return nil
	}
	if st := e.CurrentStage(p); st != nil && slices.ContainsFunc(stageRoles(st), func(r Role) bool {
		return IsPartnershipRole(r) && person.HasRole(r)
	}) {
		return nil
	}
	return FieldErrorf("user", "%s is not at either agency and holds no role this stage names: choose someone from the list.", person.Name)
}

// stageRoles are every role stage st names: both sides, its meeting's chair
// and attendees.
func stageRoles(st *Stage) []Role {
	rs := slices.Concat(st.Raising, st.Receive)
	if m := st.Meeting; m != nil {
		rs = append(append(rs, m.Chair), m.Attendees...)
	}
	return rs
}

// NameChoices returns the people who may be named to deal with e now and
// are not already named (nor the raiser, who always is a party), receiving agency first, then the raising agency,
// then the partnership's, each group by name.
func NameChoices(p *Policy, e *Escalation, ps Parties) []*Person {
	var recv, rais, other []*Person
	for _, person := range ps.dir.People() {
		if ps.ties[person.ID].ties&TieNamed != 0 || MayBeNamed(p, e, person) != nil {
			continue
		}
		switch person.AgencyID {
		case e.ReceivingAgencyID:
			recv = append(recv, person)
		case e.RaisingAgencyID:
			rais = append(rais, person)
		default:
			other = append(other, person)
		}
	}
	byName := func(a, b *Person) int {
		if a.Name < b.Name {
			return -1
		} else if a.Name > b.Name {
			return 1
		}
		return 0
	}
	for _, g := range [][]*Person{recv, rais, other} {
		slices.SortFunc(g, byName)
	}
	return slices.Concat(recv, rais, other)
}

// CheckMeetingChair checks that person may chair stage's meeting of e: the
// stage has a meeting chaired from an agency not involved, and person holds
// the meeting's chair role at neither agency.
func CheckMeetingChair(p *Policy, e *Escalation, person *Person) error {
	st := e.CurrentStage(p)
	if st == nil || st.Meeting == nil || !st.Meeting.UninvolvedChair {
		return Errorf(EINVALID, "This stage has no meeting whose chair is appointed.")
	}
	switch {
	case person == nil || person.Disabled:
		return FieldErrorf("user", "There is no such person in this partnership.")
	case person.AgencyID == e.RaisingAgencyID || person.AgencyID == e.ReceivingAgencyID:
		return FieldErrorf("user", "%s works at an agency involved in the disagreement: the policy wants a chair from an agency not involved.", person.Name)
	case !person.HasRole(st.Meeting.Chair):
		return FieldErrorf("user", "%s is not a %s.", person.Name, st.Meeting.Chair)
	}
	return nil
}

// MeetingChairChoices returns who may be appointed to chair e's meeting.
func MeetingChairChoices(p *Policy, e *Escalation, ps Parties) []*Person {
	var out []*Person
	for _, person := range ps.dir.People() {
		if CheckMeetingChair(p, e, person) == nil {
			out = append(out, person)
		}
	}
	return out
}
