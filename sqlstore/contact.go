package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/policy"
)

// CurrentPolicy returns the policy new escalations of the partnership follow,
// parsed.
func (db *DB) CurrentPolicy(ctx context.Context, partnershipID int64) (*escalate.Policy, error) {
	p, err := currentPolicy(ctx, db.db, partnershipID)
	return p, WrapError(err)
}

func currentPolicy(ctx context.Context, q querier, partnershipID int64) (*escalate.Policy, error) {
	v, err := currentPolicyVersion(ctx, q, partnershipID)
	if err != nil {
		return nil, err
	}
	if p, ok := policies.Load(v.SHA256); ok {
		return p.(*escalate.Policy), nil
	}
	pol, _, err := policy.Load(fmt.Sprintf("policy-version-%d.yaml", v.ID), v.YAML)
	if err != nil {
		return nil, fmt.Errorf("policy version %d no longer loads: %w", v.ID, err)
	}
	p, _ := policies.LoadOrStore(v.SHA256, pol)
	return p.(*escalate.Policy), nil
}

// maxContactField bounds the free-text fields of a contact.
const maxContactField = 200

// checkContact checks c's own fields against the partnership's policy and
// today's London date. Messages name the field as the form and the CSV
// header do.
func checkContact(c *escalate.Contact, pol *escalate.Policy, today string) error {
	c.Name, c.JobTitle = strings.TrimSpace(c.Name), strings.TrimSpace(c.JobTitle)
	c.Phone, c.Email = strings.TrimSpace(c.Phone), strings.TrimSpace(c.Email)
	c.LastVerified = strings.TrimSpace(c.LastVerified)
	c.Role = escalate.Role(strings.ToLower(strings.TrimSpace(string(c.Role))))
	switch {
	case c.Role == "":
		return escalate.FieldErrorf("role", "Role is empty: choose the role this contact holds.")
	case !pol.KnownRole(c.Role):
		return escalate.FieldErrorf("role", "Role %q is not a known role.", c.Role)
	case c.Name == "":
		return escalate.FieldErrorf("name", "Name is empty: enter the contact's full name.")
	case !utf8.ValidString(c.Name) || utf8.RuneCountInString(c.Name) > maxContactField:
		return escalate.FieldErrorf("name", "Name must be at most %d characters.", maxContactField)
	case !utf8.ValidString(c.JobTitle) || utf8.RuneCountInString(c.JobTitle) > maxContactField:
		return escalate.FieldErrorf("job-title", "Job title must be at most %d characters.", maxContactField)
	case c.Phone == "" && c.Email == "":
		return escalate.FieldErrorf("phone", "Phone and email are both empty: enter at least one way to reach the contact.")
	}
	if c.Phone != "" && !validContactPhone(c.Phone) {
		return escalate.FieldErrorf("phone", "Phone %q is not a phone number like 0151 606 2008 or +44 151 606 2008.", c.Phone)
	}
	if c.Email != "" {
		e, err := normalEmail(c.Email)
		if err != nil {
			return escalate.FieldErrorf("email", "Email %q is not an email address like name@example.org.", c.Email)
		}
		c.Email = e
	}
	d, err := calendar.ParseDate(c.LastVerified)
	switch {
	case c.LastVerified == "":
		return escalate.FieldErrorf("last-verified", "Last verified is empty: give the date the details were last checked, as YYYY-MM-DD.")
	case err != nil:
		return escalate.FieldErrorf("last-verified", "Last verified %q is not a date like 2026-11-23.", c.LastVerified)
	case d.String() > today:
		return escalate.FieldErrorf("last-verified", "Last verified %s is in the future.", c.LastVerified)
	}
	c.LastVerified = d.String()
	return nil
}

// validContactPhone accepts the characters of a written UK or international
// number, with 6 to 15 digits.
func validContactPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// contactToday is the London date of the transaction.
func (tx *Tx) contactToday() string { return calendar.DateOf(tx.now).String() }

// contactAgency returns the partnership's agency with the given ID, or an
// EINVALID error on the agency field.
func contactAgency(ctx context.Context, q querier, partnershipID, agencyID int64) (*escalate.Agency, error) {
	a, err := findAgency(ctx, q, `id = $1`, agencyID)
	if notFound(err) || err == nil && a.PartnershipID != partnershipID {
		return nil, escalate.FieldErrorf("agency", "Choose an agency of this partnership.")
	}
	return a, err
}

func contactAudit(c *escalate.Contact) map[string]any {
	return map[string]any{"partnership_id": c.PartnershipID, "agency_id": c.AgencyID, "role": string(c.Role),
		"name": c.Name, "job_title": c.JobTitle, "phone": c.Phone, "email": c.Email, "last_verified": c.LastVerified}
}

// CreateContact adds a contact to the directory; ID is filled in.
func (db *DB) CreateContact(ctx context.Context, c *escalate.Contact) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		pol, err := currentPolicy(ctx, tx, c.PartnershipID)
		if err != nil {
			return err
		}
		if err := checkContact(c, pol, tx.contactToday()); err != nil {
			return err
		}
		return tx.insertContact(c)
	})
}

