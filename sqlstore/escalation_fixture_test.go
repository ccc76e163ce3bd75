package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// world is a partnership following a built-in pack, with three agencies and
// people in each, and a second partnership with an outsider.
//
//	school (raising):   prac → mgr → senior; dsl
//	social care (receiving): rprac → rmgr → rsenior; rdsl; rmgr is its escalation contact
//	police (uninvolved): bm (business manager), chair, vice, stranger, board (board member)
//	elsewhere:          outsider
type world struct {
	db       *DB
	svc      *EscalationService
	p        *escalate.Partnership
	pol      *escalate.Policy
	agencies map[string]*escalate.Agency
	users    map[string]*escalate.User
}

func newWorld(t *testing.T, db *DB, pack string) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, svc: NewEscalationService(db), agencies: map[string]*escalate.Agency{}, users: map[string]*escalate.User{}}
	w.p, w.pol = mustPackPartnership(t, db, pack, pack)
	for _, a := range []struct{ key, name, kind string }{
		{"school", "Northside School", "school"},
		{"care", "Children's Social Care", "childrens-social-care"},
		{"police", "Police", "police"},
	} {
		ag := &escalate.Agency{PartnershipID: w.p.ID, Name: a.name, Kind: a.kind}
		if err := db.CreateAgency(ctx, ag); err != nil {
			t.Fatal(err)
		}
		w.agencies[a.key] = ag
	}
	for _, u := range []struct {
		key, agency, manager string
		roles                []escalate.Role
	}{
		{"senior", "school", "", []escalate.Role{escalate.RoleSeniorManager}},
		{"mgr", "school", "senior", []escalate.Role{escalate.RoleManager}},
		{"prac", "school", "mgr", []escalate.Role{escalate.RolePractitioner}},
		{"dsl", "school", "", []escalate.Role{escalate.RoleSafeguardingLead}},
		{"rsenior", "care", "", []escalate.Role{escalate.RoleSeniorManager}},
		{"rmgr", "care", "rsenior", []escalate.Role{escalate.RoleManager}},
		{"rprac", "care", "rmgr", []escalate.Role{escalate.RolePractitioner}},
		{"rdsl", "care", "", []escalate.Role{escalate.RoleSafeguardingLead}},
		{"bm", "police", "", []escalate.Role{escalate.RoleBusinessManager}},
		{"chair", "police", "", []escalate.Role{escalate.RoleChair}},
		{"vice", "police", "", []escalate.Role{escalate.RoleViceChair}},
		{"stranger", "police", "", []escalate.Role{escalate.RolePractitioner}},
		{"board", "police", "", []escalate.Role{escalate.RoleBoardMember}},
	} {
		user := &escalate.User{PartnershipID: w.p.ID, AgencyID: w.agencies[u.agency].ID,
			Name: "User " + u.key, Email: u.key + "@example.org", Roles: u.roles}
		if u.manager != "" {
			user.ManagerID = w.users[u.manager].ID
		}
		if err := db.CreateUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		w.users[u.key] = user
	}
	// Social care's escalation contact, who receives new escalations.
	if err := db.AddEscalationContact(ctx, w.agencies["care"].ID, w.users["rmgr"].ID); err != nil {
		t.Fatal(err)
	}
	// Someone from another partnership, on the same pack.
	other, _ := mustPackPartnership(t, db, pack, "other-"+pack)
	oa := &escalate.Agency{PartnershipID: other.ID, Name: "Other School", Kind: "school"}
	if err := db.CreateAgency(ctx, oa); err != nil {
		t.Fatal(err)
	}
	out := &escalate.User{PartnershipID: other.ID, AgencyID: oa.ID, Name: "Outsider", Email: "out@example.org",
		Roles: []escalate.Role{escalate.RoleBusinessManager, escalate.RoleManager}}
	if err := db.CreateUser(ctx, out); err != nil {
		t.Fatal(err)
	}
	w.users["outsider"] = out
	return w
}

