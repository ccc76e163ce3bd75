package escalate_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// The specification of routing for every built-in pack: who is tied to a
// case, who acts now and who is told, worked out from the policy, the case
// and a partnership's people. The partnership here has, at each of its
// agencies a (1 school, 2 children's social care, 3 health trust, 4 GP
// practice, 6 police), a practitioner a01 managed by a manager a02 managed by
// a senior manager a03, a safeguarding lead a04 (managed by a03) and a board
// member a05; the manager a02 is the agency's escalation contact. Health
// has a Designated Nurse (306), the GP practice a Named GP (406). The
// partnership's team (5) has the Business Manager 501, the Chair 502, the
// Vice Chair 503 and an administrator 504. Agency 7 (housing) has nobody.

const (
	school, care, health, gp, team, police, housing = 1, 2, 3, 4, 5, 6, 7
)

// pid is person a0n.
func pid(agency, n int64) int64 { return agency*100 + n }

func routeDir(extra ...escalate.Person) *escalate.Directory {
	people := slices.Clone(extra)
	var contacts []escalate.EscalationContact
	for _, a := range []int64{school, care, health, gp, police} {
		people = append(people,
			escalate.Person{ID: pid(a, 1), AgencyID: a, Name: "Practitioner", Roles: []escalate.Role{escalate.RolePractitioner}, ManagerID: pid(a, 2)},
			escalate.Person{ID: pid(a, 2), AgencyID: a, Name: "Manager", Roles: []escalate.Role{escalate.RoleManager}, ManagerID: pid(a, 3)},
			escalate.Person{ID: pid(a, 3), AgencyID: a, Name: "Senior", Roles: []escalate.Role{escalate.RoleSeniorManager}},
			escalate.Person{ID: pid(a, 4), AgencyID: a, Name: "Lead", Roles: []escalate.Role{escalate.RoleSafeguardingLead}, ManagerID: pid(a, 3)},
			escalate.Person{ID: pid(a, 5), AgencyID: a, Name: "Board", Roles: []escalate.Role{escalate.RoleBoardMember}},
		)
		contacts = append(contacts, escalate.EscalationContact{AgencyID: a, UserID: pid(a, 2)})
	}
	people = append(people,
		escalate.Person{ID: 306, AgencyID: health, Name: "Designated Nurse", Roles: []escalate.Role{escalate.RoleDesignatedNurse}},
		escalate.Person{ID: 406, AgencyID: gp, Name: "Named GP", Roles: []escalate.Role{escalate.RoleNamedGP}},
		escalate.Person{ID: 501, AgencyID: team, Name: "BM", Roles: []escalate.Role{escalate.RoleBusinessManager}},
		escalate.Person{ID: 502, AgencyID: team, Name: "Chair", Roles: []escalate.Role{escalate.RoleChair}},
		escalate.Person{ID: 503, AgencyID: team, Name: "Vice", Roles: []escalate.Role{escalate.RoleViceChair}},
		escalate.Person{ID: 504, AgencyID: team, Name: "Admin", Roles: []escalate.Role{escalate.RoleAdmin}},
	)
	agencies := []escalate.Agency{
		{ID: school, Name: "School", Kind: "school"}, {ID: care, Name: "Care", Kind: "childrens-social-care"},
		{ID: health, Name: "Health", Kind: "health-provider"}, {ID: gp, Name: "GP", Kind: "primary-care"},
		{ID: team, Name: "Team", Kind: "partnership"}, {ID: police, Name: "Police", Kind: "police"},
		{ID: housing, Name: "Housing", Kind: "housing"},
	}
	return escalate.NewDirectory(people, agencies, contacts)
}

// routeCase is one escalation of a pack as the store would keep it.
type routeCase struct {
	t   *testing.T
	p   *escalate.Policy
	cal *calendar.Calendar
	dir *escalate.Directory
	e   *escalate.Escalation
	inv escalate.Involvement
	now time.Time
}

// user is the account of person id, as a signed-in user.
func (c *routeCase) user(id int64) *escalate.User {
	p := c.dir.Person(id)
	if p == nil {
		c.t.Fatalf("no person %d", id)
	}
	return &escalate.User{ID: p.ID, PartnershipID: 1, AgencyID: p.AgencyID, Name: p.Name, Roles: p.Roles, ManagerID: p.ManagerID}
}

