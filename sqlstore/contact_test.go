package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/escalate-project/escalate"
)

// contactAuditCounts returns how many audit events of each action were written.
func contactAuditCounts(t *testing.T, db *DB) map[string]int {
	t.Helper()
	rows, err := db.db.Query(`SELECT action, COUNT(*) FROM audit_events GROUP BY action`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var a string
		var n int
		if err := rows.Scan(&a, &n); err != nil {
			t.Fatal(err)
		}
		m[a] = n
	}
	return m
}

// contactFixture is a Wirral partnership with two agencies, and a second
// partnership whose agency must never be usable from the first.
type contactFixture struct {
	p, other         *escalate.Partnership
	council, nhs, op *escalate.Agency
}

func newContactFixture(t *testing.T, db *DB) *contactFixture {
	t.Helper()
	f := &contactFixture{}
	f.p, _ = mustPackPartnership(t, db, "wirral", "wirral")
	f.other, _ = mustPackPartnership(t, db, "redbridge", "redbridge")
	f.council = mustAgency(t, db, f.p.ID, "Wirral Council", "childrens-social-care")
	f.nhs = mustAgency(t, db, f.p.ID, "Wirral Community NHS Trust", "health-provider")
	f.op = mustAgency(t, db, f.other.ID, "Redbridge Council", "childrens-social-care")
	return f
}

func (f *contactFixture) contact(a *escalate.Agency, role escalate.Role, name string) *escalate.Contact {
	return &escalate.Contact{PartnershipID: f.p.ID, AgencyID: a.ID, Role: role, Name: name,
		JobTitle: "Officer", Phone: "0151 606 2008", Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@wirral.example",
		LastVerified: "2026-11-02"}
}

