package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/escalate-project/escalate"
)

// CreateAgency adds an agency to its partnership; ID is filled in.
func (db *DB) CreateAgency(ctx context.Context, a *escalate.Agency) error {
	if err := checkName("name", a.Name); err != nil {
		return err
	}
	if !escalate.KnownAgencyKind(a.Kind) {
		return escalate.FieldErrorf("kind", "Choose the kind of agency: %q is not one of %s.", a.Kind, strings.Join(escalate.AgencyKindKeys(), ", "))
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		if _, err := findPartnership(ctx, tx, "id", a.PartnershipID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `
			INSERT INTO agencies (partnership_id, name, kind, created) VALUES ($1, $2, $3, $4)
			RETURNING id`, a.PartnershipID, a.Name, a.Kind, timeArg(tx.now)).Scan(&a.ID)
		if err != nil {
			return conflictMessage(err, "The partnership already has an agency called %q.", a.Name)
		}
		return tx.AuditIn(a.PartnershipID, Actor(ctx), "agency.add", fmt.Sprintf("agency:%d", a.ID),
			map[string]any{"partnership_id": a.PartnershipID, "name": a.Name, "kind": a.Kind})
	})
}

// FindAgency returns the agency of the partnership with the given name.
func (db *DB) FindAgency(ctx context.Context, partnershipID int64, name string) (*escalate.Agency, error) {
	a, err := findAgency(ctx, db.db, `partnership_id = $1 AND name = $2`, partnershipID, name)
	return a, WrapError(err)
}

// FindAgencyByID returns the agency with the given ID.
func (db *DB) FindAgencyByID(ctx context.Context, id int64) (*escalate.Agency, error) {
	a, err := findAgency(ctx, db.db, `id = $1`, id)
	return a, WrapError(err)
}

// Agencies returns the partnership's agencies ordered by name.
func (db *DB) Agencies(ctx context.Context, partnershipID int64) ([]*escalate.Agency, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, partnership_id, name, kind FROM agencies WHERE partnership_id = $1 ORDER BY name`, partnershipID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var as []*escalate.Agency
	for rows.Next() {
		var a escalate.Agency
		if err := rows.Scan(&a.ID, &a.PartnershipID, &a.Name, &a.Kind); err != nil {
			return nil, err
		}
		as = append(as, &a)
	}
	return as, rows.Err()
}

func findAgency(ctx context.Context, q querier, where string, args ...any) (*escalate.Agency, error) {
	var a escalate.Agency
	err := q.QueryRowContext(ctx, `SELECT id, partnership_id, name, kind FROM agencies WHERE `+where, args...).
		Scan(&a.ID, &a.PartnershipID, &a.Name, &a.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such agency.")
	}
	return &a, err
}