func newRouteCase(t *testing.T, pack string, against int64, mod func(*escalate.RaiseInput)) *routeCase {
	t.Helper()
	p, err := policy.Pack(pack)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.New(p.Calendar.Division)
	if err != nil {
		t.Fatal(err)
	}
	c := &routeCase{t: t, p: p, cal: cal, dir: routeDir(), now: t0}
	in := raiseInput()
	in.Categories, in.ReceivingAgencyID = []string{p.Categories[0].Key}, against
	if mod != nil {
		mod(&in)
	}
	e, _, err := escalate.Raise(t0, p, cal, c.user(pid(school, 1)), in)
	if err != nil {
		t.Fatalf("Raise: %v", err)
	}
	e.ID, e.Ref = 1, "T-1"
	c.e = e
	return c
}

func (c *routeCase) parties() escalate.Parties { return escalate.Route(c.p, c.e, c.dir, c.inv) }

// step returns who the first step of kind names, failing when there is none.
func (c *routeCase) step(kind string) escalate.Step {
	c.t.Helper()
	for _, s := range c.parties().Steps {
		if s.Kind == kind {
			return s
		}
	}
	c.t.Fatalf("no %s step in %+v", kind, c.parties().Steps)
	return escalate.Step{}
}

// clockStep returns the step of the running clock key.
func (c *routeCase) clockStep(key string) escalate.Step {
	c.t.Helper()
	for _, s := range c.parties().Steps {
		if s.Kind == escalate.StepClock && c.e.Clock(s.Clock).Key == key {
			return s
		}
	}
	c.t.Fatalf("no step for clock %s in %+v", key, c.parties().Steps)
	return escalate.Step{}
}

func (c *routeCase) record(by int64, result string) {
	c.t.Helper()
	c.now = c.now.Add(time.Hour)
	u := c.user(by)
	if _, err := c.e.AddRecord(c.now, c.p, c.cal, u, escalate.RecordInput{Version: c.e.Version, At: c.now, Form: escalate.FormMeeting,
		Participants: []string{"both"}, Discussion: "Discussed", Outcome: "Outcome", Result: result}); err != nil {
		c.t.Fatalf("record by %d: %v", by, err)
	}
	c.inv.Involved = append(c.inv.Involved, by)
}

func (c *routeCase) escalate(by int64) {
	c.t.Helper()
	c.now = c.now.Add(time.Hour)
	if !escalate.Can(c.user(by), c.e, c.parties(), escalate.ActionEscalate) {
		c.t.Fatalf("%d may not escalate", by)
	}
	if _, err := c.e.Escalate(c.now, c.p, c.cal, c.user(by), escalate.EscalateInput{Version: c.e.Version, Reason: "Not agreed"}); err != nil {
		c.t.Fatalf("escalate: %v", err)
	}
}

func ids(xs ...int64) []int64 { return xs }

func wantPeople(t *testing.T, what string, got, want []int64) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s: %v, want %v", what, g, w)
	}
}

