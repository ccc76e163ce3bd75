package sqlstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// TestRetentionDissentsGoodPracticeRoles: with a fixed now, a closed
// conference dissent six years on, a recognition of good practice three
// years on and a disabled account's role changes two years on are due; a
// dry run lists them and erases nothing; a hold on the whole partnership
// keeps them all, and the log says so; once it is lifted the run erases
// them (the dissent's free text and steps, the recognition, the role
// changes) and keeps an open dissent; the chain and the replay still
// verify, and the log lists what went.
func TestRetentionDissentsGoodPracticeRoles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		f := newGoodPracticeFixture(t, db)
		w, closed, open, gp := f.w, f.closed, f.open, f.gp
		gone := w.users["stranger"]
		if err := db.SetRoles(WithActor(ctx, "cli:test"), gone.ID, []escalate.Role{escalate.RoleManager}); err != nil {
			t.Fatal(err)
		}
		if err := db.DisableUser(WithActor(ctx, "cli:test"), gone.ID); err != nil {
			t.Fatal(err)
		}
		roleChanges := func() int {
			t.Helper()
			var n int
			if err := db.db.QueryRow(`SELECT COUNT(*) FROM role_changes WHERE user_id = $1`, gone.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if roleChanges() < 2 {
			t.Fatalf("the disabled account has %d role changes, want its creation's and the change", roleChanges())
		}

		dissent, good, user := "dissent:"+closed.Ref, "good-practice:"+itoa(gp.ID), "user:"+itoa(gone.ID)
		want := []string{dissent, good, user}
		slices.Sort(want)
		classOf := map[string]escalate.RetentionClass{dissent: escalate.RetainConferenceDissents,
			good: escalate.RetainGoodPractice, user: escalate.RetainDisabledAccounts}
		due := func(items []escalate.RetentionItem, held bool) []string {
			var out []string
			for _, it := range items {
				if _, ok := classOf[it.Object]; ok && it.Held == held {
					if it.Class != classOf[it.Object] {
						t.Errorf("%s in class %s, want %s", it.Object, it.Class, classOf[it.Object])
					}
					out = append(out, it.Object)
				}
			}
			slices.Sort(out)
			return out
		}
		// Two years and a month on, only the account is due; three years
		// and a month, the recognition too; six and a month, the dissent.
		for _, c := range []struct {
			years int
			want  []string
		}{{2, []string{user}}, {3, []string{good, user}}} {
			if got := due(runAt(t, db, testNow.AddDate(c.years, 1, 0), true).Items, false); !slices.Equal(got, c.want) {
				t.Errorf("%d years on, due %v, want %v", c.years, got, c.want)
			}
		}
		later := testNow.AddDate(6, 1, 0)
		before := rowCountsDissent(t, db)
		if got := due(runAt(t, db, later, true).Items, false); !slices.Equal(got, want) {
			t.Errorf("dry run due %v, want %v", got, want)
		}
		wantDissentUnchanged(t, db, before)

		// A hold on the whole partnership keeps them all.
		hold, err := db.PlaceHold(w.as("dpo"), 0, "", "The inquiry's order of 1 December 2026.")
		if err != nil {
			t.Fatal(err)
		}
		if got := due(runAt(t, db, later, false).Items, true); !slices.Equal(got, want) {
			t.Errorf("held %v, want %v", got, want)
		}
		if _, _, err := db.Dissent(w.as("bm"), closed.Ref); err != nil || roleChanges() == 0 {
			t.Errorf("held data erased: %v, %d role changes", err, roleChanges())
		}
		mustVerifyAudit(t, db)
		if err := db.LiftHold(w.as("dpo"), 0, hold.ID, "The inquiry closed."); err != nil {
			t.Fatal(err)
		}
		run := runAt(t, db, later, false)
		if got := due(run.Items, false); !slices.Equal(got, want) {
			t.Errorf("erased %v, want %v", got, want)
		}
		// Nothing personal is left in the events' content.
		var n int
		for _, object := range want {
			if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events e JOIN audit_content c ON c.seq = e.seq
				WHERE e.object = $1 AND c.content IS NOT NULL AND e.action <> $2`, object, escalate.ActionRetentionErase).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d events keep their content (%v)", object, n, err)
			}
		}
		d, _, err := db.Dissent(w.as("bm"), closed.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if d.ConferenceRef != "" || d.Nature != "" || d.Grounds != "" || d.ChairDecision != "" || d.Professional != "" ||
			len(d.Entries) != 0 || d.AgencyID != w.agencies["school"].ID || d.Outcome != escalate.DissentNotUpheld ||
			!d.Erased.Equal(later) {
			t.Errorf("the erased dissent: %+v", d)
		}
		if o, _, err := db.Dissent(w.as("bm"), open.Ref); err != nil || o.Nature == "" || len(o.Entries) == 0 || !o.Erased.IsZero() {
			t.Errorf("the open dissent was touched: %v %+v", err, o)
		}
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM good_practice WHERE id = $1`, gp.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("the recognition is still stored (%d, %v)", n, err)
		}
		if roleChanges() != 0 {
			t.Errorf("the erased account keeps %d role changes", roleChanges())
		}
		mustVerifyAudit(t, db)
		rep, err := db.VerifyRecords(ctx)
		if err != nil || rep.Dissents != 2 {
			t.Errorf("replay after erasure: %v, %d dissents", err, rep.Dissents)
		}
		log, err := db.RetentionLog(w.as("dpo"), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := due(log, false); !slices.Equal(got, want) {
			t.Errorf("the log's erasures %v, want %v", got, want)
		}
		if got := due(log, true); !slices.Equal(got, want) {
			t.Errorf("the log's held %v, want %v", got, want)
		}
		// A second run finds nothing more of these.
		if got := due(runAt(t, db, later, true).Items, false); len(got) != 0 {
			t.Errorf("due again: %v", got)
		}
	})
}

