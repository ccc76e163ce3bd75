package escalate

import (
	"cmp"
	"slices"
)

// Routing: the one rule that says, from the policy, the case and the
// partnership's people, who is tied to an escalation and how, who acts now
// (routing_steps.go) and who is told of each change (routing_told.go).
// Access checks (Can), notifications, My work and the pages all ask it, so
// they cannot disagree. doc/lifecycle.md, "Routing", is its specification
// in words; routing_test.go is its specification in tables.

// Involvement is what the store knows about an escalation's people beyond
// the escalation itself: who was named to deal with it, who took part, and
// who was appointed to chair its meeting.
type Involvement struct {
	// Named are the people named to deal with the escalation, or who took
	// it, and have not been removed.
	Named []int64
	// Involved are the people who added or approved a record or recorded
	// its outcome. Recording an immediate action involves nobody: it is
	// open to anyone who can see the case and grants nothing.
	Involved []int64
	// MeetingChair is the board member appointed to chair the current
	// stage's meeting (Hounslow stage 5), 0 for none.
	MeetingChair int64
}

// Tie is one way a person is connected to an escalation; a person may have
// several.
type Tie uint16

// The ties.
const (
	TieRaiser       Tie = 1 << iota // raised it
	TieRaiserLine                   // in the raiser's management line
	TieNamed                        // named to deal with it, or took it
	TieNamedLine                    // in the line of someone named at the receiving agency
	TieInvolved                     // added or approved a record, or recorded the outcome
	TieContact                      // an escalation contact of the receiving agency
	TieActor                        // holds a role a stage reached names, for one side
	TieMeetingChair                 // appointed to chair the stage's meeting
	TieCopied                       // copied in at a stage reached
	TieAlerted                      // alerted by a routing rule (H&F's Designated Nurse)
	TieImmediate                    // on the policy's immediate-risk route at the raising agency
	TieLine                         // in the management line of someone else who acts for an agency
)

// tiesThatAct are the ties that make someone a party who may act; the
// others only let them read the case and record an immediate action.
const tiesThatAct = TieRaiser | TieRaiserLine | TieNamed | TieNamedLine | TieInvolved | TieContact | TieActor | TieMeetingChair | TieLine

// Sides a person may act for.
const (
	sideRaising uint8 = 1 << iota
	sideReceiving
	sidePartnership
)

// SidePartnership is the side of the partnership's own roles (the Business
// Manager, the Chair), which belong to neither agency.
const SidePartnership = "partnership"

type tie struct {
	ties  Tie
	sides uint8
}

// Parties is who is tied to one escalation and how, and what must happen
// next, as Route works it out. The zero Parties ties nobody.
type Parties struct {
	// WithinAgency is true when the current stage is within the raising
	// agency (Hounslow stage 1: the worker's own line manager).
	WithinAgency bool
	// Steps are what must happen next and whose turn it is; every open
	// escalation has at least one, each naming people (see Step).
	Steps []Step
	// NoReceiver is true when nobody at the receiving agency can receive
	// the escalation in Escalate: no escalation contact, nobody named and
	// nobody holding a role the stage names. The Business Manager routes it.
	NoReceiver bool

	ties map[int64]tie
	dir  *Directory
}

// Ties returns how person id is tied to the escalation (0: not at all).
func (ps Parties) Ties(id int64) Tie { return ps.ties[id].ties }

// Directory returns the directory the parties were worked out from.
func (ps Parties) Directory() *Directory { return ps.dir }

