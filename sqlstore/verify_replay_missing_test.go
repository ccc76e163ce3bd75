package sqlstore

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testfiles"
	"github.com/escalate-project/escalate/policy"
)

// deleteFixture is replayFixture with what else the replay covers: a
// letter attached to case A, a directory contact, a spare account and
// agency that nothing else refers to, a partnership with nothing in it,
// and Wirral's policy published a second time.
type deleteFixture struct {
	*replayFixture
	attachment, contact, learning, proforma int64
	spareUser, spareAgency, bare            int64
}

func newDeleteFixture(t *testing.T, db *DB) *deleteFixture {
	t.Helper()
	ctx := WithActor(context.Background(), "cli:test")
	f := &deleteFixture{replayFixture: newReplayFixture(t, db)}
	w := f.w
	a, err := w.svc.AddAttachment(w.as("prac"), f.a.Ref, escalate.AttachmentInput{Name: "letter.pdf", Data: testfiles.PDF(),
		Description: "The school's letter to social care."})
	if err != nil {
		t.Fatal(err)
	}
	f.attachment = a.ID
	ct := &escalate.Contact{PartnershipID: w.p.ID, AgencyID: w.agencies["care"].ID, Role: escalate.RoleLADO,
		Name: "Casey Contact", Phone: "01632 960123", Email: "casey@example.org", LastVerified: "2026-12-01"}
	if err := db.CreateContact(ctx, ct); err != nil {
		t.Fatal(err)
	}
	f.contact = ct.ID
	ag := &escalate.Agency{PartnershipID: w.p.ID, Name: "Spare Surgery", Kind: "primary-care"}
	if err := db.CreateAgency(ctx, ag); err != nil {
		t.Fatal(err)
	}
	u := &escalate.User{PartnershipID: w.p.ID, AgencyID: ag.ID, Name: "Spare Person", Email: "spare@example.org",
		Roles: []escalate.Role{escalate.RolePractitioner}}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	f.spareUser, f.spareAgency = u.ID, ag.ID
	// A second, that no account belongs to.
	if err := db.CreateAgency(ctx, &escalate.Agency{PartnershipID: w.p.ID, Name: "Second Spare", Kind: "primary-care"}); err != nil {
		t.Fatal(err)
	}
	p, _ := mustPackPartnership(t, db, "wirral", "bare-wirral")
	f.bare = p.ID
	raw, err := policy.PackSource("wirral")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(raw), "\nversion: chapter 7.2 (September 2015)\n", "\nversion: republished\n", 1)
	if _, err := db.PublishPolicy(w.as("bm"), w.p.ID, []byte(text), 0); err != nil {
		t.Fatal(err)
	}
	for q, dst := range map[string]*int64{`SELECT MIN(id) FROM learning_items`: &f.learning, `SELECT MIN(id) FROM proformas`: &f.proforma} {
		if err := db.db.QueryRow(q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// execAll runs each statement with args.
func execAll(t *testing.T, db *DB, args []any, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		mustExec(t, db, q, args...)
	}
}

// TestVerifyRowDeleted: a row the events describe, deleted outright (or
// one stored that no event made), is found on both engines, naming the
// object and what is missing; the untouched fixture verifies.
func TestVerifyRowDeleted(t *testing.T) {
	type tamper = replayTamper[*deleteFixture]
	caseA := func(f *deleteFixture) string { return "escalation:" + f.a.Ref }
	caseB := func(f *deleteFixture) string { return "escalation:" + f.b.Ref }
	dissent := func(f *deleteFixture) string { return "dissent:" + f.dissent.Ref }
	tampers := []tamper{
		{"Record", func(t *testing.T, db *DB, f *deleteFixture) {
			dropRecordGuard(t, db)
			mustExec(t, db, `DELETE FROM records WHERE escalation_id = $1`, f.a.ID)
		}, caseA, "record 1"},
		{"Approval", func(t *testing.T, db *DB, f *deleteFixture) {
			dropRecordGuard(t, db)
			mustExec(t, db, `UPDATE records SET approved_by = NULL, approved_at = NULL WHERE escalation_id = $1`, f.a.ID)
		}, caseA, "record 1: approval"},
		{"Clock", func(t *testing.T, db *DB, f *deleteFixture) {
			execAll(t, db, []any{f.b.ID}, `DELETE FROM clock_notices WHERE escalation_id = $1`, `DELETE FROM clocks WHERE escalation_id = $1`)
		}, caseB, `clock \d+`},
		{"Party", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM escalation_parties WHERE escalation_id = $1`, f.b.ID)
		}, caseB, `party user \d+`},
		{"LearningResponse", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM learning_responses WHERE escalation_id = $1`, f.a.ID)
		}, caseA, `learning response of user \d+`},
		{"Attachment", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM attachments WHERE id = $1`, f.attachment)
		}, caseA, `attachment \d+`},
		{"AttachmentRenamed", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `UPDATE attachments SET description = 'Nothing important.' WHERE id = $1`, f.attachment)
		}, caseA, `attachment \d+`},
		{"AttachmentForged", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `INSERT INTO attachments (escalation_id, name, kind, content_type, size, sha256, description,
				uploaded_by, uploaded, content) SELECT $1, name, kind, content_type, size, sha256, description, uploaded_by,
				uploaded, content FROM attachments WHERE id = $2`, f.b.ID, f.attachment)
		}, caseB, `attachment \d+`},
		{"LearningItem", func(t *testing.T, db *DB, f *deleteFixture) {
			execAll(t, db, []any{f.learning}, `DELETE FROM learning_links WHERE item_id = $1`, `DELETE FROM learning_items WHERE id = $1`)
		}, func(f *deleteFixture) string { return "learning:" + itoa(f.learning) }, "learning item"},
		{"LearningLink", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM learning_links WHERE item_id = $1`, f.learning)
		}, func(f *deleteFixture) string { return "learning:" + itoa(f.learning) }, "links"},
		{"Proforma", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM proformas WHERE id = $1`, f.proforma)
		}, func(f *deleteFixture) string { return "proforma:" + itoa(f.proforma) }, "proforma"},
		{"Dissent", func(t *testing.T, db *DB, f *deleteFixture) {
			dropGuard(t, db, "dissent_entries_no_delete", "dissent_entries")
			execAll(t, db, []any{f.dissent.ID}, `DELETE FROM dissent_entries WHERE dissent_id = $1`,
				`DELETE FROM dissent_clock_notices WHERE dissent_id = $1`, `DELETE FROM dissent_clocks WHERE dissent_id = $1`,
				`DELETE FROM dissents WHERE id = $1`)
		}, dissent, "dissent"},
		{"DissentEntry", func(t *testing.T, db *DB, f *deleteFixture) {
			dropGuard(t, db, "dissent_entries_no_delete", "dissent_entries")
			mustExec(t, db, `DELETE FROM dissent_entries WHERE dissent_id = $1`, f.dissent.ID)
		}, dissent, `entry \d+`},
		{"DissentClock", func(t *testing.T, db *DB, f *deleteFixture) {
			execAll(t, db, []any{f.dissent.ID}, `DELETE FROM dissent_clock_notices WHERE dissent_id = $1`,
				`DELETE FROM dissent_clocks WHERE dissent_id = $1`)
		}, dissent, "clocks"},
		{"EscalationContact", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM agency_contacts WHERE agency_id = $1`, f.w.agencies["care"].ID)
		}, func(f *deleteFixture) string { return "agency:" + itoa(f.w.agencies["care"].ID) }, `escalation contact user \d+`},
		{"DirectoryContact", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM contacts WHERE id = $1`, f.contact)
		}, func(f *deleteFixture) string { return "contact:" + itoa(f.contact) }, "directory contact"},
		{"Account", func(t *testing.T, db *DB, f *deleteFixture) {
			execAll(t, db, []any{f.spareUser}, `DELETE FROM role_changes WHERE user_id = $1`,
				`DELETE FROM escalation_people WHERE user_id = $1`, `DELETE FROM users WHERE id = $1`)
		}, func(f *deleteFixture) string { return "user:" + itoa(f.spareUser) }, "account"},
		{"AccountForged", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `INSERT INTO users (partnership_id, agency_id, name, email, roles, created)
				SELECT partnership_id, agency_id, 'Forged', 'forged@example.org', roles, created FROM users WHERE id = $1`, f.spareUser)
		}, func(f *deleteFixture) string { return "user:" }, "account"},
		{"Agency", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM agencies WHERE id = (SELECT MAX(id) FROM agencies WHERE partnership_id = $1)`, f.w.p.ID)
		}, func(f *deleteFixture) string { return "agency:" }, "agency"},
		{"Partnership", func(t *testing.T, db *DB, f *deleteFixture) {
			execAll(t, db, []any{f.bare}, `DELETE FROM policy_publications WHERE partnership_id = $1`,
				`UPDATE partnerships SET policy_version_id = NULL WHERE id = $1`,
				`DELETE FROM policy_versions WHERE partnership_id = $1`, `DELETE FROM partnerships WHERE id = $1`)
		}, func(f *deleteFixture) string { return "partnership:" + itoa(f.bare) }, "partnership"},
		{"Publication", func(t *testing.T, db *DB, f *deleteFixture) {
			mustExec(t, db, `DELETE FROM policy_publications WHERE id = (SELECT MIN(id) FROM policy_publications WHERE partnership_id = $1)`, f.w.p.ID)
		}, func(f *deleteFixture) string { return "partnership:" + itoa(f.w.p.ID) }, "publication"},
	}
	forEachEngine(t, func(t *testing.T, db *DB) {
		newDeleteFixture(t, db)
		if _, err := db.VerifyRecords(context.Background()); err != nil {
			t.Fatalf("intact: %v", err)
		}
	})
	runTampers(t, newDeleteFixture, tampers)
}

