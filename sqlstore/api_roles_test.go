package sqlstore

import (
	"context"
	"testing"

	"github.com/escalate-project/escalate"
)

// TestAPIRoles: the partnership setting of who may use the API decides who
// may make a token and whose tokens work, on both engines; it is audited
// and refuses roles Escalate does not know.
func TestAPIRoles(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db, "wirral")
		ts := NewTokenService(db)
		ctx := context.Background()
		pracSecret, _, err := ts.CreateToken(w.as("prac"), escalate.TokenRequest{Name: "made while everyone could"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetAPIRoles(ctx, w.p.ID, []escalate.Role{"wizard"}); escalate.ErrorField(err) != "api_roles" {
			t.Fatalf("an unknown role: %v", err)
		}
		if err := db.SetAPIRoles(ctx, w.p.ID, []escalate.Role{escalate.RoleBusinessManager}); err != nil {
			t.Fatal(err)
		}
		p, err := db.FindPartnership(ctx, w.p.Key)
		if err != nil || len(p.APIRoles) != 1 || p.APIRoles[0] != escalate.RoleBusinessManager ||
			p.MayUseAPI(w.users["prac"]) || !p.MayUseAPI(w.users["bm"]) {
			t.Fatalf("read back %+v, %v", p, err)
		}
		if _, _, err := ts.CreateToken(w.as("prac"), escalate.TokenRequest{Name: "now refused"}); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Errorf("a practitioner making a token: %v", err)
		}
		if _, _, _, err := ts.TokenUser(ctx, pracSecret); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Errorf("a practitioner's old token: %v", err)
		}
		bmSecret, _, err := ts.CreateToken(w.as("bm"), escalate.TokenRequest{Name: "board figures"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := ts.TokenUser(ctx, bmSecret); err != nil {
			t.Errorf("the Business Manager's token: %v", err)
		}
		if err := db.SetAPIRoles(ctx, w.p.ID, []escalate.Role{}); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := ts.TokenUser(ctx, bmSecret); escalate.ErrorCode(err) != escalate.EFORBIDDEN {
			t.Errorf("no one may use the API, yet a token works: %v", err)
		}
		if err := db.SetAPIRoles(ctx, w.p.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := ts.TokenUser(ctx, pracSecret); err != nil {
			t.Errorf("everyone again, yet the practitioner's token fails: %v", err)
		}
		var n int
		if err := db.db.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'partnership.api_roles'`).Scan(&n); err != nil || n != 3 {
			t.Errorf("%d audited changes, want 3 (%v)", n, err)
		}
		mustVerifyAudit(t, db)
	})
}
