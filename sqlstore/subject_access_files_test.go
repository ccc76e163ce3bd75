package sqlstore

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testfiles"
)

// TestSubjectAccessAttachments: a child's export holds every file kept on
// the cases about them, with its content, its uploader listed for
// redaction and each file listed to be read for others it names; nothing
// of another child's case or another partnership. A member of staff's
// export lists the files they uploaded, without content, and no one
// else's.
func TestSubjectAccessAttachments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		withDPO(t, w)
		a := w.mustRaise(t, escalate.RiskStandard)
		other := w.raiseInput(escalate.RiskStandard)
		other.ChildRef, other.ChildInitials = "SCH-0099", "ZZ"
		b, err := w.svc.Raise(w.as("prac"), other)
		if err != nil {
			t.Fatal(err)
		}
		attach := func(who, ref, name string, data []byte, desc string) *escalate.Attachment {
			t.Helper()
			f, err := w.svc.AddAttachment(w.as(who), ref, escalate.AttachmentInput{Name: name, Data: data, Description: desc})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		letter := attach("prac", a.Ref, "letter.pdf", testfiles.PDF(), "Our letter to the duty team.")
		email := attach("bm", a.Ref, "reply.eml", testfiles.EML(), "The reply, agreeing.")
		attach("prac", b.Ref, "other-child.png", testfiles.PNG(), "About another child.")
		w2 := newWorld(t, db, "wirral")
		elsewhere := w2.mustRaise(t, escalate.RiskStandard)
		if _, err := w2.svc.AddAttachment(w2.as("prac"), elsewhere.Ref, escalate.AttachmentInput{Name: "elsewhere.pdf", Data: testfiles.PDF()}); err != nil {
			t.Fatal(err)
		}

		x, err := db.SubjectAccess(w.as("dpo"), escalate.SubjectQuery{Kind: escalate.SubjectChild, ChildRef: "SCH-0042"})
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(x)
		doc := string(j)
		if len(x.Cases) != 1 || len(x.Cases[0].Attachments) != 2 {
			t.Fatalf("the child's files: %s", doc)
		}
		got := x.Cases[0].Attachments
		if f := got[0]; f.ID != letter.ID || f.Name != "letter.pdf" || !bytes.Equal(f.Content, testfiles.PDF()) || f.SHA256 != letter.SHA256 ||
			f.Description != "Our letter to the duty team." || f.UploadedBy != "User prac (prac@example.org)" || f.Case != a.Ref || !f.Uploaded.Equal(letter.Uploaded) {
			t.Errorf("the letter: %+v", f)
		}
		if f := got[1]; f.ID != email.ID || !bytes.Equal(f.Content, testfiles.EML()) || f.UploadedBy != "User bm (bm@example.org)" {
			t.Errorf("the email: %+v", f)
		}
		for _, not := range []string{"other-child.png", "About another child", "elsewhere.pdf", b.Ref, elsewhere.Ref} {
			if strings.Contains(doc, not) {
				t.Errorf("the child's export holds %q, beyond need to know", not)
			}
		}
		where := "attachment " + itoa(email.ID) + " of " + a.Ref
		for _, want := range []escalate.ThirdParty{
			{Kind: "staff", Name: "User bm (bm@example.org)", Where: where + ": uploaded by"},
			{Kind: "attachment", Name: "reply.eml", Where: where + ": read its description and content for others it names"},
		} {
			if !slices.Contains(x.ThirdParties, want) {
				t.Errorf("third parties lack %+v: %+v", want, x.ThirdParties)
			}
		}

		s, err := db.SubjectAccess(w.as("dpo"), escalate.SubjectQuery{Kind: escalate.SubjectStaff, Email: "prac@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		j, _ = json.Marshal(s)
		doc = string(j)
		var names []string
		for _, f := range s.Uploaded {
			names = append(names, f.Case+"/"+f.Name)
			if f.Content != nil || f.UploadedBy != "User prac (prac@example.org)" {
				t.Errorf("a member of staff's upload carries content or another uploader: %+v", f)
			}
		}
		if !slices.Equal(names, []string{a.Ref + "/letter.pdf", b.Ref + "/other-child.png"}) {
			t.Errorf("prac's uploads: %v", names)
		}
		for _, not := range []string{"reply.eml", "The reply, agreeing", "elsewhere.pdf", `"content"`} {
			if strings.Contains(doc, not) {
				t.Errorf("the staff export holds %q, beyond need to know", not)
			}
		}
		for _, want := range []string{"SCH-0042 (JS)", "SCH-0099 (ZZ)"} {
			if !slices.ContainsFunc(s.ThirdParties, func(tp escalate.ThirdParty) bool { return tp.Kind == "child" && tp.Name == want }) {
				t.Errorf("the child %s of an upload is not listed for redaction: %+v", want, s.ThirdParties)
			}
		}
		// Exporting the uploads is audited against each case they are on.
		var n int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1 AND object = $2`,
			escalate.ActionSubjectAccess, "escalation:"+b.Ref).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d exports of %s audited, want 1 (%v)", n, b.Ref, err)
		}
		if s, err := db.SubjectAccess(w.as("dpo"), escalate.SubjectQuery{Kind: escalate.SubjectStaff, Email: "bm@example.org"}); err != nil ||
			len(s.Uploaded) != 1 || s.Uploaded[0].ID != email.ID {
			t.Errorf("bm's uploads: %v %+v", err, s)
		}
		mustVerifyAudit(t, db)
	})
}