func (tx *Tx) insertContact(c *escalate.Contact) error {
	a, err := contactAgency(tx.ctx, tx, c.PartnershipID, c.AgencyID)
	if err != nil {
		return err
	}
	err = tx.QueryRowContext(tx.ctx, `
		INSERT INTO contacts (partnership_id, agency_id, role, name, job_title, phone, email, last_verified, created)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		c.PartnershipID, c.AgencyID, string(c.Role), c.Name, c.JobTitle, c.Phone, c.Email, c.LastVerified, timeArg(tx.now),
	).Scan(&c.ID)
	if err != nil {
		return WrapError(err)
	}
	c.AgencyName, c.Created = a.Name, tx.now
	return tx.AuditIn(c.PartnershipID, Actor(tx.ctx), "contact.add", fmt.Sprintf("contact:%d", c.ID), contactAudit(c))
}

// UpdateContact replaces the stored details of contact c.ID, which must be
// of c.PartnershipID.
func (db *DB) UpdateContact(ctx context.Context, c *escalate.Contact) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		old, err := findContact(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if old.PartnershipID != c.PartnershipID {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such contact.")
		}
		pol, err := currentPolicy(ctx, tx, c.PartnershipID)
		if err != nil {
			return err
		}
		if err := checkContact(c, pol, tx.contactToday()); err != nil {
			return err
		}
		return tx.updateContact(c)
	})
}

func (tx *Tx) updateContact(c *escalate.Contact) error {
	a, err := contactAgency(tx.ctx, tx, c.PartnershipID, c.AgencyID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(tx.ctx, `
		UPDATE contacts SET agency_id = $1, role = $2, name = $3, job_title = $4, phone = $5, email = $6, last_verified = $7
		WHERE id = $8`, c.AgencyID, string(c.Role), c.Name, c.JobTitle, c.Phone, c.Email, c.LastVerified, c.ID); err != nil {
		return WrapError(err)
	}
	c.AgencyName = a.Name
	return tx.AuditIn(c.PartnershipID, Actor(tx.ctx), "contact.update", fmt.Sprintf("contact:%d", c.ID), contactAudit(c))
}

// VerifyContact records that the partnership's contact id was checked today.
func (db *DB) VerifyContact(ctx context.Context, partnershipID, id int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		c, err := findContact(ctx, tx, id)
		if err != nil || c.PartnershipID != partnershipID {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such contact.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contacts SET last_verified = $1 WHERE id = $2`, tx.contactToday(), id); err != nil {
			return err
		}
		return tx.AuditIn(partnershipID, Actor(ctx), "contact.verify", fmt.Sprintf("contact:%d", id),
			map[string]any{"last_verified": tx.contactToday(), "was": c.LastVerified})
	})
}

// DeleteContact removes the partnership's contact id from the directory.
func (db *DB) DeleteContact(ctx context.Context, partnershipID, id int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		c, err := findContact(ctx, tx, id)
		if err != nil || c.PartnershipID != partnershipID {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such contact.")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id = $1`, id); err != nil {
			return err
		}
		return tx.AuditIn(partnershipID, Actor(ctx), "contact.delete", fmt.Sprintf("contact:%d", id), contactAudit(c))
	})
}

// FindContact returns the partnership's contact id.
func (db *DB) FindContact(ctx context.Context, partnershipID, id int64) (*escalate.Contact, error) {
	c, err := findContact(ctx, db.db, id)
	if err == nil && c.PartnershipID != partnershipID {
		err = escalate.Errorf(escalate.ENOTFOUND, "There is no such contact.")
	}
	return c, WrapError(err)
}

// Contacts returns the partnership's contacts ordered by agency, role and
// name.
func (db *DB) Contacts(ctx context.Context, partnershipID int64) ([]*escalate.Contact, error) {
	return queryContacts(ctx, db.db, `c.partnership_id = $1`, partnershipID)
}

// ContactsForRoles returns the partnership's contacts holding any of roles,
// in the order of roles and then by agency and name: the raise page's
// immediate-risk route and an escalation's "who to contact".
func (db *DB) ContactsForRoles(ctx context.Context, partnershipID int64, roles []escalate.Role) ([]*escalate.Contact, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	args := []any{partnershipID}
	var in []string
	for _, r := range roles {
		args = append(args, string(r))
		in = append(in, fmt.Sprintf("$%d", len(args)))
	}
	cs, err := queryContacts(ctx, db.db, `c.partnership_id = $1 AND c.role IN (`+strings.Join(in, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	// The query orders by agency and name; a stable sort by the caller's
	// role order keeps that within each role.
	slices.SortStableFunc(cs, func(a, b *escalate.Contact) int {
		return slices.Index(roles, a.Role) - slices.Index(roles, b.Role)
	})
	return cs, nil
}

const contactColumns = `c.id, c.partnership_id, c.agency_id, a.name, c.role, c.name, c.job_title, c.phone, c.email, c.last_verified, c.created`

func queryContacts(ctx context.Context, q querier, where string, args ...any) ([]*escalate.Contact, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+contactColumns+` FROM contacts c JOIN agencies a ON a.id = c.agency_id
		WHERE `+where+` ORDER BY a.name, c.role, c.name, c.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []*escalate.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

func findContact(ctx context.Context, q querier, id int64) (*escalate.Contact, error) {
	c, err := scanContact(q.QueryRowContext(ctx, `SELECT `+contactColumns+`
		FROM contacts c JOIN agencies a ON a.id = c.agency_id WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such contact.")
	}
	return c, err
}

func scanContact(row interface{ Scan(...any) error }) (*escalate.Contact, error) {
	var c escalate.Contact
	var role string
	err := row.Scan(&c.ID, &c.PartnershipID, &c.AgencyID, &c.AgencyName, &role, &c.Name, &c.JobTitle,
		&c.Phone, &c.Email, &c.LastVerified, scanTime(&c.Created))
	c.Role = escalate.Role(role)
	return &c, err
}