// goodPracticeFixture is the Surrey world with the good practice route, a
// recognition of good practice, a dissent not upheld (so closed) and one
// still open.
type goodPracticeFixture struct {
	w            *world
	closed, open *escalate.Dissent
	gp           *escalate.GoodPractice
}

func newGoodPracticeFixture(t *testing.T, db *DB) *goodPracticeFixture {
	t.Helper()
	w := dissentWorld(t, db)
	withDPO(t, w)
	raw, err := policy.PackSource("surrey")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "\nversion: May 2014\n", "\nversion: good practice\n", 1)
	text = strings.Replace(text, "\nassumptions:\n", "\ngood_practice:\n  tell: [manager]\n  cite: test\nassumptions:\n", 1)
	if _, err := db.PublishPolicy(w.as("bm"), w.p.ID, []byte(text), 0); err != nil {
		t.Fatal(err)
	}
	// A dissent not upheld, so closed at once; another still open.
	closed, err := db.RecordDissent(w.as("cpchair"), w.dissentIn())
	if err != nil {
		t.Fatal(err)
	}
	v := closed.Version
	for _, s := range []struct {
		action string
		in     escalate.DissentStepInput
	}{
		{escalate.DissentActionSchedule, escalate.DissentStepInput{Date: "2026-12-24", Text: "December meeting."}},
		{escalate.DissentActionEvaluate, escalate.DissentStepInput{People: []string{"Business Manager"}, Text: "Weighed."}},
		{escalate.DissentActionDecide, escalate.DissentStepInput{Outcome: escalate.DissentNotUpheld, People: []string{"Business Manager"},
			Text: "The plan decision stands.", Feedback: "Not upheld: the evidence was weighed."}},
	} {
		s.in.Version = v
		d, err := db.DissentStep(w.as("bm"), closed.Ref, s.action, s.in)
		if err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		v = d.Version
	}
	open, err := db.RecordDissent(w.as("cpchair"), w.dissentIn())
	if err != nil {
		t.Fatal(err)
	}
	gp, err := db.RecordGoodPractice(w.as("prac"), escalate.GoodPracticeInput{AgencyID: w.agencies["care"].ID,
		What: "Sam Carter visited the same afternoon.", Difference: "The school knew what to watch for."})
	if err != nil {
		t.Fatal(err)
	}
	return &goodPracticeFixture{w: w, closed: closed, open: open, gp: gp}
}

