package demo_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/demo"
	"github.com/escalate-project/escalate/policy"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// testNow is the demo's present in these tests: a Wednesday morning.
var testNow = time.Date(2026, 11, 18, 11, 0, 0, 0, time.UTC)

const testPassword = "otter-lantern-quartz-fern"

// mustSeed seeds a new SQLite file at now and returns the open database,
// its path and what Seed made.
func mustSeed(t *testing.T, now time.Time) (*sqlstore.DB, string, *demo.Result) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := demo.Seed(ctx, db, now, testPassword)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return db, path, res
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	db, path, res := mustSeed(t, testNow)
	if db.Now().Sub(time.Now()).Abs() > time.Minute {
		t.Errorf("db.Now not restored: reads %v", db.Now())
	}

	t.Run("Partnerships", func(t *testing.T) {
		ps, err := db.Partnerships(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, p := range ps {
			got = append(got, p.PolicyID)
		}
		for _, info := range policy.Packs() {
			want = append(want, info.ID)
		}
		if !slices.Equal(got, want) || len(res.Partnerships) != len(want) {
			t.Fatalf("partnerships follow %v (result has %d), want one for each pack %v", got, len(res.Partnerships), want)
		}
	})

	for _, rp := range res.Partnerships {
		t.Run(rp.Key, func(t *testing.T) {
			p, err := db.FindPartnership(ctx, rp.Key)
			if err != nil {
				t.Fatal(err)
			}
			pol, err := policy.Pack(p.PolicyID)
			if err != nil {
				t.Fatal(err)
			}
			users, err := db.Users(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantEveryRole(t, users, rp, pol)
			wantContacts(t, db, p.ID, pol)
			wantStates(t, db, users, pol)
			wantSomethingToSee(t, db, users, rp)
		})
	}

	t.Run("AuditVerifies", func(t *testing.T) {
		rep, err := db.VerifyAudit(ctx, "")
		if err != nil {
			t.Fatalf("audit chain: %v", err)
		}
		if rep.N < 500 {
			t.Errorf("audit chain has %d entries; the seeding should have written hundreds", rep.N)
		}
		// The seeded record is what its events say, routing's people
		// (named, removed, meeting chairs, escalation contacts) included.
		replay, err := db.VerifyRecords(ctx)
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if replay.Escalations == 0 || replay.AgencyContacts == 0 {
			t.Errorf("replayed %+v; the demo has escalations and escalation contacts", replay)
		}
	})

	t.Run("NoSeedPersonalData", func(t *testing.T) { wantNoSeedData(t, path) })

	t.Run("SignInWorks", func(t *testing.T) {
		s := &sqlstore.Sessions{DB: db, Idle: time.Hour, Lifetime: time.Hour}
		a := res.Partnerships[len(res.Partnerships)-1].SignIns[0]
		if _, u, err := s.SignIn(ctx, a.Email, testPassword, "127.0.0.1", ""); err != nil || u.Email != a.Email {
			t.Fatalf("SignIn(%s): %v, %+v", a.Email, err, u)
		}
		if _, _, err := s.SignIn(ctx, a.Email, testPassword+"x", "127.0.0.1", ""); escalate.ErrorCode(err) != escalate.EUNAUTHORIZED {
			t.Fatalf("SignIn with a wrong password: %v", err)
		}
	})
}

// wantEveryRole checks every role the demo prints a sign-in for is held in
// the partnership, that the printed sign-ins are real accounts of those
// roles, and that every practitioner has a line manager.
func wantEveryRole(t *testing.T, users []*escalate.User, rp demo.Partnership, pol *escalate.Policy) {
	t.Helper()
	byEmail := map[string]*escalate.User{}
	held := map[escalate.Role]int{}
	for _, u := range users {
		byEmail[u.Email] = u
		for _, r := range u.Roles {
			held[r]++
		}
		if u.HasRole(escalate.RolePractitioner) && u.ManagerID == 0 {
			t.Errorf("practitioner %s has no line manager", u.Name)
		}
		if !strings.HasSuffix(u.Email, ".example") || !strings.Contains(u.Name, "Demo-") {
			t.Errorf("user %q <%s> does not look fictional", u.Name, u.Email)
		}
	}
	var roles []escalate.Role
	for _, r := range demo.SignInRoles {
		if demo.Uses(pol, r) {
			roles = append(roles, r)
		}
		if held[r] == 0 {
			t.Errorf("no one holds %s", r)
		}
	}
	if len(rp.SignIns) != len(roles) {
		t.Fatalf("%d sign-ins, want one per role the policy uses (%d)", len(rp.SignIns), len(roles))
	}
	for i, a := range rp.SignIns {
		u := byEmail[a.Email]
		if a.Role != roles[i] || u == nil || !u.HasRole(a.Role) || u.Name != a.Name {
			t.Errorf("sign-in %+v is not an account holding %s", a, roles[i])
		}
	}
	if err := web.CheckNewPassword(testPassword, web.PasswordContext{PartnershipKey: rp.Key, PartnershipName: rp.Name}); err != nil {
		t.Errorf("the test password would not pass the password policy: %v", err)
	}
}

// wantContacts checks the directory holds someone for the immediate-risk
// route's roles that it could fill.
func wantContacts(t *testing.T, db *sqlstore.DB, pid int64, pol *escalate.Policy) {
	t.Helper()
	cs, err := db.Contacts(context.Background(), pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 10 {
		t.Errorf("%d contacts, want at least 10", len(cs))
	}
	for _, c := range cs {
		if !strings.HasSuffix(c.Email, ".example") || !strings.HasPrefix(c.Phone, "020 7946 0") {
			t.Errorf("contact %s <%s> %s does not look fictional", c.Name, c.Email, c.Phone)
		}
	}
	for _, d := range pol.Roles {
		if !slices.ContainsFunc(cs, func(c *escalate.Contact) bool { return c.Role == d.Key }) {
			t.Errorf("no contact for the policy's role %s", d.Key)
		}
	}
}

// wantStates lists the partnership's escalations as its Business Manager,
// who oversees them all, and checks every state is there.
func wantStates(t *testing.T, db *sqlstore.DB, users []*escalate.User, pol *escalate.Policy) {
	t.Helper()
	i := slices.IndexFunc(users, func(u *escalate.User) bool { return u.HasRole(escalate.RoleBusinessManager) })
	ctx := escalate.NewContextWithUser(context.Background(), users[i])
	svc := sqlstore.NewEscalationService(db)
	all, n, err := svc.List(ctx, escalate.EscalationFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if n < 12 || n != len(all) {
		t.Fatalf("%d escalations (%d listed), want about a dozen", n, len(all))
	}
	openAt := make([]int, len(pol.Stages))
	status := map[escalate.Status]int{}
	immediate := 0
	for _, e := range all {
		status[e.Status]++
		if e.Status == escalate.StatusOpen {
			openAt[e.Stage]++
		}
		if e.Immediate != nil {
			immediate++
		}
		if !regexp.MustCompile(`^DEMO-\d+$`).MatchString(e.ChildRef) {
			t.Errorf("child ref %q is not a demo reference", e.ChildRef)
		}
	}
	for st, k := range openAt {
		if k == 0 {
			t.Errorf("no open escalation at %s", pol.Stages[st].Key)
		}
	}
	want := []escalate.Status{escalate.StatusOpen, escalate.StatusResolved, escalate.StatusWithdrawn}
	if len(pol.Redirects) > 0 {
		want = append(want, escalate.StatusRedirected)
	}
	for _, s := range want {
		if status[s] == 0 {
			t.Errorf("no %s escalation (by status: %v)", s, status)
		}
	}
	if immediate == 0 {
		t.Error("no escalation with an immediate-risk action")
	}
	overdue, _, err := svc.List(ctx, escalate.EscalationFilter{OverdueAt: testNow, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	lateClocks := 0
	for _, e := range overdue {
		for _, c := range e.Clocks {
			if c.Status == escalate.ClockRunning && !c.Immediate && c.Due.Before(testNow) {
				lateClocks++
			}
		}
	}
	if lateClocks == 0 {
		t.Errorf("no running clock overdue at %v among %d overdue escalations", testNow, len(overdue))
	}
	if len(overdue) >= status[escalate.StatusOpen] {
		t.Errorf("all %d open escalations are overdue; some should still be in time", len(overdue))
	}
}

// wantNoSeedData reads every value of every table of the database at path
// and fails on any name, email or phone number from the seed policies.
func wantNoSeedData(t *testing.T, path string) {
	t.Helper()
	var names, emails, phones []string
	f, err := os.Open("testdata/seed-personal-data.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		kind, v, ok := strings.Cut(sc.Text(), ": ")
		switch {
		case strings.HasPrefix(sc.Text(), "#"):
		case !ok:
			t.Fatalf("bad line %q", sc.Text())
		case kind == "name":
			names = append(names, strings.ToLower(v))
		case kind == "email":
			emails = append(emails, strings.ToLower(v))
		case kind == "phone":
			phones = append(phones, digits(v))
		}
	}
	if len(names) < 70 || len(emails) < 60 || len(phones) < 60 {
		t.Fatalf("the seed table is short: %d names, %d emails, %d phones", len(names), len(emails), len(phones))
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	phoneLike := regexp.MustCompile(`\+?\d[\d ()-]{5,}\d`)
	values := 0
	for _, table := range tables {
		rows, err := db.Query(fmt.Sprintf(`SELECT * FROM %q`, table))
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				default:
					continue
				}
				values++
				low := strings.ToLower(s)
				for _, x := range slices.Concat(names, emails) {
					if strings.Contains(low, x) {
						t.Errorf("%s.%s holds %q from the seeds", table, cols[i], x)
					}
				}
				for _, m := range phoneLike.FindAllString(s, -1) {
					if d := digits(m); slices.Contains(phones, d) {
						t.Errorf("%s.%s holds the seeds' phone number %s", table, cols[i], m)
					}
				}
			}
		}
		rows.Close()
	}
	if values < 1000 {
		t.Errorf("only %d text values read from %d tables: the scan missed the data", values, len(tables))
	}
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestSeedDeterministic seeds twice at the same instant and compares what
// the partnerships' Business Managers see, and seeds on a Monday before
// office hours, when "an hour ago" is the weekend.
func TestSeedDeterministic(t *testing.T) {
	summary := func(db *sqlstore.DB) string {
		ctx := context.Background()
		var b strings.Builder
		ps, err := db.Partnerships(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			bm, err := db.FindUserByEmail(ctx, p.ID, "business-manager@"+p.Key+".example")
			if err != nil {
				t.Fatal(err)
			}
			all, _, err := sqlstore.NewEscalationService(db).List(escalate.NewContextWithUser(ctx, bm), escalate.EscalationFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range all {
				fmt.Fprintf(&b, "%s %s %s stage %d v%d %s\n", e.Ref, e.ChildRef, e.Status, e.Stage, e.Version, e.RiskLevel)
				for _, c := range e.Clocks {
					fmt.Fprintf(&b, "  %s %s %s\n", c.Key, c.Status, c.Due.Format(time.RFC3339))
				}
			}
		}
		return b.String()
	}
	a, _, _ := mustSeed(t, testNow)
	b, _, _ := mustSeed(t, testNow)
	if sa, sb := summary(a), summary(b); sa != sb || sa == "" {
		t.Errorf("two seedings at %v differ:\n%s\n----\n%s", testNow, sa, sb)
	}
	monday := time.Date(2026, 11, 23, 7, 30, 0, 0, time.UTC)
	c, _, res := mustSeed(t, monday)
	if s := summary(c); s == "" || len(res.Partnerships) != len(policy.Packs()) {
		t.Errorf("seeding on a Monday morning made %d partnerships", len(res.Partnerships))
	}
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		pw := demo.NewPassword()
		if err := web.CheckNewPassword(pw, web.PasswordContext{PartnershipKey: "redbridge", Email: "practitioner@redbridge.example"}); err != nil {
			t.Errorf("NewPassword() = %q fails the password policy: %v", pw, err)
		}
		if len(strings.Split(pw, "-")) != 4 {
			t.Errorf("NewPassword() = %q, want four words", pw)
		}
		seen[pw] = true
	}
	if len(seen) < 15 {
		t.Errorf("20 passwords gave only %d different ones", len(seen))
	}
}

// BenchmarkSeed measures seeding the five partnerships into a new SQLite
// file: what every "make demo" waits for.
func BenchmarkSeed(b *testing.B) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		db, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("demo%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := demo.Seed(ctx, db, testNow, testPassword); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// wantSomethingToSee checks that every printed account but the admin's
// (who administers, and sees no cases) has escalations to look at, so that
// a newcomer signing in as any of them finds something.
func wantSomethingToSee(t *testing.T, db *sqlstore.DB, users []*escalate.User, rp demo.Partnership) {
	t.Helper()
	svc := sqlstore.NewEscalationService(db)
	for _, a := range rp.SignIns {
		if a.Role == escalate.RoleAdmin || a.Role == escalate.RoleDataProtectionOfficer {
			// Neither opens cases: the data protection officer sees who
			// did what (web/privacy.go), never the cases themselves.
			continue
		}
		i := slices.IndexFunc(users, func(u *escalate.User) bool { return u.Email == a.Email })
		if i < 0 {
			t.Fatalf("no user %s", a.Email)
		}
		if a.Role == escalate.RoleConferenceChair {
			// A conference chair works on dissents only: where the
			// policy has them, they see theirs (dissents_test.go).
			wantDissentsSeen(t, db, users[i])
			continue
		}
		_, n, err := svc.List(escalate.NewContextWithUser(context.Background(), users[i]), escalate.EscalationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("%s (%s) sees no escalation", a.Email, a.Role)
		}
	}
}
