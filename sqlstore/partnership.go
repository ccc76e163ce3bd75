package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// querier is what both *sql.DB and *sql.Tx offer, so one lookup serves
// inside and outside a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// keyPattern is a partnership key: short, lower case, URL-safe.
var keyPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// maxName bounds names so that a stray paste cannot fill a page.
const maxName = 200

func checkName(field, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return escalate.FieldErrorf(field, "A %s is required.", field)
	case v != strings.TrimSpace(v):
		return escalate.FieldErrorf(field, "The %s must not start or end with spaces.", field)
	case !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxName:
		return escalate.FieldErrorf(field, "The %s must be text of at most %d characters.", field, maxName)
	}
	return nil
}

// PolicyVersion is one policy text a partnership has followed, stored
// verbatim. Escalations pin the version they start under.
type PolicyVersion struct {
	ID             int64
	PartnershipID  int64
	PolicyID       string
	Version        string // the policy's own version, e.g. "3rd edition"
	SHA256         string // hex SHA-256 of YAML
	YAML           []byte
	Division       string // the policy's calendar division
	WorkingDayEnds string // HH:MM, London time
	Created        time.Time
}

// CreatePartnership adds a partnership following pol, whose file text is
// raw, and stores that text as its first policy version. p.Key, p.Name and
// p.PolicyID (defaulting to pol.ID) are set by the caller; ID and Created are
// filled in.
func (db *DB) CreatePartnership(ctx context.Context, p *escalate.Partnership, pol *escalate.Policy, raw []byte) error {
	if p.PolicyID == "" && pol != nil {
		p.PolicyID = pol.ID
	}
	if !keyPattern.MatchString(p.Key) || len(p.Key) > 40 {
		return escalate.FieldErrorf("key", "The key %q must be 1 to 40 lower-case letters, digits and single hyphens, e.g. \"redbridge\".", p.Key)
	}
	if err := checkName("name", p.Name); err != nil {
		return err
	}
	if err := checkPolicy(pol, raw); err != nil {
		return err
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO partnerships (key, name, policy_id, created) VALUES ($1, $2, $3, $4)
			RETURNING id`, p.Key, p.Name, p.PolicyID, timeArg(tx.now)).Scan(&p.ID)
		if err != nil {
			return conflictMessage(err, "There is already a partnership with the key %q.", p.Key)
		}
		p.Created = tx.now
		if err := tx.AuditIn(p.ID, Actor(ctx), "partnership.add", fmt.Sprintf("partnership:%d", p.ID),
			map[string]string{"key": p.Key, "name": p.Name, "policy": p.PolicyID}); err != nil {
			return err
		}
		_, err = tx.setPolicy(p.ID, pol, raw)
		return err
	})
}

// checkPolicy refuses a policy the store could not pin or build a calendar
// from. The policy package has already checked the rest.
func checkPolicy(pol *escalate.Policy, raw []byte) error {
	if pol == nil || len(raw) == 0 {
		return escalate.FieldErrorf("policy", "A policy is required.")
	}
	if pol.ID == "" {
		return escalate.FieldErrorf("policy", "The policy has no id.")
	}
	if pol.Template {
		return escalate.FieldErrorf("policy", "The policy is a template (template: true): copy it, change its values to your own policy's and delete \"template: true\" first.")
	}
	if !slices.Contains(calendar.Divisions(), pol.Calendar.Division) {
		return escalate.FieldErrorf("policy", "The policy's calendar division %q is not one of %s.",
			pol.Calendar.Division, strings.Join(calendar.Divisions(), ", "))
	}
	if _, _, err := parseClock(workingDayEnds(pol)); err != nil {
		return escalate.FieldErrorf("policy", "The policy's working day end %q is not a time HH:MM.", pol.Calendar.WorkingDayEnds)
	}
	return nil
}

func workingDayEnds(pol *escalate.Policy) string {
	if pol.Calendar.WorkingDayEnds == "" {
		return "17:00"
	}
	return pol.Calendar.WorkingDayEnds
}

// parseClock reads HH:MM.
func parseClock(s string) (hour, min int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, err
	}
	return t.Hour(), t.Minute(), nil
}

// SetPolicy makes pol (file text raw) the policy that new escalations of the
// partnership follow. Text the partnership has followed before reuses its
// stored version. Running escalations keep the version they pinned. It
// trusts pol to have been checked; PublishPolicy checks it itself, and who
// may publish, and is what people and the command line use.
func (db *DB) SetPolicy(ctx context.Context, partnershipID int64, pol *escalate.Policy, raw []byte) (*PolicyVersion, error) {
	if err := checkPolicy(pol, raw); err != nil {
		return nil, err
	}
	var v *PolicyVersion
	err := db.WithTx(ctx, func(tx *Tx) error {
		if _, err := findPartnership(ctx, tx, "id", partnershipID); err != nil {
			return err
		}
		var err error
		v, err = tx.setPolicy(partnershipID, pol, raw)
		return err
	})
	return v, err
}

func (tx *Tx) setPolicy(partnershipID int64, pol *escalate.Policy, raw []byte) (*PolicyVersion, error) {
	sum := sha256.Sum256(raw)
	v := &PolicyVersion{
		PartnershipID:  partnershipID,
		PolicyID:       pol.ID,
		Version:        pol.Version,
		SHA256:         hex.EncodeToString(sum[:]),
		YAML:           raw,
		Division:       pol.Calendar.Division,
		WorkingDayEnds: workingDayEnds(pol),
		Created:        tx.now,
	}
	err := tx.QueryRowContext(tx.ctx, `SELECT id, created FROM policy_versions WHERE partnership_id = $1 AND sha256 = $2`,
		partnershipID, v.SHA256).Scan(&v.ID, scanTime(&v.Created))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = tx.QueryRowContext(tx.ctx, `
			INSERT INTO policy_versions (partnership_id, policy_id, version, sha256, yaml, division, working_day_ends, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			partnershipID, v.PolicyID, v.Version, v.SHA256, string(raw), v.Division, v.WorkingDayEnds, timeArg(tx.now),
		).Scan(&v.ID)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE partnerships SET policy_id = $1, policy_version_id = $2 WHERE id = $3`,
		v.PolicyID, v.ID, partnershipID); err != nil {
		return nil, err
	}
	if err := tx.recordPublication(partnershipID, v.ID); err != nil {
		return nil, err
	}
	return v, tx.AuditIn(partnershipID, Actor(tx.ctx), "partnership.policy", fmt.Sprintf("partnership:%d", partnershipID),
		map[string]any{"policy": v.PolicyID, "version": v.Version, "sha256": v.SHA256, "policy_version_id": v.ID})
}

// FindPartnership returns the partnership with the given key.
func (db *DB) FindPartnership(ctx context.Context, key string) (*escalate.Partnership, error) {
	p, err := findPartnership(ctx, db.db, "key", key)
	return p, WrapError(err)
}

// FindPartnershipByID returns the partnership with the given ID.
func (db *DB) FindPartnershipByID(ctx context.Context, id int64) (*escalate.Partnership, error) {
	p, err := findPartnership(ctx, db.db, "id", id)
	return p, WrapError(err)
}

// Partnerships returns every partnership, ordered by key.
func (db *DB) Partnerships(ctx context.Context) ([]*escalate.Partnership, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, key, name, policy_id, created, second_factor_optional, api_roles FROM partnerships ORDER BY key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []*escalate.Partnership
	for rows.Next() {
		var p escalate.Partnership
		var api string
		if err := rows.Scan(&p.ID, &p.Key, &p.Name, &p.PolicyID, scanTime(&p.Created), &p.SecondFactorOptional, &api); err != nil {
			return nil, err
		}
		p.APIRoles = parseAPIRoles(api)
		ps = append(ps, &p)
	}
	return ps, rows.Err()
}

// findPartnership looks a partnership up by "id" or "key".
func findPartnership(ctx context.Context, q querier, by string, v any) (*escalate.Partnership, error) {
	var p escalate.Partnership
	var api string
	err := q.QueryRowContext(ctx, `SELECT id, key, name, policy_id, created, second_factor_optional, api_roles FROM partnerships WHERE `+by+` = $1`, v).
		Scan(&p.ID, &p.Key, &p.Name, &p.PolicyID, scanTime(&p.Created), &p.SecondFactorOptional, &api)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no partnership %v.", v)
	}
	p.APIRoles = parseAPIRoles(api)
	return &p, err
}

// parseAPIRoles reads the api_roles column: ” is everyone (nil); "none"
// is no one.
func parseAPIRoles(s string) []escalate.Role {
	if s == "" {
		return nil
	}
	out := []escalate.Role{}
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" && r != "none" {
			out = append(out, escalate.Role(r))
		}
	}
	return out
}

// SetAPIRoles sets who in the partnership may use the JSON API: nil for
// everyone, else the roles (an empty list for no one). Audited as
// "partnership.api_roles" by the actor of ctx.
func (db *DB) SetAPIRoles(ctx context.Context, partnershipID int64, roles []escalate.Role) error {
	val := ""
	if roles != nil {
		parts := []string{"none"}
		if len(roles) > 0 {
			parts = parts[:0]
		}
		for _, r := range roles {
			if !escalate.IsUserRole(r) {
				return escalate.FieldErrorf("api_roles", "%q is not a role Escalate knows.", r)
			}
			parts = append(parts, string(r))
		}
		val = strings.Join(parts, ",")
	}
	return db.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE partnerships SET api_roles = $1 WHERE id = $2`, val, partnershipID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such partnership.")
		}
		return tx.Audit(Actor(ctx), "partnership.api_roles", fmt.Sprintf("partnership:%d", partnershipID),
			map[string]any{"api_roles": val})
	})
}

