package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// PublishPolicy makes the policy file text raw the one new escalations of
// the partnership follow, and adds it to the version history with who did
// it and when. Escalations already open stay on the version they pinned.
//
// It checks everything itself, so no caller can publish a policy that fails
// lint: the text is loaded with policy.Load as of today, and any error
// refuses it with a *policy.ProblemsError (code EINVALID) carrying every
// problem. A person must be a Business Manager or administrator of the
// partnership (escalate.CanPublishPolicy); the command line, with no person
// in ctx, may publish. With base not 0 it refuses (ECONFLICT) when the
// version in force is no longer base: someone published while the caller
// was comparing against it. The text in force, or a version string already
// published with other text, is refused (EINVALID, field "policy").
func (db *DB) PublishPolicy(ctx context.Context, partnershipID int64, raw []byte, base int64) (*escalate.PolicyPublication, error) {
	if u := escalate.UserFromContext(ctx); u != nil {
		if err := escalate.CanPublishPolicy(u, partnershipID); err != nil {
			return nil, err
		}
	}
	pol, _, err := policy.Load("policy.yaml", raw)
	if err != nil {
		return nil, err
	}
	if err := checkPolicy(pol, raw); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	hexSum := hex.EncodeToString(sum[:])
	var pub *escalate.PolicyPublication
	err = db.WithTx(ctx, func(tx *Tx) error {
		// One publication of a partnership's policy at a time: its row is
		// locked first (SQLite's immediate transaction holds the only write
		// lock already), so the version in force cannot move under the
		// check below.
		if err := tx.lockPartnership(partnershipID); err != nil {
			return err
		}
		if _, err := findPartnership(ctx, cachedQuerier{tx}, "id", partnershipID); err != nil {
			return err
		}
		cur, err := currentPolicyVersion(ctx, cachedQuerier{tx}, partnershipID)
		if err != nil {
			return err
		}
		switch {
		case base != 0 && cur.ID != base:
			return escalate.Errorf(escalate.ECONFLICT, "Someone published version %s of the policy while you were checking yours. Check your policy again against the version now in force.", cur.Version)
		case cur.SHA256 == hexSum:
			return escalate.FieldErrorf("policy", "This is the policy already in force: change it before publishing.")
		}
		var clash int
		if err := tx.queryRow(`SELECT COUNT(*) FROM policy_versions WHERE partnership_id = $1 AND version = $2 AND sha256 <> $3`,
			partnershipID, pol.Version, hexSum).Scan(&clash); err != nil {
			return err
		}
		if clash > 0 {
			return escalate.FieldErrorf("policy", "Version %q of the policy was already published with different text: give this one a new version.", pol.Version)
		}
		v, err := tx.setPolicy(partnershipID, pol, raw)
		if err != nil {
			return err
		}
		pub, err = tx.latestPublication(partnershipID)
		if err == nil && pub.VersionID != v.ID {
			err = fmt.Errorf("publication of version %d not found", v.ID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return pub, nil
}

// recordPublication adds version v to the partnership's version history,
// published now by the actor in tx's context.
func (tx *Tx) recordPublication(partnershipID, versionID int64) error {
	var by any
	if u := escalate.UserFromContext(tx.ctx); u != nil {
		by = u.ID
	}
	_, err := tx.exec(`INSERT INTO policy_publications (partnership_id, policy_version_id, published_by, actor, published_at)
		VALUES ($1, $2, $3, $4, $5)`, partnershipID, versionID, by, Actor(tx.ctx), timeArg(tx.now))
	return err
}

const publicationSelect = `SELECT pp.id, pp.partnership_id, pp.policy_version_id, v.policy_id, v.version, v.sha256,
		pp.published_at, COALESCE(pp.published_by, 0), COALESCE(u.name, ''), pp.actor,
		(SELECT COUNT(*) FROM escalations e WHERE e.policy_version_id = v.id AND e.status = 'open')
	FROM policy_publications pp
	JOIN policy_versions v ON v.id = pp.policy_version_id
	LEFT JOIN users u ON u.id = pp.published_by
	WHERE pp.partnership_id = $1
	ORDER BY pp.id DESC`

// PolicyHistory returns the partnership's version history, the latest
// publication (the policy in force) first.
func (db *DB) PolicyHistory(ctx context.Context, partnershipID int64) ([]escalate.PolicyPublication, error) {
	rows, err := db.db.QueryContext(ctx, publicationSelect, partnershipID)
	if err != nil {
		return nil, WrapError(err)
	}
	defer rows.Close()
	out, err := scanPublications(rows.Next, rows.Scan)
	if err == nil {
		err = rows.Err()
	}
	return out, WrapError(err)
}

func (tx *Tx) latestPublication(partnershipID int64) (*escalate.PolicyPublication, error) {
	rows, err := tx.QueryContext(tx.ctx, publicationSelect+` LIMIT 1`, partnershipID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, err := scanPublications(rows.Next, rows.Scan)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "There is no policy version history.")
	}
	return &out[0], rows.Err()
}

func scanPublications(next func() bool, scan func(...any) error) ([]escalate.PolicyPublication, error) {
	var out []escalate.PolicyPublication
	for next() {
		var p escalate.PolicyPublication
		if err := scan(&p.ID, &p.PartnershipID, &p.VersionID, &p.PolicyID, &p.Version, &p.SHA256,
			scanTime(&p.PublishedAt), &p.PublishedBy, &p.PublisherName, &p.Actor, &p.OpenEscalations); err != nil {
			return nil, err
		}
		p.Current = len(out) == 0
		out = append(out, p)
	}
	return out, nil
}

// CurrentPolicyText returns the file text of the policy in force and its
// stored version's ID, which PublishPolicy takes as its base.
func (db *DB) CurrentPolicyText(ctx context.Context, partnershipID int64) ([]byte, int64, error) {
	v, err := currentPolicyVersion(ctx, db.db, partnershipID)
	if err != nil {
		return nil, 0, WrapError(err)
	}
	return v.YAML, v.ID, nil
}
