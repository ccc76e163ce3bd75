package escalate

import (
	"slices"
	"time"
)

// GoodPractice is one professional's recognition of another agency's good
// practice (Hertfordshire's policy opens with this route): what the other
// agency did that kept a child safe. That agency's people named by the
// policy's good_practice.tell are told, and the board report counts it. It
// names no child: it is about practice, not a case.
type GoodPractice struct {
	ID            int64
	PartnershipID int64
	By            int64 // who recorded it
	FromAgencyID  int64 // the recorder's agency
	AgencyID      int64 // the agency recognised
	What          string
	Difference    string // the difference it made, optional
	At            time.Time
}

// GoodPracticeEntry is a recognition with the names a page shows.
type GoodPracticeEntry struct {
	GoodPractice
	ByName, FromAgency, Agency string
}

// GoodPracticeInput is the form to recognise another agency's good practice.
type GoodPracticeInput struct {
	AgencyID   int64
	What       string
	Difference string
}

// Validate checks the form's own fields.
func (in GoodPracticeInput) Validate() error {
	if in.AgencyID == 0 {
		return FieldErrorf("agency", "Choose the agency whose practice you are recognising.")
	}
	if err := checkText("what", "What the agency did well", in.What, true, MaxText); err != nil {
		return err
	}
	return checkText("difference", "The difference it made", in.Difference, false, MaxText)
}

// RecogniseGoodPractice records actor's recognition of another agency's good
// practice under policy p. The policy must have the route
// (good_practice), and the agency must be another one than the actor's: the
// store checks that it is of the actor's partnership.
func RecogniseGoodPractice(now time.Time, p *Policy, actor *User, in GoodPracticeInput) (*GoodPractice, Event, error) {
	if err := checkActor(actor, 0); err != nil {
		return nil, Event{}, err
	}
	if p == nil || p.GoodPractice == nil {
		return nil, Event{}, Errorf(EINVALID, "Your partnership's policy has no route for recognising good practice.")
	}
	if err := in.Validate(); err != nil {
		return nil, Event{}, err
	}
	if in.AgencyID == actor.AgencyID {
		return nil, Event{}, FieldErrorf("agency", "Choose another agency: this is for recognising another agency's good practice.")
	}
	g := &GoodPractice{PartnershipID: actor.PartnershipID, By: actor.ID, FromAgencyID: actor.AgencyID,
		AgencyID: in.AgencyID, What: in.What, Difference: in.Difference, At: now}
	ev := Event{At: now, Actor: actor.ID, Action: ActionGoodPractice, Data: map[string]any{
		"agency": in.AgencyID, "from_agency": actor.AgencyID, "what": in.What, "difference": in.Difference}}
	return g, ev, nil
}

// GoodPracticeTell is who at the recognised agency is told: the policy's
// good_practice.tell, or its manager.
func GoodPracticeTell(p *Policy) []Role {
	if p == nil || p.GoodPractice == nil || len(p.GoodPractice.Tell) == 0 {
		return []Role{RoleManager}
	}
	return p.GoodPractice.Tell
}

// ActionGoodPractice is the audit action of a recognition of good practice.
const ActionGoodPractice = "good-practice.record"

// CanSeeGoodPractice reports whether u may read recognition g: who
// recorded it, anyone at the agency it recognises, and the partnership's
// oversight roles; never an account that only administers the service.
func CanSeeGoodPractice(u *User, g *GoodPractice) bool {
	if u == nil || u.Disabled || g == nil || u.PartnershipID != g.PartnershipID {
		return false
	}
	if !slices.ContainsFunc(u.Roles, func(r Role) bool { return r != RoleAdmin }) {
		return false
	}
	if u.ID == g.By || u.AgencyID == g.AgencyID {
		return true
	}
	for _, r := range Oversight {
		if u.HasRole(r) {
			return true
		}
	}
	return false
}

// GoodPracticeTold returns who of the partnership's people in dir is told
// of recognition g under p: the holders of good_practice.tell (GoodPracticeTell)
// at the agency recognised, or, with none there, the Business Managers, so
// that it reaches someone. Only people who may read it (CanSeeGoodPractice)
// are told, and never who recorded it.
func GoodPracticeTold(p *Policy, g *GoodPractice, dir *Directory) []int64 {
	tell := GoodPracticeTell(p)
	may := func(pp *Person) bool {
		u := &User{ID: pp.ID, PartnershipID: g.PartnershipID, AgencyID: pp.AgencyID, Roles: pp.Roles, Disabled: pp.Disabled}
		return pp.ID != g.By && CanSeeGoodPractice(u, g)
	}
	var out []int64
	for _, pp := range dir.People() {
		if pp.AgencyID == g.AgencyID && slices.ContainsFunc(tell, pp.HasRole) && may(pp) {
			out = append(out, pp.ID)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, id := range dir.Holders(RoleBusinessManager, 0) {
		if pp := dir.Person(id); pp != nil && may(pp) {
			out = append(out, id)
		}
	}
	return out
}
