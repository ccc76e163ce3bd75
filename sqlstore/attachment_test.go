package sqlstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/internal/testfiles"
)

// TestAttachments: files of every accepted kind are kept in the database
// and read back byte for byte on both engines, even after the case
// closed; a disguised or oversize file stores nothing; who may see them is
// who may see the case; adding and downloading are audited; the case file
// lists them and is audited as a download.
func TestAttachments(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		e := w.mustRaise(t, escalate.RiskStandard)
		count := func(action string) int {
			t.Helper()
			var n int
			if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = $1`, action).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		// Refused: disguised, oversize, and by someone who may not see it.
		before := rowCounts(t, db)
		for _, f := range testfiles.Disguised() {
			if _, err := w.svc.AddAttachment(w.as("prac"), e.Ref, escalate.AttachmentInput{Name: f.Name, Data: f.Data}); escalate.ErrorField(err) != "file" {
				t.Errorf("disguised %s: %v", f.Name, err)
			}
		}
		big := append(testfiles.PDF(), bytes.Repeat([]byte{' '}, escalate.MaxAttachmentSize)...)
		if _, err := w.svc.AddAttachment(w.as("prac"), e.Ref, escalate.AttachmentInput{Name: "big.pdf", Data: big}); escalate.ErrorField(err) != "file" {
			t.Errorf("oversize: %v", err)
		}
		if _, err := w.svc.AddAttachment(w.as("stranger"), e.Ref, escalate.AttachmentInput{Name: "a.pdf", Data: testfiles.PDF()}); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("a stranger attaching: %v", err)
		}
		wantUnchanged(t, db, before)
		if n := countRows(t, db, "attachments"); n != 0 {
			t.Fatalf("refusals stored %d attachments", n)
		}

		// Every kind, by the raiser; then the case closes and the written
		// confirmation comes afterwards.
		ids := map[string]int64{}
		for key, f := range testfiles.Accepted() {
			a, err := w.svc.AddAttachment(w.as("prac"), e.Ref, escalate.AttachmentInput{Name: f.Name, Data: f.Data, Description: "about " + key})
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			sum := sha256.Sum256(f.Data)
			if a.Kind != key || a.Size != int64(len(f.Data)) || a.SHA256 != hex.EncodeToString(sum[:]) || a.UploadedBy != w.users["prac"].ID {
				t.Errorf("%s stored as %+v", key, a)
			}
			ids[key] = a.ID
		}
		if n := count(escalate.ActionAttachmentAdd); n != 6 {
			t.Errorf("%d attachment.add events, want 6", n)
		}
		e, err := w.svc.Withdraw(w.as("prac"), e.Ref, escalate.WithdrawInput{Version: e.Version, Reason: "Resolved."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AddAttachment(w.as("bm"), e.Ref, escalate.AttachmentInput{Name: "after.eml", Data: testfiles.EML()}); err != nil {
			t.Fatalf("the Business Manager attaching to a closed case: %v", err)
		}

		list, err := w.svc.Attachments(w.as("mgr"), e.Ref)
		if err != nil || len(list) != 7 {
			t.Fatalf("the raiser's manager lists %d attachments, %v", len(list), err)
		}
		if _, err := w.svc.Attachments(w.as("stranger"), e.Ref); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("a stranger listing: %v", err)
		}
		downloads := count(escalate.ActionAttachmentDownload)
		for key, f := range testfiles.Accepted() {
			a, data, err := w.svc.Attachment(w.as("bm"), e.Ref, ids[key])
			if err != nil || !bytes.Equal(data, f.Data) || a.Name != f.Name {
				t.Errorf("%s read back: %v, %d bytes, name %q", key, err, len(data), a.Name)
			}
		}
		if n := count(escalate.ActionAttachmentDownload) - downloads; n != 6 {
			t.Errorf("%d downloads audited, want 6", n)
		}
		if _, _, err := w.svc.Attachment(w.as("stranger"), e.Ref, ids["pdf"]); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("a stranger downloading: %v", err)
		}
		other := w.mustRaise(t, escalate.RiskStandard)
		if _, _, err := w.svc.Attachment(w.as("prac"), other.Ref, ids["pdf"]); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("an attachment through another escalation's reference: %v", err)
		}

		views := count(escalate.ActionView)
		f, err := w.svc.CaseFile(w.as("prac"), e.Ref)
		if err != nil || len(f.Attachments) != 7 || f.Escalation.Ref != e.Ref || len(f.Events) == 0 || f.Policy == nil {
			t.Fatalf("CaseFile: %v", err)
		}
		if count(escalate.ActionCaseFileDownload) != 1 || count(escalate.ActionView) != views {
			t.Errorf("the case file is audited as one download and no view")
		}
		if _, err := w.svc.CaseFile(w.as("stranger"), e.Ref); escalate.ErrorCode(err) != escalate.ENOTFOUND {
			t.Errorf("a stranger's case file: %v", err)
		}
		mustVerifyAudit(t, db)
	})
}