// TestVerifyGoodPracticeDissentTamper: the replay names the recognition of
// good practice, the dissent or the partnership's policy history, and the
// field that was edited behind the events' back; a dissent marked erased without the retention job, or one
// erased whose text comes back, is caught.
func TestVerifyGoodPracticeDissentTamper(t *testing.T) {
	type tamper = replayTamper[*goodPracticeFixture]
	gpObject := func(f *goodPracticeFixture) string { return "good-practice:" + itoa(f.gp.ID) }
	closedObject := func(f *goodPracticeFixture) string { return "dissent:" + f.closed.Ref }
	partnershipObject := func(f *goodPracticeFixture) string { return "partnership:" + itoa(f.w.p.ID) }
	erase := func(t *testing.T, db *DB, f *goodPracticeFixture) {
		t.Helper()
		if run := runAt(t, db, testNow.AddDate(7, 0, 0), false); len(run.Items) == 0 {
			t.Fatal("nothing erased")
		}
		if _, err := db.VerifyRecords(context.Background()); err != nil {
			t.Fatalf("after a real erasure: %v", err)
		}
	}
	tampers := []tamper{
		{"GoodPracticeWhat", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE good_practice SET what = 'Nothing much.' WHERE id = $1`, f.gp.ID)
		}, gpObject, "what"},
		{"GoodPracticeDifference", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE good_practice SET difference = '' WHERE id = $1`, f.gp.ID)
		}, gpObject, "difference"},
		{"GoodPracticeAgency", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE good_practice SET agency_id = $1 WHERE id = $2`, f.w.agencies["police"].ID, f.gp.ID)
		}, gpObject, "agency"},
		{"GoodPracticeRecordedBy", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE good_practice SET recorded_by = $1 WHERE id = $2`, f.w.users["bm"].ID, f.gp.ID)
		}, gpObject, "recorded_by"},
		{"GoodPracticeAt", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE good_practice SET at = $1 WHERE id = $2`, timeArg(testNow.AddDate(0, -3, 0)), f.gp.ID)
		}, gpObject, "at"},
		{"GoodPracticeForged", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `INSERT INTO good_practice (partnership_id, recorded_by, from_agency_id, agency_id, what, difference, at)
				VALUES ($1, $2, $3, $4, 'Forged.', '', $5)`, f.w.p.ID, f.w.users["prac"].ID, f.w.agencies["school"].ID,
				f.w.agencies["care"].ID, timeArg(testNow))
		}, func(f *goodPracticeFixture) string { return "good-practice:" }, "recognition"},
		{"PublicationBy", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE policy_publications SET published_by = $1, actor = $2
				WHERE id = (SELECT MAX(id) FROM policy_publications WHERE partnership_id = $3)`,
				f.w.users["chair"].ID, "user:"+itoa(f.w.users["chair"].ID), f.w.p.ID)
		}, partnershipObject, `publication \d+: published_by`},
		{"PublicationVersion", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE policy_publications SET policy_version_id = (SELECT MIN(id) FROM policy_versions WHERE partnership_id = $1)
				WHERE id = (SELECT MAX(id) FROM policy_publications WHERE partnership_id = $1)`, f.w.p.ID)
		}, partnershipObject, `publication \d+: version`},
		{"PolicyInForce", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE partnerships SET policy_version_id = (SELECT MIN(id) FROM policy_versions WHERE partnership_id = $1)
				WHERE id = $1`, f.w.p.ID)
		}, partnershipObject, "policy in force"},
		{"DissentMarkedErased", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			mustExec(t, db, `UPDATE dissents SET erased = $1 WHERE id = $2`, timeArg(testNow), f.closed.ID)
		}, closedObject, "erased"},
		{"DissentErasedTextBack", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			erase(t, db, f)
			mustExec(t, db, `UPDATE dissents SET nature = 'Restored.' WHERE id = $1`, f.closed.ID)
		}, closedObject, "erased"},
		{"DissentErasureUndone", func(t *testing.T, db *DB, f *goodPracticeFixture) {
			erase(t, db, f)
			mustExec(t, db, `UPDATE dissents SET erased = NULL WHERE id = $1`, f.closed.ID)
		}, closedObject, "erased"},
	}
	forEachEngine(t, func(t *testing.T, db *DB) {
		newGoodPracticeFixture(t, db)
		rep, err := db.VerifyRecords(context.Background())
		if err != nil || rep.GoodPractice != 1 || rep.Dissents != 2 || rep.Publications == 0 {
			t.Fatalf("intact: %v, %+v", err, rep)
		}
	})
	runTampers(t, newGoodPracticeFixture, tampers)
}
