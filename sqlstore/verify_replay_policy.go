package sqlstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Replaying policy changes (issue 15): each partnership's version history
// (policy_publications) against its partnership.policy events, which
// setPolicy writes with every publication. Rows from before the history
// was kept (migration 00040, actor '') have no event of their own, so only
// the history since is checked: the last events, one for one, in order;
// an event before those must be from before the history, publishing one
// of the versions stored then, or its publication was deleted.

// policyEvent is a partnership.policy event's content.
type policyEvent struct {
	VersionID int64  `json:"policy_version_id"`
	SHA256    string `json:"sha256"`
}

// policyHistory replays every partnership's publications since the history
// was kept, and checks the policy in force is the last one published.
func (r *replayer) policyHistory(rep *ReplayReport) error {
	rows, err := r.tx.QueryContext(r.ctx, `SELECT id, COALESCE(policy_version_id, 0) FROM partnerships ORDER BY id`)
	if err != nil {
		return fmt.Errorf("replay: partnerships: %w", err)
	}
	type part struct{ id, inForce int64 }
	var parts []part
	for rows.Next() {
		var p part
		if err := rows.Scan(&p.id, &p.inForce); err != nil {
			rows.Close()
			return err
		}
		parts = append(parts, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range parts {
		n, err := r.replayPublications(p.id, p.inForce)
		if err != nil {
			return err
		}
		rep.Publications += n
	}
	return nil
}

type publication struct {
	id, versionID, by int64
	actor, sha        string
	at                time.Time
}

func (r *replayer) replayPublications(partnership, inForce int64) (int, error) {
	object := "partnership:" + strconv.FormatInt(partnership, 10)
	rows, err := r.tx.QueryContext(r.ctx, `SELECT pp.id, pp.policy_version_id, COALESCE(pp.published_by, 0), pp.actor, v.sha256, pp.published_at
		FROM policy_publications pp JOIN policy_versions v ON v.id = pp.policy_version_id
		WHERE pp.partnership_id = $1 ORDER BY pp.id`, partnership)
	if err != nil {
		return 0, fmt.Errorf("replay: policy publications: %w", err)
	}
	var all, kept []publication
	legacy := map[int64]bool{} // the versions published before the history was kept
	for rows.Next() {
		var p publication
		if err := rows.Scan(&p.id, &p.versionID, &p.by, &p.actor, &p.sha, scanTime(&p.at)); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, p)
		if p.actor != "" {
			kept = append(kept, p)
		} else {
			legacy[p.versionID] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	evRows, err := r.tx.QueryContext(r.ctx, `SELECT e.seq, e.at, e.actor, c.content FROM audit_events e
		LEFT JOIN audit_content c ON c.seq = e.seq
		WHERE e.object = $1 AND e.action = 'partnership.policy' ORDER BY e.seq`, object)
	if err != nil {
		return 0, fmt.Errorf("replay: policy events: %w", err)
	}
	var evs []replayEvent
	for evRows.Next() {
		var ev replayEvent
		if err := evRows.Scan(&ev.seq, scanTime(&ev.at), &ev.actor, &ev.content); err != nil {
			evRows.Close()
			return 0, err
		}
		evs = append(evs, ev)
	}
	evRows.Close()
	if err := evRows.Err(); err != nil {
		return 0, err
	}
	fail := func(field string, seq int64, reason string) (int, error) {
		return 0, &ReplayFailure{Object: object, Field: field, Seq: seq, Reason: reason}
	}
	if len(kept) > len(evs) {
		return fail(fmt.Sprintf("publication %d", kept[len(evs)].id), 0, "stored, but no partnership.policy event publishes it")
	}
	// An event left over, before those matched, is from before the history
	// was kept, so it published a version that was then a row of its own
	// (migration 00040 made those); any other is a publication deleted.
	for i := len(evs) - len(kept) - 1; i >= 0; i-- {
		var d policyEvent
		if len(legacy) > 0 && (evs[i].content == nil || json.Unmarshal(evs[i].content, &d) != nil || legacy[d.VersionID]) {
			continue
		}
		return fail("publication", evs[i].seq, "an event (partnership.policy) publishes a version, but the publication is not stored")
	}
	tail := evs[len(evs)-len(kept):]
	for i, p := range kept {
		ev := tail[i]
		field := fmt.Sprintf("publication %d", p.id)
		var d policyEvent
		if ev.content == nil || json.Unmarshal(ev.content, &d) != nil {
			return fail(field, ev.seq, "the event's content is missing or not readable")
		}
		by := ev.actorID()
		at := p.at.Truncate(time.Microsecond)
		switch {
		case d.VersionID != p.versionID || d.SHA256 != p.sha:
			return fail(field+": version", ev.seq, "the stored value differs from what the events say")
		case p.actor != ev.actor || p.by != by:
			return fail(field+": published_by", ev.seq, "the stored value differs from what the events say")
		case at.After(ev.at) || ev.at.Sub(at) > time.Minute:
			return fail(field+": published_at", ev.seq, "the stored value differs from what the events say")
		}
	}
	// The policy in force is the one last published.
	if len(all) > 0 && all[len(all)-1].versionID != inForce {
		var seq int64
		if len(evs) > 0 {
			seq = evs[len(evs)-1].seq
		}
		return fail("policy in force", seq, "the partnership follows another version than the one last published")
	}
	return len(kept), nil
}
