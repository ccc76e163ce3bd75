package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// Reading and writing dissent rows (migration 00013). The row holds what
// the chair recorded and where the dissent stands; its clocks and entries
// are child rows; entries are inserted once and never changed (a trigger on
// each engine refuses it).

const dissentColumns = `d.id, d.ref, d.partnership_id, d.policy_version_id, d.recorded_by,
	d.conference_date, d.conference_kind, d.conference_ref, d.agency_id, d.professional,
	d.nature, d.grounds, d.chair_decision, d.step, d.outcome, d.meeting_date, d.version,
	d.created, d.updated, d.erased`

func scanDissent(sc interface{ Scan(...any) error }, extra ...any) (*escalate.Dissent, error) {
	d := &escalate.Dissent{}
	var step string
	dst := []any{&d.ID, &d.Ref, &d.PartnershipID, &d.PolicyVersionID, &d.RecordedBy,
		&d.ConferenceDate, &d.ConferenceKind, &d.ConferenceRef, &d.AgencyID, &d.Professional,
		&d.Nature, &d.Grounds, &d.ChairDecision, &step, &d.Outcome, &d.MeetingDate, &d.Version,
		scanTime(&d.Created), scanTime(&d.Updated), scanTime(&d.Erased)}
	if err := sc.Scan(append(dst, extra...)...); err != nil {
		return nil, err
	}
	d.Step = escalate.DissentStep(step)
	return d, nil
}

// loadDissent reads dissent ref with its clocks and entries, and the
// SHA-256 of its pinned policy version.
func (tx *Tx) loadDissent(ref string) (*escalate.Dissent, string, error) {
	var sum string
	d, err := scanDissent(tx.queryRow(`SELECT `+dissentColumns+`, v.sha256
		FROM dissents d JOIN policy_versions v ON v.id = d.policy_version_id WHERE d.ref = $1`, ref), &sum)
	if err == sql.ErrNoRows {
		return nil, "", escalate.Errorf(escalate.ENOTFOUND, "Dissent not found.")
	} else if err != nil {
		return nil, "", err
	}
	if d.Clocks, err = tx.dissentClocks(d.ID); err != nil {
		return nil, "", err
	}
	if d.Entries, err = tx.dissentEntries(d.ID); err != nil {
		return nil, "", err
	}
	return d, sum, nil
}