// CurrentPolicyVersion returns the policy version new escalations of the
// partnership pin.
func (db *DB) CurrentPolicyVersion(ctx context.Context, partnershipID int64) (*PolicyVersion, error) {
	v, err := currentPolicyVersion(ctx, db.db, partnershipID)
	return v, WrapError(err)
}

// PolicyVersion returns the stored policy version with the given ID.
func (db *DB) PolicyVersion(ctx context.Context, id int64) (*PolicyVersion, error) {
	v, err := findPolicyVersion(ctx, db.db, `v.id = $1`, id)
	return v, WrapError(err)
}

func currentPolicyVersion(ctx context.Context, q querier, partnershipID int64) (*PolicyVersion, error) {
	return findPolicyVersion(ctx, q, `v.id = (SELECT policy_version_id FROM partnerships WHERE id = $1)`, partnershipID)
}

func findPolicyVersion(ctx context.Context, q querier, where string, arg any) (*PolicyVersion, error) {
	var v PolicyVersion
	var yaml string
	err := q.QueryRowContext(ctx, `
		SELECT v.id, v.partnership_id, v.policy_id, v.version, v.sha256, v.yaml, v.division, v.working_day_ends, v.created
		FROM policy_versions v WHERE `+where, arg).Scan(
		&v.ID, &v.PartnershipID, &v.PolicyID, &v.Version, &v.SHA256, &yaml, &v.Division, &v.WorkingDayEnds, scanTime(&v.Created))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no such policy version.")
	}
	v.YAML = []byte(yaml)
	return &v, err
}

// lockPartnership locks partnership id's row on PostgreSQL until the
// transaction ends, for a change of the partnership's own settings that
// must not interleave with another (publishing its policy); SQLite's
// immediate transaction holds the only write lock already.
func (tx *Tx) lockPartnership(id int64) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	_, err := tx.exec(`SELECT id FROM partnerships WHERE id = $1 FOR UPDATE`, id)
	return err
}
