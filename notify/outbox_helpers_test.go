package notify_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testenv"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
)

// testNow is a Thursday in London; the stores' clocks start there.
var testNow = time.Date(2026, time.December, 24, 15, 30, 0, 0, time.UTC)

// openSQLite returns a fresh migrated SQLite store.
func openSQLite(t testing.TB) *sqlstore.DB {
	t.Helper()
	return openMigrated(t, filepath.Join(t.TempDir(), "escalate.db"))
}

// postgresURL returns the URL of a new database on the test server,
// dropped when t ends; skipped (failed in CI) without one.
var pgSeq atomic.Int64

func postgresURL(t testing.TB) string {
	t.Helper()
	raw := testenv.PostgresURL(t)
	admin, err := sql.Open("pgx", raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("escalate_notify_%d_%d", os.Getpid(), pgSeq.Add(1))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func openMigrated(t testing.TB, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return testNow }
	return db
}

// world is a Redbridge partnership with a school raising against social
// care, and the people who hear of it.
type world struct {
	db    *sqlstore.DB
	svc   *sqlstore.EscalationService
	p     *escalate.Partnership
	pol   *escalate.Policy
	ag    map[string]*escalate.Agency
	users map[string]*escalate.User
}

func newWorld(t testing.TB, db *sqlstore.DB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{db: db, svc: sqlstore.NewEscalationService(db), ag: map[string]*escalate.Agency{},
		users: map[string]*escalate.User{}}
	raw, err := policy.PackSource("redbridge")
	if err != nil {
		t.Fatal(err)
	}
	if w.pol, err = policy.Pack("redbridge"); err != nil {
		t.Fatal(err)
	}
	w.p = &escalate.Partnership{Key: "redbridge", Name: "Redbridge"}
	if err := db.CreatePartnership(ctx, w.p, w.pol, raw); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct{ key, name, kind string }{
		{"school", "Northside School", "school"},
		{"care", "Children's Social Care", "childrens-social-care"},
		{"police", "Police", "police"},
	} {
		ag := &escalate.Agency{PartnershipID: w.p.ID, Name: a.name, Kind: a.kind}
		if err := db.CreateAgency(ctx, ag); err != nil {
			t.Fatal(err)
		}
		w.ag[a.key] = ag
	}
	for _, u := range []struct {
		key, agency, manager string
		role                 escalate.Role
	}{
		{"mgr", "school", "", escalate.RoleManager},
		{"prac", "school", "mgr", escalate.RolePractitioner},
		{"dsl", "school", "", escalate.RoleSafeguardingLead},
		{"rprac", "care", "", escalate.RolePractitioner},
		{"rmgr", "care", "", escalate.RoleManager},
		{"bm", "police", "", escalate.RoleBusinessManager},
	} {
		user := &escalate.User{PartnershipID: w.p.ID, AgencyID: w.ag[u.agency].ID, Name: "User " + u.key,
			Email: u.key + "@example.org", Roles: []escalate.Role{u.role}}
		if u.manager != "" {
			user.ManagerID = w.users[u.manager].ID
		}
		if err := db.CreateUser(ctx, user); err != nil {
			t.Fatal(err)
		}
		w.users[u.key] = user
	}
	return w
}

// The child data of every raise: none of it may reach an email.
const (
	childRef      = "SCH-CHILD-9931"
	childInitials = "QZ"
	childIssue    = "Bruising seen on the forearm during PE"
	childRisk     = "Unexplained injuries at home"
)

func (w *world) raise(t testing.TB, risk escalate.RiskLevel) *escalate.Escalation {
	t.Helper()
	in := escalate.RaiseInput{
		RaisedRole: escalate.RolePractitioner, ReceivingAgencyID: w.ag["care"].ID,
		ReceivingContact: "duty social worker", Decision: "No further action after the referral.",
		DecisionDate: "2026-12-22", ChildRef: childRef, ChildInitials: childInitials,
		Categories: []string{w.pol.Categories[0].Key}, Issue: childIssue, Risk: childRisk,
		Disagreement: "The threshold was applied wrongly.", OutcomeSought: "An assessment.", RiskLevel: risk,
		DealtWith: w.users["rprac"].ID, // the raiser says whom they dealt with there
	}
	if risk == escalate.RiskImmediate {
		in.ImmediateAction = "Referred to the front door at 10:20."
	}
	e, err := w.svc.Raise(escalate.NewContextWithUser(context.Background(), w.users["prac"]), in)
	if err != nil {
		t.Fatalf("Raise: %v", err)
	}
	return e
}

// clock is a test clock the worker reads; tests move it on.
type clock struct{ t atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.t.Store(t.UnixNano())
	return c
}
func (c *clock) Now() time.Time      { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) Add(d time.Duration) { c.t.Add(int64(d)) }