// TestRoutingRedbridge walks Redbridge's ladder with nobody named by hand
// but by the people routing names.
func TestRoutingRedbridge(t *testing.T) {
	c := newRouteCase(t, "redbridge", care, nil)
	ps := c.parties()
	// Raised: the receiving agency's escalation contact must take it. Need
	// to know reaches up the line: the contact's senior manager may open
	// it, the agency's other staff may not.
	take := c.step(escalate.StepTake)
	wantPeople(t, "take", take.People, ids(pid(care, 2)))
	wantPeople(t, "respond", c.clockStep("respond").People, ids(pid(care, 2)))
	wantPeople(t, "told of the raise", ps.Told(c.p, c.e, escalate.ActionRaise, pid(school, 1), 0), ids(pid(care, 2)))
	for id, want := range map[int64]bool{
		pid(care, 2): true, pid(school, 2): true, pid(school, 3): true,
		pid(care, 1): false, pid(care, 3): true, pid(care, 4): false, 502: true, 504: false, pid(police, 2): false,
	} {
		if got := ps.MayOpen(c.dir.Person(id)); got != want {
			t.Errorf("at raise, %d may open: %v, want %v", id, got, want)
		}
	}
	// The contact names their practitioner, who now acts.
	c.inv.Named = ids(pid(care, 1))
	wantPeople(t, "respond after naming", c.clockStep("respond").People, ids(pid(care, 1)))
	if c.parties().ActsNow(pid(care, 2)) {
		t.Error("the contact still acts after naming someone")
	}
	// A discussion that does not settle it: Redbridge 4.5, escalate the
	// same working day.
	c.record(pid(care, 1), escalate.ResultNotAgreed)
	esc := c.clockStep("escalate")
	wantPeople(t, "escalate after not agreeing", esc.People, ids(pid(school, 1)))
	if got, want := esc.Due, london(2026, 11, 2, 17, 0); !got.Equal(want) {
		t.Errorf("escalate due %v, want %v (the same working day)", got, want)
	}
	c.escalate(pid(school, 1))
	if clockByKey(t, c.e, "stage-1", "escalate").Status != escalate.ClockMet {
		t.Error("escalating did not meet the not-agreed clock")
	}
	// Stage 2: the line managers of the raiser and of who was named.
	wantPeople(t, "stage 2 escalate", c.clockStep("escalate").People, ids(pid(school, 2)))
	wantPeople(t, "stage 2 resolve", c.clockStep("resolve").People, ids(pid(care, 2)))
	c.record(pid(care, 2), escalate.ResultNotAgreed)
	c.escalate(pid(school, 2))
	// Stage 3: the senior managers resolve it together (the raising one
	// has no clock of their own until they cannot agree), and the Business
	// Manager is copied in.
	wantPeople(t, "stage 3 resolve", c.clockStep("resolve").People, ids(pid(school, 3), pid(care, 3)))
	if told := c.parties().Told(c.p, c.e, escalate.ActionEscalate, pid(school, 2), 0); !slices.Contains(told, pid(school, 3)) {
		t.Errorf("the raising senior manager, who acts at stage 3, is not told: %v", told)
	}
	if c.parties().Ties(501)&escalate.TieCopied == 0 {
		t.Error("Business Manager not copied in at stage 3")
	}
	c.record(pid(care, 3), escalate.ResultNotAgreed)
	refer := c.clockStep("refer")
	wantPeople(t, "refer to the Chair", refer.People, ids(pid(school, 3)))
	c.escalate(pid(school, 3))
	// Stage 4 (4.9): the senior manager refers through the Business
	// Manager, whose record of the referral counts and starts the Chair's
	// 5 working days.
	wantPeople(t, "stage 4 refer", c.clockStep("refer").People, ids(pid(school, 3), 501))
	// The Chair is not told until the referral: whose turn it is is who is
	// told.
	if told := c.parties().Told(c.p, c.e, escalate.ActionEscalate, pid(school, 3), 0); slices.Contains(told, 502) || slices.Contains(told, 503) {
		t.Errorf("the Chair is told of stage 4 before the Business Manager's referral: %v", told)
	}
	c.record(501, "")
	if clockByKey(t, c.e, "stage-4", "refer").Status != escalate.ClockMet {
		t.Fatal("the Business Manager's record of the referral did not meet the refer clock")
	}
	rec := c.clockStep("recommend")
	wantPeople(t, "Chair's recommendations", rec.People, ids(502, 503))
	told := c.parties().Told(c.p, c.e, escalate.ActionRecordAdd, 501, 0)
	if !slices.Contains(told, 502) || !slices.Contains(told, 503) {
		t.Errorf("Chair and Vice Chair not told of the referral: %v", told)
	}
	if slices.Contains(told, pid(care, 1)) && !c.parties().MayOpen(c.dir.Person(pid(care, 1))) {
		t.Error("told someone who may not open the case")
	}
}

// TestRoutingNoReceiver: against an agency nobody can receive for, the
// Business Manager routes it and is the one told.
func TestRoutingNoReceiver(t *testing.T) {
	c := newRouteCase(t, "redbridge", housing, nil)
	ps := c.parties()
	if !ps.NoReceiver {
		t.Fatal("NoReceiver not set")
	}
	route := c.step(escalate.StepRoute)
	wantPeople(t, "route", route.People, ids(501))
	wantPeople(t, "told of the raise", ps.Told(c.p, c.e, escalate.ActionRaise, pid(school, 1), 0), ids(501))
}

