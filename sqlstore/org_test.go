package sqlstore

import (
	"context"
	"slices"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestPartnership(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := WithActor(context.Background(), "cli:admin")
		pol, raw := testPolicy("redbridge", "england-and-wales")
		p := &escalate.Partnership{Key: "redbridge", Name: "Redbridge LSCB"}
		if err := db.CreatePartnership(ctx, p, pol, raw); err != nil {
			t.Fatal(err)
		}
		t.Run("OK", func(t *testing.T) {
			got, err := db.FindPartnership(ctx, "redbridge")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != p.ID || got.Name != "Redbridge LSCB" || got.PolicyID != "redbridge" || !got.Created.Equal(p.Created) {
				t.Errorf("FindPartnership = %+v, want %+v", got, p)
			}
			byID, err := db.FindPartnershipByID(ctx, p.ID)
			if err != nil || byID.Key != "redbridge" {
				t.Errorf("FindPartnershipByID = %+v, %v", byID, err)
			}
			v, err := db.CurrentPolicyVersion(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if string(v.YAML) != string(raw) || v.PolicyID != "redbridge" || v.Division != "england-and-wales" || v.WorkingDayEnds != "16:30" || len(v.SHA256) != 64 {
				t.Errorf("CurrentPolicyVersion = %+v", v)
			}
			evs, err := db.AuditEvents(ctx, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range evs {
				actions = append(actions, e.Action)
				if e.Actor != "cli:admin" {
					t.Errorf("event %d actor = %q, want cli:admin", e.Seq, e.Actor)
				}
			}
			if !slices.Equal(actions, []string{"partnership.add", "partnership.policy"}) {
				t.Errorf("audit actions = %v", actions)
			}
		})
		t.Run("PolicyVersions", func(t *testing.T) {
			v1, _ := db.CurrentPolicyVersion(ctx, p.ID)
			again, err := db.SetPolicy(ctx, p.ID, pol, raw)
			if err != nil {
				t.Fatal(err)
			}
			if again.ID != v1.ID {
				t.Errorf("same text: version %d, want the stored %d", again.ID, v1.ID)
			}
			pol2, raw2 := testPolicy("redbridge", "scotland")
			v2, err := db.SetPolicy(ctx, p.ID, pol2, append(raw2, "# v2\n"...))
			if err != nil {
				t.Fatal(err)
			}
			cur, _ := db.CurrentPolicyVersion(ctx, p.ID)
			if v2.ID == v1.ID || cur.ID != v2.ID || cur.Division != "scotland" {
				t.Errorf("after a new text: current %+v, want version %d", cur, v2.ID)
			}
			old, err := db.PolicyVersion(ctx, v1.ID)
			if err != nil || string(old.YAML) != string(raw) {
				t.Errorf("the old version changed: %+v, %v", old, err)
			}
		})
		t.Run("List", func(t *testing.T) {
			mustPartnership(t, db, "aardvark")
			ps, err := db.Partnerships(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 2 || ps[0].Key != "aardvark" || ps[1].Key != "redbridge" {
				t.Errorf("Partnerships = %v", ps)
			}
		})
		t.Run("Invalid", func(t *testing.T) {
			before := countRows(t, db, "audit_events")
			bad := func(mod func(p *escalate.Partnership, pol *escalate.Policy) []byte) error {
				pol, raw := testPolicy("x", "england-and-wales")
				p := &escalate.Partnership{Key: "fine", Name: "Fine"}
				if r := mod(p, pol); r != nil {
					raw = r
				}
				return db.CreatePartnership(ctx, p, pol, raw)
			}
			tests := []struct {
				name  string
				mod   func(p *escalate.Partnership, pol *escalate.Policy) []byte
				field string
			}{
				{"ErrKeyEmpty", func(p *escalate.Partnership, _ *escalate.Policy) []byte { p.Key = ""; return nil }, "key"},
				{"ErrKeyUpper", func(p *escalate.Partnership, _ *escalate.Policy) []byte { p.Key = "Red"; return nil }, "key"},
				{"ErrKeySpace", func(p *escalate.Partnership, _ *escalate.Policy) []byte { p.Key = "red bridge"; return nil }, "key"},
				{"ErrNameEmpty", func(p *escalate.Partnership, _ *escalate.Policy) []byte { p.Name = " "; return nil }, "name"},
				{"ErrDivision", func(_ *escalate.Partnership, pol *escalate.Policy) []byte {
					pol.Calendar.Division = "wales"
					return nil
				}, "policy"},
				{"ErrDayEnd", func(_ *escalate.Partnership, pol *escalate.Policy) []byte {
					pol.Calendar.WorkingDayEnds = "5pm"
					return nil
				}, "policy"},
				{"ErrNoText", func(_ *escalate.Partnership, _ *escalate.Policy) []byte { return []byte{} }, "policy"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := bad(tt.mod)
					wantCode(t, err, escalate.EINVALID)
					if f := escalate.ErrorField(err); f != tt.field {
						t.Errorf("field = %q, want %q", f, tt.field)
					}
				})
			}
			if got := countRows(t, db, "audit_events"); got != before {
				t.Errorf("invalid input wrote %d audit events", got-before)
			}
			if _, err := db.FindPartnership(ctx, "fine"); escalate.ErrorCode(err) != escalate.ENOTFOUND {
				t.Errorf("invalid input stored a partnership: %v", err)
			}
		})
	})
}

func TestAgency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		p := mustPartnership(t, db, "hounslow")
		a := mustAgency(t, db, p.ID, "Hounslow Police", "police")
		mustAgency(t, db, p.ID, "Acton Health", "health-provider")
		t.Run("OK", func(t *testing.T) {
			got, err := db.FindAgency(ctx, p.ID, "Hounslow Police")
			if err != nil || *got != *a {
				t.Errorf("FindAgency = %+v, %v; want %+v", got, err, a)
			}
			if got, err := db.FindAgencyByID(ctx, a.ID); err != nil || got.Name != a.Name {
				t.Errorf("FindAgencyByID = %+v, %v", got, err)
			}
			as, err := db.Agencies(ctx, p.ID)
			if err != nil || len(as) != 2 || as[0].Name != "Acton Health" {
				t.Errorf("Agencies = %v, %v", as, err)
			}
		})
		t.Run("SameNameOtherPartnership", func(t *testing.T) {
			q := mustPartnership(t, db, "wirral")
			mustAgency(t, db, q.ID, "Hounslow Police", "police")
		})
		tests := []struct {
			name string
			a    escalate.Agency
			code string
		}{
			{"ErrNoName", escalate.Agency{PartnershipID: p.ID, Kind: "police"}, escalate.EINVALID},
			{"ErrKind", escalate.Agency{PartnershipID: p.ID, Name: "X", Kind: "Health Provider"}, escalate.EINVALID},
			{"ErrNoKind", escalate.Agency{PartnershipID: p.ID, Name: "X"}, escalate.EINVALID},
			{"ErrNoPartnership", escalate.Agency{PartnershipID: 999, Name: "X", Kind: "police"}, escalate.ENOTFOUND},
			{"ErrDuplicate", escalate.Agency{PartnershipID: p.ID, Name: "Hounslow Police", Kind: "police"}, escalate.ECONFLICT},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := countRows(t, db, "agencies")
				err := db.CreateAgency(ctx, &tt.a)
				wantCode(t, err, tt.code)
				if got := countRows(t, db, "agencies"); got != before {
					t.Errorf("agencies: %d rows, want %d", got, before)
				}
			})
		}
	})
}