// replayTamper is an edit made behind the events' back to a fixture F,
// and the object and field (a regular expression for the whole field) the
// replay must name.
type replayTamper[F any] struct {
	name   string
	edit   func(t *testing.T, db *DB, f F)
	object func(f F) string
	field  string
}

// runTampers makes each edit on a fresh fixture of each engine and checks
// the replay names it.
func runTampers[F any](t *testing.T, fixture func(*testing.T, *DB) F, tampers []replayTamper[F]) {
	for _, engine := range engines {
		t.Run(string(engine), func(t *testing.T) {
			for _, tc := range tampers {
				t.Run(tc.name, func(t *testing.T) {
					db := MustOpenDB(t, engine)
					f := fixture(t, db)
					tc.edit(t, db, f)
					wantReplayFailure(t, db, tc.object(f), tc.field)
				})
			}
		})
	}
}

// wantReplayFailure checks that the replay fails naming an object that begins
// with object, and a field matching the expression field.
func wantReplayFailure(t *testing.T, db *DB, object, field string) {
	t.Helper()
	_, err := db.VerifyRecords(context.Background())
	var rf *ReplayFailure
	if !errors.As(err, &rf) {
		t.Fatalf("after the edit, verify = %v; want a replay failure", err)
	}
	if !strings.HasPrefix(rf.Object, object) || !regexp.MustCompile("^"+field+"$").MatchString(rf.Field) {
		t.Errorf("verify named %q field %q (%v); want %q field %q", rf.Object, rf.Field, err, object, field)
	}
}