// TestRoutingHammersmithFulham: a health provider's case alerts the
// Designated Nurse, who may read it but not act; a GP practice's, the Named
// GP too. Immediate risk tells the raiser's line manager and the route's
// posts at the raising agency, and they may open the case.
func TestRoutingHammersmithFulham(t *testing.T) {
	c := newRouteCase(t, "hammersmith-fulham", health, nil)
	ps := c.parties()
	nurse := c.dir.Person(306)
	if !ps.MayOpen(nurse) || ps.Ties(306)&escalate.TieAlerted == 0 {
		t.Fatal("Designated Nurse cannot open a health provider's case")
	}
	if escalate.Can(c.user(306), c.e, ps, escalate.ActionRecordAdd) {
		t.Error("the alerted Designated Nurse may act")
	}
	if told := ps.Told(c.p, c.e, escalate.ActionRaise, pid(school, 1), 0); !slices.Contains(told, 306) {
		t.Errorf("Designated Nurse not told: %v", told)
	}
	g := newRouteCase(t, "hammersmith-fulham", gp, nil)
	wantPeople(t, "alerted for primary care", g.parties().With(escalate.TieAlerted), ids(306, 406))
	im := newRouteCase(t, "hammersmith-fulham", care, func(in *escalate.RaiseInput) {
		in.RiskLevel, in.ImmediateAction = escalate.RiskImmediate, "Called 999 at 10:05"
	})
	told := im.parties().Told(im.p, im.e, escalate.ActionRiskImmediate, pid(school, 1), 0)
	if !slices.Contains(told, pid(school, 2)) {
		t.Errorf("raiser's line manager not told of immediate risk: %v", told)
	}
	for _, id := range told {
		if !im.parties().MayOpen(im.dir.Person(id)) {
			t.Errorf("told %d of immediate risk, who may not open the case", id)
		}
	}
}

// TestRoutingHounslow: stage 1 is the raiser's own line manager, before the
// other agency hears of it; stage 5's chair is appointed by the Chair from an
// agency not involved, then holds the meeting and records its outcome.
func TestRoutingHounslow(t *testing.T) {
	c := newRouteCase(t, "hounslow", care, nil)
	ps := c.parties()
	if !ps.WithinAgency {
		t.Fatal("stage 1 is not within the agency")
	}
	if ps.MayOpen(c.dir.Person(pid(care, 2))) {
		t.Error("the receiving agency's contact is brought in at stage 1, before talking to the other agency")
	}
	// Consulting the line manager is something the two do together: the
	// manager acts too.
	wantPeople(t, "stage 1 consult", c.clockStep("consult").People, ids(pid(school, 1), pid(school, 2)))
	if told := ps.Told(c.p, c.e, escalate.ActionRaise, pid(school, 1), 0); !slices.Contains(told, pid(school, 2)) {
		t.Errorf("the raiser's line manager, who acts at stage 1, is not told: %v", told)
	}
	for c.e.Stage < len(c.p.Stages)-1 {
		c.escalate(pid(school, 1))
	}
	appoint := c.step(escalate.StepAppoint)
	wantPeople(t, "appoint", appoint.People, ids(502, 503))
	if !strings.Contains(appoint.What, "Appoint a board member from an agency not involved") {
		t.Errorf("appoint step says %q, not the policy's chair role", appoint.What)
	}
	// The step names whatever role the policy wants in the chair.
	st := &c.p.Stages[c.e.Stage]
	m := *st.Meeting
	m.Chair = escalate.RoleIndependentScrutineer
	saved := st.Meeting
	st.Meeting = &m
	if what := c.step(escalate.StepAppoint).What; !strings.Contains(what, "Appoint an independent scrutineer from an agency not involved") {
		t.Errorf("with an independent scrutineer in the chair, the appoint step says %q", what)
	}
	st.Meeting = saved
	choices := escalate.MeetingChairChoices(c.p, c.e, c.parties())
	var got []int64
	for _, p := range choices {
		got = append(got, p.ID)
	}
	wantPeople(t, "meeting chair choices", got, ids(pid(health, 5), pid(gp, 5), pid(police, 5)))
	if err := escalate.CheckMeetingChair(c.p, c.e, c.dir.Person(pid(care, 5))); escalate.ErrorField(err) != "user" {
		t.Errorf("a board member of an involved agency may chair: %v", err)
	}
	c.inv.MeetingChair = pid(police, 5)
	// The appointed chair holds the meeting, with the raising agency's
	// senior manager, who attends; the Chair who appointed does not act.
	wantPeople(t, "meeting", c.clockStep("meet").People, ids(pid(police, 5), pid(school, 3)))
	chairUser := c.user(pid(police, 5))
	if !escalate.Can(chairUser, c.e, c.parties(), escalate.ActionOutcomeAgree) {
		t.Error("the meeting's chair may not record its outcome")
	}
	c.record(pid(police, 5), "")
	wantPeople(t, "meeting's outcome", c.step(escalate.StepOutcome).People, ids(pid(police, 5)))
}