// People returns everyone tied to the escalation, by ID.
func (ps Parties) People() []int64 {
	out := make([]int64, 0, len(ps.ties))
	for id := range ps.ties {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// With returns, by ID, the people with any of the ties t.
func (ps Parties) With(t Tie) []int64 {
	var out []int64
	for id, x := range ps.ties {
		if x.ties&t != 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// ActsNow reports whether person id is named by one of the next steps.
func (ps Parties) ActsNow(id int64) bool {
	return slices.ContainsFunc(ps.Steps, func(s Step) bool { return slices.Contains(s.People, id) })
}

// MayOpen reports whether u may open the escalation: anyone tied to it,
// and the partnership's oversight roles. The same rule as Can's
// ActionView, for a Person.
func (ps Parties) MayOpen(u *Person) bool {
	if u == nil || u.Disabled {
		return false
	}
	return ps.ties[u.ID].ties != 0 || slices.ContainsFunc(Oversight, u.HasRole)
}

// Oversight are the roles that oversee every escalation of their partnership.
// The delegated safeguarding partners oversee as the chair did: under Working
// Together 2023 they run the arrangements.
var Oversight = []Role{RoleBusinessManager, RoleChair, RoleViceChair, RoleDelegatedSafeguardingPartner}

// router works out the Parties of one escalation.
type router struct {
	p   *Policy
	e   *Escalation
	dir *Directory
	inv Involvement
	ps  Parties
	// acting are who act for the raising and the receiving side at the
	// current stage, as steps works them out.
	acting [2][]int64
}

// Route works out who is tied to escalation e under its pinned policy p,
// from the partnership's directory and what the store knows of its
// involvement, and what must happen next.
func Route(p *Policy, e *Escalation, dir *Directory, inv Involvement) Parties {
	if dir == nil {
		dir = NewDirectory(nil, nil, nil)
	}
	r := &router{p: p, e: e, dir: dir, inv: inv, ps: Parties{ties: map[int64]tie{}, dir: dir}}
	st := e.CurrentStage(p)
	r.ps.WithinAgency = st != nil && st.Scope == "within-agency"
	r.add(TieRaiser, sideRaising, e.RaisedBy)
	r.addPeople(TieRaiserLine, sideRaising, dir.Line(e.RaisedBy))
	for _, id := range inv.Named {
		side := r.sideOf(id)
		r.add(TieNamed, side, id)
		if side == sideReceiving {
			r.addPeople(TieNamedLine, sideReceiving, dir.Line(id))
		}
	}
	for _, id := range inv.Involved {
		r.add(TieInvolved, r.sideOf(id), id)
	}
	if inv.MeetingChair != 0 {
		r.add(TieMeetingChair, sidePartnership, inv.MeetingChair)
	}
	if r.reachedOtherAgency() {
		r.add(TieContact, sideReceiving, dir.Contacts(e.ReceivingAgencyID)...)
	}
	for i := 0; i <= e.Stage && i < len(p.Stages); i++ {
		s := &p.Stages[i]
		r.add(TieActor, sideRaising, r.actors(s, sideRaising)...)
		r.add(TieActor, sideReceiving, r.actors(s, sideReceiving)...)
		for _, role := range s.Copy {
			r.add(TieCopied, 0, r.holders(role, 0, nil)...)
		}
		if m := s.Meeting; m != nil && !m.UninvolvedChair && m.Chair != "" {
			r.add(TieActor, sidePartnership, r.meetingChairs(s)...)
		}
	}
	if e.RiskLevel == RiskImmediate || e.Immediate != nil {
		for _, role := range p.Immediate.Contacts {
			r.add(TieImmediate, 0, r.holders(role, e.RaisingAgencyID, []int64{e.RaisedBy})...)
		}
	}
	r.add(TieAlerted, 0, r.alerted()...)
	if !e.Status.Closed() && st != nil {
		r.ps.Steps = r.steps(st)
	}
	// Need to know reaches up the management line: the line managers of
	// everyone who acts for either agency may open the case and act.
	for _, id := range r.ps.People() {
		x := r.ps.ties[id]
		if x.ties&tiesThatAct == 0 || x.sides&(sideRaising|sideReceiving) == 0 {
			continue
		}
		for _, m := range dir.Line(id) {
			if m.AgencyID == e.RaisingAgencyID || m.AgencyID == e.ReceivingAgencyID {
				r.add(TieLine, r.sideOf(m.ID), m.ID)
			}
		}
	}
	return r.ps
}

// add ties the people ids with t on side (0: no side).
func (r *router) add(t Tie, side uint8, ids ...int64) {
	for _, id := range ids {
		if id == 0 {
			continue
		}
		x := r.ps.ties[id]
		x.ties |= t
		x.sides |= side
		r.ps.ties[id] = x
	}
}

func (r *router) addPeople(t Tie, side uint8, ps []*Person) {
	for _, p := range ps {
		r.add(t, side, p.ID)
	}
}

// sideOf is the side a person's agency is on: the partnership's for
// someone from neither agency.
func (r *router) sideOf(id int64) uint8 {
	p := r.dir.Person(id)
	switch {
	case p == nil:
		return 0
	case p.AgencyID == r.e.RaisingAgencyID:
		return sideRaising
	case p.AgencyID == r.e.ReceivingAgencyID:
		return sideReceiving
	}
	return sidePartnership
}

// reachedOtherAgency reports whether the escalation has reached a stage
// between the agencies; until then (Hounslow stage 1) the receiving agency
// is not brought in.
func (r *router) reachedOtherAgency() bool {
	for i := 0; i <= r.e.Stage && i < len(r.p.Stages); i++ {
		if r.p.Stages[i].Scope != "within-agency" {
			return true
		}
	}
	return false
}

// named returns the people named at agency.
func (r *router) named(agency int64) []int64 {
	var out []int64
	for _, id := range r.inv.Named {
		if p := r.dir.Person(id); p != nil && !p.Disabled && p.AgencyID == agency {
			out = append(out, id)
		}
	}
	return out
}

// actors are who act for side at stage s, from the roles it names for that
// side. At a stage within the raising agency the "receiving" roles are the
// raiser's own line (Hounslow stage 1: their line manager).
func (r *router) actors(s *Stage, side uint8) []int64 {
	roles, agency, anchors := s.Raising, r.e.RaisingAgencyID, []int64{r.e.RaisedBy}
	if side == sideReceiving {
		roles = s.Receive
		if s.Scope != "within-agency" {
			agency, anchors = r.e.ReceivingAgencyID, r.named(r.e.ReceivingAgencyID)
		}
	}
	var out []int64
	for _, role := range roles {
		if role == RolePractitioner {
			if side == sideRaising {
				out = append(out, r.e.RaisedBy)
			} else if s.Scope != "within-agency" {
				out = append(out, anchors...)
			}
			continue
		}
		out = append(out, r.holders(role, agency, anchors)...)
	}
	return uniq(out)
}

// holders resolves role r for a side at agency: a partnership role to its
// holders (a board member: the one of agency, when it has one); another
// role to the nearest holder in the line of the side's anchors (the raiser,
// or who was named at the receiving agency), an anchor holding it
// themselves, or else every holder at the agency. agency 0: both agencies.
func (r *router) holders(role Role, agency int64, anchors []int64) []int64 {
	if IsPartnershipRole(role) {
		if role == RoleBoardMember && agency != 0 {
			if at := r.dir.Holders(role, agency); len(at) > 0 {
				return at
			}
		}
		return r.dir.Holders(role, 0)
	}
	if agency == 0 {
		return append(r.dir.Holders(role, r.e.RaisingAgencyID), r.dir.Holders(role, r.e.ReceivingAgencyID)...)
	}
	var out []int64
	for _, a := range anchors {
		if p := r.dir.Person(a); p != nil && !p.Disabled && p.HasRole(role) {
			out = append(out, a)
			continue
		}
		for _, m := range r.dir.Line(a) {
			if m.HasRole(role) && m.AgencyID == agency {
				out = append(out, m.ID)
				break
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	return r.dir.Holders(role, agency)
}

// meetingChairs are who chair stage s's meeting: the person appointed, or
// else the holders of the meeting's chair role at either agency (Wirral
// stage 3: the agencies' board representatives).
func (r *router) meetingChairs(s *Stage) []int64 {
	if r.inv.MeetingChair != 0 {
		return []int64{r.inv.MeetingChair}
	}
	if s.Meeting == nil || s.Meeting.Chair == "" || s.Meeting.UninvolvedChair {
		return nil
	}
	return uniq(append(r.holders(s.Meeting.Chair, r.e.RaisingAgencyID, nil), r.holders(s.Meeting.Chair, r.e.ReceivingAgencyID, nil)...))
}

// alerted are the holders, anywhere in the partnership, of the roles a
// routing rule alerts when either agency is of its kind.
func (r *router) alerted() []int64 {
	kinds := []string{r.dir.AgencyKind(r.e.RaisingAgencyID), r.dir.AgencyKind(r.e.ReceivingAgencyID)}
	var out []int64
	for _, rule := range r.p.Routing {
		if k := rule.When.AgencyKind; k != "" && slices.Contains(kinds, k) {
			for _, role := range rule.Alert {
				out = append(out, r.dir.Holders(role, 0)...)
			}
		}
	}
	return uniq(out)
}

// uniq sorts ids and drops repeats and zeros.
func uniq(ids []int64) []int64 {
	slices.SortFunc(ids, cmp.Compare[int64])
	ids = slices.Compact(ids)
	return slices.DeleteFunc(ids, func(id int64) bool { return id == 0 })
}
