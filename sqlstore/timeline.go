package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/policy"
)

// Read-only helpers for the pages about escalations. They record nothing:
// opening a case with Get records the view; these only fill in what the page
// shows beside it, and each still checks the actor may see what it reads.

// Timeline returns what a page about escalation ref shows beside the
// escalation itself: the policy version it is pinned to, its parties (so a
// page can offer only the actions escalate.Can allows), and its audit
// events in order, oldest first. An event whose content was erased has nil
// Data. Someone who may not view the escalation gets ENOTFOUND.
func (s *EscalationService) Timeline(ctx context.Context, ref string) (*escalate.Policy, escalate.Parties, []escalate.Event, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, escalate.Parties{}, nil, err
	}
	var (
		pol    *escalate.Policy
		ps     escalate.Parties
		events []escalate.Event
	)
	err = s.db.WithTx(ctx, func(tx *Tx) error {
		actor, err := tx.actingUser(actor)
		if err != nil {
			return err
		}
		row, pin, err := tx.loadForActor(ref, actor, escalate.ActionView)
		if err != nil {
			return err
		}
		if ps, err = tx.parties(pin.policy, row.Escalation); err != nil {
			return err
		}
		pol = pin.policy
		events, err = tx.timeline(row.Ref)
		return err
	})
	if err != nil {
		return nil, escalate.Parties{}, nil, err
	}
	return pol, ps, events, nil
}

// timeline reads the audit events of escalation ref with their content.
func (tx *Tx) timeline(ref string) ([]escalate.Event, error) {
	rows, err := tx.query(`
		SELECT e.at, e.actor, e.action, c.content
		FROM audit_events e LEFT JOIN audit_content c ON c.seq = e.seq
		WHERE e.object = $1 ORDER BY e.seq`, "escalation:"+ref)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	var out []escalate.Event
	for rows.Next() {
		ev := escalate.Event{Ref: ref}
		var actor string
		var content []byte
		if err := rows.Scan(scanTime(&ev.At), &actor, &ev.Action, &content); err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		// Actors other than users ("system", "cli:…") stay 0.
		if id, ok := strings.CutPrefix(actor, "user:"); ok {
			ev.Actor, _ = strconv.ParseInt(id, 10, 64)
		}
		if len(content) > 0 {
			if err := json.Unmarshal(content, &ev.Data); err != nil {
				return nil, fmt.Errorf("timeline: event content: %w", err)
			}
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// PolicyFor returns the policy version e is pinned to, for pages that list
// escalations and show their stage names. It reads the version by the
// escalation's partnership, policy ID and version name, which List and Get
// fill in; when a partnership stored the same version name twice, the later
// text wins.
func (s *EscalationService) PolicyFor(ctx context.Context, e *escalate.Escalation) (*escalate.Policy, error) {
	if _, err := actorOf(ctx); err != nil {
		return nil, err
	}
	// The text (10–15 kB, compressed in the database) is read only when
	// the parsed policy is not already cached by its digest: reading it for
	// every request cost the database decompressing it and the instance
	// reading it.
	var id int64
	var sum string
	err := s.db.db.QueryRowContext(ctx, `SELECT id, sha256 FROM policy_versions
		WHERE partnership_id = $1 AND policy_id = $2 AND version = $3 ORDER BY id DESC LIMIT 1`,
		e.PartnershipID, e.PolicyID, e.PolicyVersion).Scan(&id, &sum)
	if err == sql.ErrNoRows {
		return nil, escalate.Errorf(escalate.ENOTFOUND, "Policy version not found.")
	} else if err != nil {
		return nil, fmt.Errorf("policy for %s: %w", e.Ref, err)
	}
	if p, ok := policies.Load(sum); ok {
		return p.(*escalate.Policy), nil
	}
	var text string
	if err := s.db.db.QueryRowContext(ctx, `SELECT yaml FROM policy_versions WHERE id = $1`, id).Scan(&text); err != nil {
		return nil, fmt.Errorf("policy for %s: %w", e.Ref, err)
	}
	pol, _, err := policy.Load("policy-version.yaml", []byte(text))
	if err != nil {
		return nil, fmt.Errorf("policy for %s no longer loads: %w", e.Ref, err)
	}
	p, _ := policies.LoadOrStore(sum, pol)
	return p.(*escalate.Policy), nil
}

// Names returns the names of the people and agencies of the actor's
// partnership by ID, for pages that say who did what. Only names travel:
// no email addresses or roles.
func (s *EscalationService) Names(ctx context.Context) (people, agencies map[int64]string, err error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	people, agencies = map[int64]string{}, map[int64]string{}
	for _, q := range []struct {
		sql string
		to  map[int64]string
	}{
		{`SELECT id, name FROM users WHERE partnership_id = $1`, people},
		{`SELECT id, name FROM agencies WHERE partnership_id = $1`, agencies},
	} {
		rows, err := s.db.db.QueryContext(ctx, q.sql, actor.PartnershipID)
		if err != nil {
			return nil, nil, fmt.Errorf("names: %w", err)
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("names: %w", err)
			}
			q.to[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return people, agencies, nil
}

// Now returns the store's clock, so pages say "overdue" and "2 working days
// left" against the same instant the rules use.
func (s *EscalationService) Now() time.Time { return s.db.Now().UTC() }
