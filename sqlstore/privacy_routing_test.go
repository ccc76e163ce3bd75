package sqlstore

import (
	"testing"

	"github.com/escalate-project/escalate"
)

// TestDataProtectionOfficerRouting: in the store, as in escalate.Can, the
// data protection officer's role grants nothing on a case: they raise
// none, are nobody's escalation contact, cannot be named to one and cannot
// open one, while "who has seen what" still shows them that case's views.
// Each refusal changes nothing.
func TestDataProtectionOfficerRouting(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "redbridge")
		withDPO(t, w)
		dpo := w.users["dpo"]
		e := w.mustRaise(t, escalate.RiskStandard)
		before := rowCounts(t, db)
		_, err := w.svc.Raise(w.as("dpo"), w.raiseInput(escalate.RiskStandard))
		wantEscErr(t, err, escalate.EFORBIDDEN, "")
		wantEscErr(t, db.AddEscalationContact(w.as("bm"), dpo.AgencyID, dpo.ID), escalate.EINVALID, "user")
		_, err = w.svc.Get(w.as("dpo"), e.Ref)
		wantEscErr(t, err, escalate.ENOTFOUND, "")
		wantUnchanged(t, db, before)
		if log, err := db.AuditLog(w.as("dpo"), escalate.AuditQuery{Ref: e.Ref}); err != nil || len(log.Entries) == 0 {
			t.Errorf("the DPO's who-has-seen-what for %s: %v", e.Ref, err)
		}
	})
}