func (tx *Tx) dissentClocks(id int64) ([]escalate.ClockState, error) {
	rows, err := tx.query(`SELECT id, key, action, within, start_at, due_at, explanation, status, met_at
		FROM dissent_clocks WHERE dissent_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []escalate.ClockState
	for rows.Next() {
		c := escalate.ClockState{Stage: "dissent"}
		if err := rows.Scan(&c.ID, &c.Key, &c.Action, &c.Within, scanTime(&c.Start), scanTime(&c.Due),
			&c.Explanation, &c.Status, scanTime(&c.MetAt)); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (tx *Tx) dissentEntries(id int64) ([]escalate.DissentEntry, error) {
	rows, err := tx.query(`SELECT id, action, at, by_user, date, people, outcome, text, feedback, recommendations
		FROM dissent_entries WHERE dissent_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []escalate.DissentEntry
	for rows.Next() {
		var e escalate.DissentEntry
		var people string
		if err := rows.Scan(&e.ID, &e.Action, scanTime(&e.At), &e.By, &e.Date, &people, &e.Outcome,
			&e.Text, &e.Feedback, &e.Recommendations); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(people), &e.People); err != nil {
			return nil, fmt.Errorf("dissent entry %d: people: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// dissentNextDue is the row's next_due: the soonest running clock's due.
func dissentNextDue(d *escalate.Dissent) any {
	if t, ok := d.NextDue(); ok {
		return timeArg(t)
	}
	return nil
}

// allocateDissentRef gives the next reference of the partnership's year,
// e.g. SURREY-CPD-2026-0001, as allocateRef does for escalations. It names
// neither the conference nor the child.
func (tx *Tx) allocateDissentRef(partnershipID int64, key string) (string, error) {
	year := calendar.DateOf(tx.now).Year
	var n int
	err := tx.queryRow(`
		INSERT INTO dissent_refs (partnership_id, year, n) VALUES ($1, $2, 1)
		ON CONFLICT (partnership_id, year) DO UPDATE SET n = dissent_refs.n + 1
		RETURNING n`, partnershipID, year).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("allocate dissent reference: %w", err)
	}
	return refPrefix(key) + "-CPD-" + strconv.Itoa(year) + "-" + fmt.Sprintf("%04d", n), nil
}

// insertDissent writes a newly recorded dissent, its clocks and its first
// entry, setting its ID.
func (tx *Tx) insertDissent(d *escalate.Dissent) error {
	err := tx.queryRow(`
		INSERT INTO dissents (ref, partnership_id, policy_version_id, recorded_by, conference_date,
			conference_kind, conference_ref, agency_id, professional, nature, grounds, chair_decision,
			step, outcome, meeting_date, version, created, updated, next_due)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		RETURNING id`,
		d.Ref, d.PartnershipID, d.PolicyVersionID, d.RecordedBy, d.ConferenceDate, d.ConferenceKind,
		d.ConferenceRef, d.AgencyID, d.Professional, d.Nature, d.Grounds, d.ChairDecision,
		string(d.Step), d.Outcome, d.MeetingDate, d.Version, timeArg(d.Created), timeArg(d.Updated),
		dissentNextDue(d)).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("insert dissent: %w", err)
	}
	return tx.writeDissentChildren(d, nil)
}

// updateDissent writes d's new state over the version it was loaded at
// (zero rows: someone else changed it first), then its new or changed
// clocks and its new entries. old is the dissent as loaded.
func (tx *Tx) updateDissent(old, d *escalate.Dissent) error {
	res, err := tx.exec(`UPDATE dissents SET step = $1, outcome = $2, meeting_date = $3, version = $4,
			updated = $5, next_due = $6
		WHERE id = $7 AND version = $8`,
		string(d.Step), d.Outcome, d.MeetingDate, d.Version, timeArg(d.Updated), dissentNextDue(d), d.ID, old.Version)
	if err != nil {
		return fmt.Errorf("update dissent: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return escalate.Errorf(escalate.ECONFLICT, "This dissent was changed by someone else; reload and try again.")
	}
	return tx.writeDissentChildren(d, old)
}

func (tx *Tx) writeDissentChildren(d, old *escalate.Dissent) error {
	var oldClocks []escalate.ClockState
	oldEntries := 0
	if old != nil {
		oldClocks, oldEntries = old.Clocks, len(old.Entries)
	}
	for i, c := range d.Clocks {
		if i < len(oldClocks) {
			if oldClocks[i].Status != c.Status {
				if _, err := tx.exec(`UPDATE dissent_clocks SET status = $1, met_at = $2 WHERE dissent_id = $3 AND id = $4`,
					c.Status, nullTime(c.MetAt), d.ID, c.ID); err != nil {
					return fmt.Errorf("update dissent clock: %w", err)
				}
			}
			continue
		}
		if _, err := tx.exec(`INSERT INTO dissent_clocks (dissent_id, id, key, action, within, start_at, due_at,
				explanation, status, met_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			d.ID, c.ID, c.Key, c.Action, c.Within, timeArg(c.Start), timeArg(c.Due), c.Explanation, c.Status,
			nullTime(c.MetAt)); err != nil {
			return fmt.Errorf("insert dissent clock: %w", err)
		}
	}
	for _, e := range d.Entries[oldEntries:] {
		people := e.People
		if people == nil {
			people = []string{}
		}
		if _, err := tx.exec(`INSERT INTO dissent_entries (dissent_id, id, action, at, by_user, date, people,
				outcome, text, feedback, recommendations) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			d.ID, e.ID, e.Action, timeArg(e.At), e.By, e.Date, jsonText(people), e.Outcome, e.Text, e.Feedback,
			e.Recommendations); err != nil {
			return fmt.Errorf("insert dissent entry: %w", err)
		}
	}
	return nil
}