func TestContacts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := WithActor(context.Background(), "cli:test")
		f := newContactFixture(t, db)
		lado := f.contact(f.council, escalate.RoleLADO, "Sam Patel")
		nurse := f.contact(f.nhs, escalate.RoleDesignatedNurse, "Ann Lee")
		door := f.contact(f.council, escalate.RoleFrontDoor, "Integrated Front Door")
		for _, c := range []*escalate.Contact{lado, nurse, door} {
			if err := db.CreateContact(ctx, c); err != nil {
				t.Fatalf("CreateContact(%s): %v", c.Name, err)
			}
		}
		t.Run("OK", func(t *testing.T) {
			cs, err := db.Contacts(ctx, f.p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.AgencyName+"/"+c.Name)
			}
			want := "Wirral Community NHS Trust/Ann Lee Wirral Council/Integrated Front Door Wirral Council/Sam Patel"
			if strings.Join(got, " ") != want {
				t.Errorf("Contacts = %q, want %q", got, want)
			}
			if cs, _ := db.Contacts(ctx, f.other.ID); len(cs) != 0 {
				t.Errorf("the other partnership sees %d contacts", len(cs))
			}
		})
		t.Run("ContactsForRoles", func(t *testing.T) {
			cs, err := db.ContactsForRoles(ctx, f.p.ID, []escalate.Role{escalate.RoleFrontDoor, escalate.RoleLADO, escalate.RoleChair})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 2 || cs[0].ID != door.ID || cs[1].ID != lado.ID {
				t.Fatalf("ContactsForRoles = %+v, want the front door then the LADO", cs)
			}
			if cs, _ := db.ContactsForRoles(ctx, f.other.ID, []escalate.Role{escalate.RoleLADO}); len(cs) != 0 {
				t.Errorf("another partnership's lookup found %d contacts", len(cs))
			}
		})
		t.Run("UpdateVerifyDelete", func(t *testing.T) {
			lado.Phone, lado.LastVerified = "+44 151 666 4582", "2026-01-05"
			if err := db.UpdateContact(ctx, lado); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindContact(ctx, f.p.ID, lado.ID)
			if err != nil || got.Phone != "+44 151 666 4582" || !got.Stale("2026-12-24") {
				t.Fatalf("after update: %+v, %v (want the new phone, stale)", got, err)
			}
			if err := db.VerifyContact(ctx, f.p.ID, lado.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := db.FindContact(ctx, f.p.ID, lado.ID); got.LastVerified != "2026-12-24" || got.Stale("2026-12-24") {
				t.Errorf("after verify last verified is %s", got.LastVerified)
			}
			// Another partnership cannot reach the contact at all.
			wantCode(t, db.VerifyContact(ctx, f.other.ID, lado.ID), escalate.ENOTFOUND)
			wantCode(t, db.DeleteContact(ctx, f.other.ID, lado.ID), escalate.ENOTFOUND)
			_, err = db.FindContact(ctx, f.other.ID, lado.ID)
			wantCode(t, err, escalate.ENOTFOUND)
			moved := *lado
			moved.PartnershipID = f.other.ID
			wantCode(t, db.UpdateContact(ctx, &moved), escalate.ENOTFOUND)

			if err := db.DeleteContact(ctx, f.p.ID, door.ID); err != nil {
				t.Fatal(err)
			}
			_, err = db.FindContact(ctx, f.p.ID, door.ID)
			wantCode(t, err, escalate.ENOTFOUND)
			a := contactAuditCounts(t, db)
			if a["contact.add"] != 3 || a["contact.update"] != 1 || a["contact.verify"] != 1 || a["contact.delete"] != 1 {
				t.Errorf("audit actions %v", a)
			}
			mustVerifyAudit(t, db)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			before := countRows(t, db, "contacts")
			tests := []struct {
				name, field, msg string
				edit             func(c *escalate.Contact)
			}{
				{"ErrRole", "role", `Role "nurse" is not a known role`, func(c *escalate.Contact) { c.Role = "nurse" }},
				{"ErrPolicyRole", "role", "", func(c *escalate.Contact) { c.Role = "lead-professional-x" }},
				{"ErrName", "name", "Name is empty", func(c *escalate.Contact) { c.Name = "  " }},
				{"ErrPhone", "phone", "not a phone number", func(c *escalate.Contact) { c.Phone = "call reception" }},
				{"ErrNoWay", "phone", "both empty", func(c *escalate.Contact) { c.Phone, c.Email = "", "" }},
				{"ErrEmail", "email", "not an email address", func(c *escalate.Contact) { c.Email = "sam at wirral" }},
				{"ErrFuture", "last-verified", "in the future", func(c *escalate.Contact) { c.LastVerified = "2027-01-01" }},
				{"ErrDate", "last-verified", "not a date", func(c *escalate.Contact) { c.LastVerified = "02/11/2026" }},
				{"ErrAgency", "agency", "agency of this partnership", func(c *escalate.Contact) { c.AgencyID = f.op.ID }},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					c := f.contact(f.council, escalate.RoleLADO, "New Person")
					tt.edit(c)
					err := db.CreateContact(ctx, c)
					wantCode(t, err, escalate.EINVALID)
					if escalate.ErrorField(err) != tt.field || !strings.Contains(escalate.ErrorMessage(err), tt.msg) {
						t.Errorf("error %v, want field %s and message with %q", err, tt.field, tt.msg)
					}
				})
			}
			// A role the policy declares is known.
			ok := f.contact(f.council, "lead-professional", "Lead Person")
			if err := db.CreateContact(ctx, ok); err != nil {
				t.Errorf("a role the policy declares: %v", err)
			}
			if n := countRows(t, db, "contacts"); n != before+1 {
				t.Errorf("contacts went from %d to %d, want one more", before, n)
			}
		})
	})
}

const goodCSV = "agency,role,name,job_title,phone,email,last_verified\n" +
	"Wirral Council,lado,Sam Patel,LADO,0151 666 4582,sam.patel@wirral.example,2026-10-01\n" +
	"wirral community nhs trust,designated-nurse,Ann Lee,\"Designated Nurse, Safeguarding\",,ann.lee@nhs.example,2026-09-15\n"

