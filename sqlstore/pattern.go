package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Patterns (doc/learning.md): the same agency pair, either way round, and
// category recurring within a London calendar quarter at least the
// partnership's threshold of times is flagged to the Business Manager, once
// per pair, category and quarter, in the transaction of the raise that
// reaches the threshold.

// patternQuery is the pattern check's one query per category of a raise
// (nearly always one): how many of an agency pair's escalations raised in
// a quarter, either way round, have the category, counting no further than
// the threshold. Each branch is one range of escalations_pair_created
// (TestPatternQueryPlan), so the rows read are the pair's of the quarter,
// and the LIMIT stops at the threshold; a raise never names its own agency,
// so the branches never overlap.
const patternQuery = `SELECT COUNT(*) FROM (
	SELECT 1 AS one FROM escalations
	WHERE raising_agency_id = $1 AND receiving_agency_id = $2 AND created >= $3 AND created < $4 AND categories LIKE $5 ESCAPE '\'
	UNION ALL
	SELECT 1 AS one FROM escalations
	WHERE raising_agency_id = $2 AND receiving_agency_id = $1 AND created >= $3 AND created < $4 AND categories LIKE $5 ESCAPE '\'
	LIMIT $6) pair`

// categoryLike is the LIKE pattern that finds key in a JSON array of
// category keys.
func categoryLike(key string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return `%"` + r.Replace(key) + `"%`
}

// Quarter returns the London calendar quarter of t, as "2026-Q4", and the
// instants it runs from (inclusive) and to (exclusive).
func Quarter(t time.Time) (name string, from, to time.Time) {
	l := t.In(calendar.London)
	q := (int(l.Month()) - 1) / 3
	from = time.Date(l.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, calendar.London)
	to = from.AddDate(0, 3, 0)
	return fmt.Sprintf("%d-Q%d", l.Year(), q+1), from.UTC(), to.UTC()
}

// flagPatterns checks e, just raised, against threshold (0: off) and flags
// each of its categories whose count for e's agency pair this quarter has
// reached it and is not flagged yet.
func (tx *Tx) flagPatterns(e *escalate.Escalation, threshold int) error {
	if threshold <= 0 {
		return nil
	}
	name, from, to := Quarter(e.Created)
	a, b := min(e.RaisingAgencyID, e.ReceivingAgencyID), max(e.RaisingAgencyID, e.ReceivingAgencyID)
	for _, c := range e.Categories {
		var n int
		if err := tx.queryRow(patternQuery, e.RaisingAgencyID, e.ReceivingAgencyID, timeArg(from), timeArg(to),
			categoryLike(c), threshold).Scan(&n); err != nil {
			return fmt.Errorf("patterns: %w", err)
		}
		if n < threshold {
			continue
		}
		var id int64
		err := tx.queryRow(`INSERT INTO pattern_flags (partnership_id, agency_a, agency_b, category, quarter, count, threshold, escalation_id, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (partnership_id, agency_a, agency_b, category, quarter) DO NOTHING RETURNING id`,
			e.PartnershipID, a, b, c, name, n, threshold, e.ID, timeArg(tx.now)).Scan(&id)
		if notFound(WrapError(err)) {
			continue // flagged already this quarter
		} else if err != nil {
			return fmt.Errorf("pattern flag: %w", err)
		}
		if err := tx.AuditIn(e.PartnershipID, fmt.Sprintf("user:%d", e.RaisedBy), escalate.ActionPatternFlag, fmt.Sprintf("pattern:%d", id),
			map[string]any{"agencies": []int64{a, b}, "category": c, "quarter": name, "count": n, "threshold": threshold, "ref": e.Ref}); err != nil {
			return err
		}
		if err := tx.insertOutbox(escalate.ActionPatternFlag, e.ID, escalate.Recipient{Role: escalate.RoleBusinessManager}, "pattern-flagged",
			jsonText(map[string]any{"ref": e.Ref, "action": escalate.ActionPatternFlag, "quarter": name})); err != nil {
			return err
		}
	}
	return nil
}

// PatternFlags returns the partnership's pattern flags, newest first, with
// the agencies' names. For the Business Manager, chair and vice chair.
func (db *DB) PatternFlags(ctx context.Context) ([]escalate.PatternFlag, error) {
	var out []escalate.PatternFlag
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		rows, err := tx.query(`SELECT f.id, f.agency_a, f.agency_b, a.name, b.name, f.category, f.quarter, f.count, f.threshold, e.ref, f.created
			FROM pattern_flags f JOIN agencies a ON a.id = f.agency_a JOIN agencies b ON b.id = f.agency_b
			JOIN escalations e ON e.id = f.escalation_id
			WHERE f.partnership_id = $1 ORDER BY f.created DESC, f.id DESC`, u.PartnershipID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f escalate.PatternFlag
			if err := rows.Scan(&f.ID, &f.AgencyA, &f.AgencyB, &f.AgencyAName, &f.AgencyBName, &f.Category, &f.Quarter,
				&f.Count, &f.Threshold, &f.Ref, scanTime(&f.Created)); err != nil {
				return err
			}
			out = append(out, f)
		}
		return rows.Err()
	})
	return out, err
}

// PatternThreshold returns the partnership's pattern threshold and whether
// it is the policy's default (no one has set it).
func (db *DB) PatternThreshold(ctx context.Context) (n int, isDefault bool, err error) {
	err = db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		n, isDefault, err = tx.patternThreshold(u.PartnershipID)
		return err
	})
	return n, isDefault, err
}

func (tx *Tx) patternThreshold(partnershipID int64) (int, bool, error) {
	var n int
	err := tx.queryRow(`SELECT pattern_threshold FROM learning_settings WHERE partnership_id = $1`, partnershipID).Scan(&n)
	if err == nil {
		return n, false, nil
	}
	if !notFound(WrapError(err)) {
		return 0, false, err
	}
	var versionID int64
	var sum string
	if err := tx.queryRow(`SELECT p.policy_version_id, v.sha256 FROM partnerships p JOIN policy_versions v ON v.id = p.policy_version_id
		WHERE p.id = $1`, partnershipID).Scan(&versionID, &sum); err != nil {
		return 0, false, WrapError(err)
	}
	p, err := tx.policyVersion(versionID, sum)
	if err != nil {
		return 0, false, err
	}
	return p.Learning.PatternThreshold, true, nil
}

// SetPatternThreshold sets the partnership's pattern threshold (0: off);
// the Business Manager's setting, audited. Flags already made stay.
func (db *DB) SetPatternThreshold(ctx context.Context, n int) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		if err := onlyBusinessManager(u); err != nil {
			return err
		}
		if err := escalate.ValidatePatternThreshold(n); err != nil {
			return err
		}
		old, _, err := tx.patternThreshold(u.PartnershipID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO learning_settings (partnership_id, pattern_threshold, updated_by, updated) VALUES ($1, $2, $3, $4)
			ON CONFLICT (partnership_id) DO UPDATE SET pattern_threshold = excluded.pattern_threshold,
				updated_by = excluded.updated_by, updated = excluded.updated`,
			u.PartnershipID, n, u.ID, timeArg(tx.now)); err != nil {
			return err
		}
		return tx.Audit(fmt.Sprintf("user:%d", u.ID), escalate.ActionPatternSetting, fmt.Sprintf("partnership:%d/learning", u.PartnershipID),
			map[string]any{"from": old, "to": n})
	})
}