// TestRoutingWirral: stage 3's conflict resolution meeting is the agencies'
// board representatives with their senior managers; stage 4 the Chair.
func TestRoutingWirral(t *testing.T) {
	c := newRouteCase(t, "wirral", care, nil)
	c.inv.Named = ids(pid(care, 1))
	c.escalate(pid(school, 1))
	c.escalate(pid(school, 2))
	meet := c.clockStep("meet")
	for _, id := range ids(pid(school, 5), pid(care, 5), pid(care, 3)) {
		if !slices.Contains(meet.People, id) {
			t.Errorf("%d not at the conflict resolution meeting: %v", id, meet.People)
		}
	}
	if !c.parties().MayOpen(c.dir.Person(pid(school, 3))) {
		t.Error("the raising senior manager who takes it to stage 3 cannot open it")
	}
	if err := escalate.MayBeNamed(c.p, c.e, c.dir.Person(pid(police, 5))); err != nil {
		t.Errorf("a board member, a role stage 3 names, cannot be named: %v", err)
	}
	c.escalate(pid(school, 5))
	wantPeople(t, "determination", c.clockStep("determine").People, ids(502))
}

// TestRoutingSurrey: at stage 1 the receiving front line is found through
// the contact; everyone is told only what they may open.
func TestRoutingSurrey(t *testing.T) {
	c := newRouteCase(t, "surrey", police, nil)
	wantPeople(t, "take", c.step(escalate.StepTake).People, ids(pid(police, 2)))
	c.inv.Named = ids(pid(police, 1))
	c.record(pid(police, 1), escalate.ResultAgreed)
	out := c.step(escalate.StepOutcome)
	wantPeople(t, "record the agreed outcome", out.People, ids(pid(police, 1)))
}

// TestMayBeNamed: one rule for naming.
func TestMayBeNamed(t *testing.T) {
	c := newRouteCase(t, "redbridge", care, nil)
	for _, tt := range []struct {
		name string
		id   int64
		ok   bool
	}{
		{"OKReceivingPractitioner", pid(care, 1), true},
		{"OKRaisingManager", pid(school, 2), true},
		{"ErrAdministrator", 504, false},
		{"ErrUninvolvedAgency", pid(police, 1), false},
		{"ErrPartnershipRoleNotNamedHere", 502, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := escalate.MayBeNamed(c.p, c.e, c.dir.Person(tt.id))
			if (err == nil) != tt.ok {
				t.Fatalf("MayBeNamed(%d) = %v", tt.id, err)
			}
			if err != nil {
				assertCode(t, err, escalate.EINVALID, "user")
			}
		})
	}
	for _, p := range escalate.NameChoices(c.p, c.e, c.parties()) {
		if p.OnlyAdministers() || p.AgencyID != school && p.AgencyID != care {
			t.Errorf("NameChoices offers %d (%s)", p.ID, p.Name)
		}
	}
}

// TestEveryStepNamesPeople: in every pack, at every stage, every open
// escalation has a next step, and each names people.
func TestEveryStepNamesPeople(t *testing.T) {
	for _, info := range policy.Packs() {
		id := info.ID
		t.Run(id, func(t *testing.T) {
			c := newRouteCase(t, id, care, nil)
			for {
				steps := c.parties().Steps
				if len(steps) == 0 {
					t.Fatalf("no next step at %s", c.e.CurrentStage(c.p).Key)
				}
				for _, s := range steps {
					if len(s.People) == 0 || s.What == "" {
						t.Errorf("at %s, step %+v names nobody", c.e.CurrentStage(c.p).Key, s)
					}
				}
				if c.e.Stage == len(c.p.Stages)-1 {
					break
				}
				c.escalate(pid(school, 1))
			}
		})
	}
}