func mustPackPartnership(t *testing.T, db *DB, pack, key string) (*escalate.Partnership, *escalate.Policy) {
	t.Helper()
	raw, err := policy.PackSource(pack)
	if err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Pack(pack)
	if err != nil {
		t.Fatal(err)
	}
	p := &escalate.Partnership{Key: key, Name: "Partnership " + key}
	if err := db.CreatePartnership(context.Background(), p, pol, raw); err != nil {
		t.Fatal(err)
	}
	return p, pol
}

// as returns a context acting as the named user.
func (w *world) as(name string) context.Context {
	u, ok := w.users[name]
	if !ok {
		panic("no user " + name)
	}
	return escalate.NewContextWithUser(context.Background(), u)
}

// raiseInput is a valid raise against the receiving agency under w's policy.
func (w *world) raiseInput(risk escalate.RiskLevel) escalate.RaiseInput {
	in := escalate.RaiseInput{
		RaisedRole:        escalate.RolePractitioner,
		ReceivingAgencyID: w.agencies["care"].ID,
		ReceivingContact:  "duty social worker",
		Decision:          "No further action after the referral of 20 December.",
		DecisionDate:      "2026-12-22",
		ChildRef:          "SCH-0042",
		ChildInitials:     "JS",
		Categories:        []string{w.pol.Categories[0].Key},
		Issue:             "The referral was closed without an assessment.",
		Risk:              "Continued neglect at home.",
		Disagreement:      "The threshold was applied wrongly.",
		OutcomeSought:     "A child and family assessment.",
		RiskLevel:         risk,
	}
	if risk == escalate.RiskImmediate {
		in.ImmediateAction = "Referred to the front door at 10:20."
	}
	return in
}

// mustRaise raises an escalation as prac.
func (w *world) mustRaise(t *testing.T, risk escalate.RiskLevel) *escalate.Escalation {
	t.Helper()
	e, err := w.svc.Raise(w.as("prac"), w.raiseInput(risk))
	if err != nil {
		t.Fatalf("Raise: %v", err)
	}
	return e
}

// record is a valid record input against version v.
func recordIn(v int, form string) escalate.RecordInput {
	return escalate.RecordInput{
		Version: v, At: testNow.Add(-time.Hour), Form: form,
		Participants: []string{"Raiser", "Duty social worker"},
		Discussion:   "Discussed the referral and the evidence of neglect.",
		Outcome:      "Agreed to look again at the threshold.",
	}
}

// counts returns the number of rows in every table a change may write.
func rowCounts(t *testing.T, db *DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"escalations", "clocks", "records", "outbox", "audit_events",
		"audit_content", "escalation_refs", "escalation_parties", "escalation_people", "escalation_meeting_chairs", "agency_contacts"} {
		var n int
		if err := db.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// unchanged fails t unless the row counts are those of before.
func wantUnchanged(t *testing.T, db *DB, before map[string]int) {
	t.Helper()
	after := rowCounts(t, db)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d rows before, %d after: a refused change wrote something", k, v, after[k])
		}
	}
}

// wantCode fails t unless err has the code, and for EINVALID names field.
func wantEscErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := escalate.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if field != "" && escalate.ErrorField(err) != field {
		t.Fatalf("error field = %q (%v), want %q", escalate.ErrorField(err), err, field)
	}
}

// mustVerify checks the audit chain is intact.
func mustVerifyAudit(t *testing.T, db *DB) {
	t.Helper()
	rep, err := db.VerifyAudit(context.Background(), "")
	if err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	if rep.N == 0 {
		t.Fatal("audit chain is empty")
	}
}

// actions returns the audit actions recorded against escalation ref, in order.
func escActions(t *testing.T, db *DB, ref string) []string {
	t.Helper()
	rows, err := db.db.Query(`SELECT action FROM audit_events WHERE object = $1 ORDER BY seq`, "escalation:"+ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func countOf(xs []string, x string) int {
	n := 0
	for _, s := range xs {
		if s == x {
			n++
		}
	}
	return n
}