// TestVerifyRowDeletedAfterRetention: a real retention run, which deletes
// the learning item, the proforma and the resolved case's attachment, and
// the recognition of good practice, leaves a record that verifies; a
// recognition deleted outright, with no retention.erase, is found.
func TestVerifyRowDeletedAfterRetention(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		f := newDeleteFixture(t, db)
		// A learning item is kept until it is done.
		it, err := db.LearningItem(f.w.as("bm"), f.learning, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateLearningItem(f.w.as("bm"), f.learning, escalate.LearningUpdate{Version: it.Version,
			Assignee: it.Assignee, Status: escalate.LearningDone, ActionTaken: "Shared at the board."}); err != nil {
			t.Fatal(err)
		}
		run := runAt(t, db, testNow.AddDate(30, 0, 0), false)
		var erased []string
		for _, it := range run.Items {
			if !it.Held {
				erased = append(erased, it.Object)
			}
		}
		for _, want := range []string{"escalation:" + f.a.Ref, "learning:" + itoa(f.learning), "proforma:" + itoa(f.proforma)} {
			if !slices.Contains(erased, want) {
				t.Errorf("the run erased %v, not %s", erased, want)
			}
		}
		var n int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM attachments`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d attachments left after the case was erased (%v)", n, err)
		}
		mustVerifyAudit(t, db)
		if _, err := db.VerifyRecords(context.Background()); err != nil {
			t.Fatalf("after a real retention run: %v", err)
		}
	})
	forEachEngine(t, func(t *testing.T, db *DB) {
		f := newGoodPracticeFixture(t, db)
		mustExec(t, db, `DELETE FROM good_practice WHERE id = $1`, f.gp.ID)
		wantReplayFailure(t, db, "good-practice:"+itoa(f.gp.ID), "recognition")
	})
	forEachEngine(t, func(t *testing.T, db *DB) {
		f := newGoodPracticeFixture(t, db)
		runAt(t, db, testNow.AddDate(30, 0, 0), false)
		var n int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM good_practice WHERE id = $1`, f.gp.ID).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the recognition is still stored after the run (%d, %v)", n, err)
		}
		if _, err := db.VerifyRecords(context.Background()); err != nil {
			t.Fatalf("after a real retention run: %v", err)
		}
	})
}

// TestVerifyPublicationDeletedLegacy: on a partnership whose history began
// before policy publications were kept (its first row has no actor, as
// migration 00040 made it), the replay accepts that row's event with no
// row of its own, and still finds the first publication since deleted.
func TestVerifyPublicationDeletedLegacy(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		p, _ := mustPackPartnership(t, db, "hounslow", "hounslow")
		mustExec(t, db, `UPDATE policy_publications SET actor = '', published_by = NULL WHERE partnership_id = $1`, p.ID)
		raw, err := policy.PackSource("hounslow")
		if err != nil {
			t.Fatal(err)
		}
		ctx := WithActor(context.Background(), "cli:test")
		for _, v := range []string{"second", "third"} {
			text := strings.Replace(string(raw), "\nversion: ", "\nversion: "+v+" ", 1)
			if _, err := db.PublishPolicy(ctx, p.ID, []byte(text), 0); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := db.VerifyRecords(context.Background())
		if err != nil || rep.Publications != 2 {
			t.Fatalf("with a row from before the history: %v, %+v", err, rep)
		}
		mustExec(t, db, `DELETE FROM policy_publications WHERE id = (SELECT MIN(id) FROM policy_publications
			WHERE partnership_id = $1 AND actor <> '')`, p.ID)
		wantReplayFailure(t, db, "partnership:"+itoa(p.ID), "publication")
	})
}
