package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/escalate-project/escalate"
)

func TestWrapError(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		p := mustPartnership(t, db, "redbridge")
		a := mustAgency(t, db, p.ID, "Health Trust", "health-provider")
		mustUser(t, db, a, "ann@example.org", 0, escalate.RoleManager)

		tests := []struct {
			name  string
			err   func() error
			code  string
			field string
		}{
			{"UniqueKey", func() error {
				pol, raw := testPolicy("redbridge", "england-and-wales")
				return db.CreatePartnership(ctx, &escalate.Partnership{Key: "redbridge", Name: "Again"}, pol, raw)
			}, escalate.ECONFLICT, "key"},
			{"UniqueName", func() error {
				return db.CreateAgency(ctx, &escalate.Agency{PartnershipID: p.ID, Name: "Health Trust", Kind: "police"})
			}, escalate.ECONFLICT, "name"},
			{"UniqueEmailAnyCase", func() error {
				return db.CreateUser(ctx, &escalate.User{PartnershipID: p.ID, AgencyID: a.ID, Name: "Ann Two",
					Email: "Ann@Example.org", Roles: []escalate.Role{escalate.RolePractitioner}})
			}, escalate.ECONFLICT, "email"},
			{"UniqueExpressionIndex", func() error {
				_, err := db.db.ExecContext(ctx, `INSERT INTO calendar_events (partnership_id, division, date, name, notes, source, created)
					VALUES (NULL, 'scotland', '2030-01-03', 'x', '', 't', $1), (NULL, 'scotland', '2030-01-03', 'y', '', 't', $1)`, timeArg(testNow))
				return WrapError(err)
			}, escalate.ECONFLICT, ""},
			{"ForeignKey", func() error {
				_, err := db.db.ExecContext(ctx, `INSERT INTO agencies (partnership_id, name, kind, created) VALUES (999, 'Ghost', 'police', $1)`, timeArg(testNow))
				return WrapError(err)
			}, escalate.EINVALID, ""},
			{"CompositeForeignKey", func() error {
				q := mustPartnership(t, db, "wirral")
				_, err := db.db.ExecContext(ctx, `INSERT INTO users (partnership_id, agency_id, name, email, roles, created)
					VALUES ($1, $2, 'X', 'x@example.org', 'manager', $3)`, q.ID, a.ID, timeArg(testNow))
				return WrapError(err)
			}, escalate.EINVALID, ""},
			{"NoRows", func() error {
				var n int
				return WrapError(db.db.QueryRowContext(ctx, `SELECT 1 FROM partnerships WHERE key = 'none'`).Scan(&n))
			}, escalate.ENOTFOUND, ""},
			{"NotFound", func() error {
				_, err := db.FindPartnership(ctx, "none")
				return err
			}, escalate.ENOTFOUND, ""},
			{"Wrapped", func() error {
				return WrapError(fmt.Errorf("context: %w", sql.ErrNoRows))
			}, escalate.ENOTFOUND, ""},
			{"Other", func() error {
				_, err := db.db.ExecContext(ctx, `SELECT * FROM no_such_table`)
				return WrapError(err)
			}, escalate.EINTERNAL, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.err()
				wantCode(t, err, tt.code)
				if got := escalate.ErrorField(err); got != tt.field {
					t.Errorf("field = %q, want %q (%v)", got, tt.field, err)
				}
			})
		}
	})
}

func TestWrapErrorPassesDomainErrors(t *testing.T) {
	in := escalate.Errorf(escalate.EFORBIDDEN, "no")
	if out := WrapError(in); !errors.Is(out, in) {
		t.Errorf("WrapError(%v) = %v, want it unchanged", in, out)
	}
	if WrapError(nil) != nil {
		t.Error("WrapError(nil) != nil")
	}
}