func TestUser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		p := mustPartnership(t, db, "wirral")
		a := mustAgency(t, db, p.ID, "Wirral Council", "childrens-social-care")
		boss := mustUser(t, db, a, "boss@example.org", 0, escalate.RoleSeniorManager)
		mgr := mustUser(t, db, a, "Mgr@Example.org", boss.ID, escalate.RoleManager, escalate.RoleChair)
		worker := mustUser(t, db, a, "worker@example.org", mgr.ID, escalate.RolePractitioner)

		q := mustPartnership(t, db, "surrey")
		qa := mustAgency(t, db, q.ID, "Surrey Police", "police")
		outsider := mustUser(t, db, qa, "out@example.org", 0, escalate.RoleManager)

		t.Run("OK", func(t *testing.T) {
			got, err := db.FindUserByEmail(ctx, p.ID, "MGR@example.org")
			if err != nil {
				t.Fatal(err)
			}
			want := escalate.User{ID: mgr.ID, PartnershipID: p.ID, AgencyID: a.ID, Name: "User Mgr@Example.org",
				Email: "mgr@example.org", Roles: []escalate.Role{escalate.RoleManager, escalate.RoleChair}, ManagerID: boss.ID}
			if got.ID != want.ID || got.Email != want.Email || got.ManagerID != want.ManagerID ||
				got.AgencyID != want.AgencyID || !slices.Equal(got.Roles, want.Roles) || got.Disabled {
				t.Errorf("FindUserByEmail = %+v, want %+v", got, want)
			}
			us, err := db.Users(ctx, p.ID)
			if err != nil || len(us) != 3 {
				t.Errorf("Users = %v, %v", us, err)
			}
			if u, err := db.FindUser(ctx, worker.ID); err != nil || u.ManagerID != mgr.ID {
				t.Errorf("FindUser = %+v, %v", u, err)
			}
		})
		t.Run("SetManager", func(t *testing.T) {
			if err := db.SetManager(ctx, worker.ID, boss.ID); err != nil {
				t.Fatal(err)
			}
			if u, _ := db.FindUser(ctx, worker.ID); u.ManagerID != boss.ID {
				t.Errorf("manager = %d, want %d", u.ManagerID, boss.ID)
			}
			if err := db.SetManager(ctx, worker.ID, 0); err != nil {
				t.Fatal(err)
			}
			if u, _ := db.FindUser(ctx, worker.ID); u.ManagerID != 0 {
				t.Errorf("manager = %d, want none", u.ManagerID)
			}
		})
		t.Run("ErrManagerLoop", func(t *testing.T) {
			wantCode(t, db.SetManager(ctx, boss.ID, mgr.ID), escalate.EINVALID) // mgr reports to boss
			wantCode(t, db.SetManager(ctx, boss.ID, boss.ID), escalate.EINVALID)
		})
		t.Run("ErrManagerElsewhere", func(t *testing.T) {
			wantCode(t, db.SetManager(ctx, worker.ID, outsider.ID), escalate.EINVALID)
		})

		ok := func() escalate.User {
			return escalate.User{PartnershipID: p.ID, AgencyID: a.ID, Name: "New Person",
				Email: "new@example.org", Roles: []escalate.Role{escalate.RolePractitioner}}
		}
		tests := []struct {
			name  string
			mod   func(u *escalate.User)
			code  string
			field string
		}{
			{"ErrNoName", func(u *escalate.User) { u.Name = "" }, escalate.EINVALID, "name"},
			{"ErrEmail", func(u *escalate.User) { u.Email = "not-an-address" }, escalate.EINVALID, "email"},
			{"ErrEmailWithName", func(u *escalate.User) { u.Email = "New <new@example.org>" }, escalate.EINVALID, "email"},
			{"ErrNoRoles", func(u *escalate.User) { u.Roles = nil }, escalate.EINVALID, "roles"},
			{"ErrUnknownRole", func(u *escalate.User) { u.Roles = []escalate.Role{"lado"} }, escalate.EINVALID, "roles"},
			{"ErrRepeatedRole", func(u *escalate.User) { u.Roles = []escalate.Role{"chair", "chair"} }, escalate.EINVALID, "roles"},
			{"ErrAgencyElsewhere", func(u *escalate.User) { u.AgencyID = qa.ID }, escalate.EINVALID, "agency"},
			{"ErrNoAgency", func(u *escalate.User) { u.AgencyID = 999 }, escalate.EINVALID, "agency"},
			{"ErrManagerElsewhere", func(u *escalate.User) { u.ManagerID = outsider.ID }, escalate.EINVALID, "manager"},
			{"ErrNoPartnership", func(u *escalate.User) { u.PartnershipID = 999 }, escalate.ENOTFOUND, ""},
			{"ErrDuplicateEmail", func(u *escalate.User) { u.Email = "WORKER@example.org" }, escalate.ECONFLICT, "email"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, events := countRows(t, db, "users"), countRows(t, db, "audit_events")
				u := ok()
				tt.mod(&u)
				err := db.CreateUser(ctx, &u)
				wantCode(t, err, tt.code)
				if f := escalate.ErrorField(err); f != tt.field {
					t.Errorf("field = %q, want %q", f, tt.field)
				}
				if countRows(t, db, "users") != before || countRows(t, db, "audit_events") != events {
					t.Error("invalid input changed the database")
				}
			})
		}
	})
}

func TestParseRoles(t *testing.T) {
	rs, err := ParseRoles("manager, chair")
	if err != nil || !slices.Equal(rs, []escalate.Role{escalate.RoleManager, escalate.RoleChair}) {
		t.Errorf("ParseRoles = %v, %v", rs, err)
	}
	for _, bad := range []string{"", ",", "boss", "manager,manager", "Manager"} {
		if _, err := ParseRoles(bad); escalate.ErrorCode(err) != escalate.EINVALID {
			t.Errorf("ParseRoles(%q) error = %v, want EINVALID", bad, err)
		}
	}
}