func TestImportContacts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := WithActor(context.Background(), "cli:test")
		f := newContactFixture(t, db)
		t.Run("OK", func(t *testing.T) {
			res, err := db.ImportContacts(ctx, f.p.ID, strings.NewReader(goodCSV))
			if err != nil || res.Added != 2 || res.Updated != 0 {
				t.Fatalf("import: %+v, %v", res, err)
			}
			cs, _ := db.ContactsForRoles(ctx, f.p.ID, []escalate.Role{escalate.RoleDesignatedNurse})
			if len(cs) != 1 || cs[0].JobTitle != "Designated Nurse, Safeguarding" || cs[0].AgencyName != "Wirral Community NHS Trust" {
				t.Fatalf("imported nurse %+v", cs)
			}
			// The same file again updates rather than duplicates; columns may
			// come in any order, with a BOM and spaces.
			again := "\ufeffName, Role ,Agency,Job title,Phone,Email,Last verified\n" +
				"Sam Patel,lado,Wirral Council,LADO,0151 666 0000,sam.patel@wirral.example,2026-12-01\n"
			res, err = db.ImportContacts(ctx, f.p.ID, strings.NewReader(again))
			if err != nil || res.Added != 0 || res.Updated != 1 {
				t.Fatalf("re-import: %+v, %v", res, err)
			}
			if n := countRows(t, db, "contacts"); n != 2 {
				t.Errorf("%d contacts after re-import, want 2", n)
			}
			if a := contactAuditCounts(t, db); a["contact.import"] != 2 || a["contact.add"] != 2 || a["contact.update"] != 1 {
				t.Errorf("audit actions %v", a)
			}
		})
		t.Run("ErrBadRow", func(t *testing.T) {
			before := countRows(t, db, "contacts")
			audits := countRows(t, db, "audit_events")
			bad := "agency,role,name,job_title,phone,email,last_verified\n" +
				"Wirral Council,front-door,Front Door,\"Integrated\nFront Door\",0151 606 2008,,2026-10-01\n" + // lines 2-3
				"Wirral Council,lado,New LADO,LADO,0151 666 4582,,2026-10-01\n" + // line 4: good
				"Wirral Council,nurse,Pat Kay,Nurse,0151 666 1111,,2026-10-01\n" + // line 5
				"Nowhere Agency,lado,Al Bee,LADO,0151 666 1111,,2026-10-01\n" + // line 6
				"Wirral Council,lado,Cy Dee,LADO,,,2026-10-01\n" + // line 7
				"Wirral Council,lado,Ed Fox\n" // line 8
			res, err := db.ImportContacts(ctx, f.p.ID, strings.NewReader(bad))
			wantCode(t, err, escalate.EINVALID)
			want := []string{
				`line 5: role "nurse" is not a known role.`,
				`line 6: agency "Nowhere Agency" is not an agency of this partnership`,
				`line 7: phone and email are both empty: enter at least one way to reach the contact.`,
				`line 8: 3 fields, but the header has 7`,
			}
			if strings.Join(res.Problems, "\n") != strings.Join(want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(res.Problems, "\n"), strings.Join(want, "\n"))
			}
			if !strings.Contains(escalate.ErrorMessage(err), "4 rows") || res.Added != 0 {
				t.Errorf("error %v, result %+v", err, res)
			}
			if n := countRows(t, db, "contacts"); n != before {
				t.Errorf("contacts went from %d to %d: a bad file imported something", before, n)
			}
			if n := countRows(t, db, "audit_events"); n != audits {
				t.Errorf("audit events went from %d to %d", audits, n)
			}
		})
		t.Run("ErrHeader", func(t *testing.T) {
			tests := map[string]string{
				"":                       "line 1: the file is empty",
				"agency,role,name\n":     `line 1: column "job_title" is missing`,
				"agency,role,name,fax\n": `line 1: column "fax" is not one of`,
				strings.SplitN(goodCSV, "\n", 2)[0] + "\n": "line 2: the file has a header but no contacts",
				"agency,\"role\n":                          `line 1: extraneous or missing " in quoted-field`,
			}
			for in, want := range tests {
				res, err := db.ImportContacts(ctx, f.p.ID, strings.NewReader(in))
				wantCode(t, err, escalate.EINVALID)
				if len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0], want) {
					t.Errorf("import of %q: problems %q, want %q", in, res.Problems, want)
				}
			}
		})
	})
}

func TestSetRolesEnableUser(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := WithActor(context.Background(), "cli:test")
		f := newContactFixture(t, db)
		u := mustUser(t, db, f.council, "jo@wirral.example", 0, escalate.RolePractitioner)
		if err := db.SetRoles(ctx, u.ID, []escalate.Role{escalate.RoleManager, escalate.RoleBusinessManager}); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FindUser(ctx, u.ID)
		if formatRoles(got.Roles) != "manager,business-manager" {
			t.Errorf("roles %v", got.Roles)
		}
		wantCode(t, db.SetRoles(ctx, u.ID, []escalate.Role{"nurse"}), escalate.EINVALID)
		wantCode(t, db.SetRoles(ctx, u.ID, nil), escalate.EINVALID)
		wantCode(t, db.SetRoles(ctx, 9999, []escalate.Role{escalate.RoleManager}), escalate.ENOTFOUND)
		if err := db.DisableUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.EnableUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindUser(ctx, u.ID); got.Disabled {
			t.Error("still disabled after EnableUser")
		}
		wantCode(t, db.EnableUser(ctx, 9999), escalate.ENOTFOUND)
		if a := contactAuditCounts(t, db); a["user.roles"] != 1 || a["user.disable"] != 1 || a["user.enable"] != 1 {
			t.Errorf("audit actions %v", a)
		}
	})
}
