package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

// recomputeOpenClocks is called, in the same transaction, after a calendar
// import changed the non-working days of division for partnershipID (0: for
// every partnership on that division). It is the extension point for the
// escalation store, which replaces it from its own file's init() to
// recompute the open clocks of the affected escalations and record each
// recomputation; tx.Calendar already sees the imported days. Until then
// there are no clocks to recompute.
var recomputeOpenClocks = func(tx *Tx, partnershipID int64, division string) error { return nil }

// ImportResult says what ImportHolidays changed.
type ImportResult struct {
	Added     int // days that were not stored before
	Renamed   int // stored days whose name or notes changed
	Unchanged int
}

// ImportHolidays stores hs as non-working days of division for the
// partnership (0: for every partnership whose policy uses division), noting
// where they came from in source, e.g. "bank-holidays.json" or "local".
// Importing the same file twice changes nothing. The import, its audit
// event and the recomputation of open clocks are one transaction.
func (db *DB) ImportHolidays(ctx context.Context, partnershipID int64, division string, hs []calendar.Holiday, source string) (ImportResult, error) {
	res, err := db.ImportCalendar(ctx, partnershipID, map[string][]calendar.Holiday{division: hs}, source)
	return res[division], err
}

// ImportCalendar is ImportHolidays for several divisions at once, such as a
// whole GOV.UK file: all of them are stored, or on any error none.
func (db *DB) ImportCalendar(ctx context.Context, partnershipID int64, byDivision map[string][]calendar.Holiday, source string) (map[string]ImportResult, error) {
	divisions := make([]string, 0, len(byDivision))
	for div, hs := range byDivision {
		if err := checkHolidays(div, hs, source); err != nil {
			return nil, err
		}
		divisions = append(divisions, div)
	}
	slices.Sort(divisions) // one order, so concurrent imports cannot deadlock
	out := map[string]ImportResult{}
	err := db.WithTx(ctx, func(tx *Tx) error {
		clear(out)
		if partnershipID != 0 {
			if _, err := findPartnership(ctx, tx, "id", partnershipID); err != nil {
				return err
			}
		}
		for _, div := range divisions {
			res, err := tx.importHolidays(partnershipID, div, byDivision[div], source)
			if err != nil {
				return err
			}
			out[div] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkHolidays(division string, hs []calendar.Holiday, source string) error {
	if !slices.Contains(calendar.Divisions(), division) {
		return escalate.FieldErrorf("division", "Unknown division %q: want one of %s.", division, strings.Join(calendar.Divisions(), ", "))
	}
	if strings.TrimSpace(source) == "" {
		return escalate.FieldErrorf("source", "Say where the holidays come from.")
	}
	for _, h := range hs {
		if _, err := calendar.ParseDate(h.Date.String()); err != nil {
			return escalate.FieldErrorf("date", "%v", err)
		}
		if err := checkName("name", h.Name); err != nil {
			return fmt.Errorf("%s: %w", h.Date, err)
		}
	}
	return nil
}

// importHolidays stores one division's days, records the import and has the
// open clocks recomputed when days were added.
func (tx *Tx) importHolidays(partnershipID int64, division string, hs []calendar.Holiday, source string) (ImportResult, error) {
	ctx := tx.ctx
	var res ImportResult
	var dates []string
	for _, h := range hs {
		var id int64
		var name, notes string
		err := tx.QueryRowContext(ctx, `
			SELECT id, name, notes FROM calendar_events
			WHERE COALESCE(partnership_id, 0) = $1 AND division = $2 AND date = $3`,
			partnershipID, division, h.Date.String()).Scan(&id, &name, &notes)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `
				INSERT INTO calendar_events (partnership_id, division, date, name, notes, source, created)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				nullID(partnershipID), division, h.Date.String(), h.Name, h.Notes, source, timeArg(tx.now))
			res.Added++
			dates = append(dates, h.Date.String())
		case err != nil:
		case name != h.Name || notes != h.Notes:
			_, err = tx.ExecContext(ctx, `UPDATE calendar_events SET name = $1, notes = $2, source = $3 WHERE id = $4`,
				h.Name, h.Notes, source, id)
			res.Renamed++
		default:
			res.Unchanged++
		}
		if err != nil {
			return res, err
		}
	}
	if res.Added == 0 && res.Renamed == 0 {
		return res, nil
	}
	tx.calendarChanged = true // build calendars afresh, cache none: see cachedCalendar
	object := "calendar:" + division
	if partnershipID != 0 {
		object = fmt.Sprintf("partnership:%d/calendar:%s", partnershipID, division)
	}
	if err := tx.AuditIn(partnershipID, Actor(ctx), "calendar.import", object, map[string]any{
		"source": source, "added": dates, "renamed": res.Renamed,
	}); err != nil {
		return res, err
	}
	if res.Added == 0 {
		return res, nil // a new name does not move a deadline
	}
	return res, recomputeOpenClocks(tx, partnershipID, division)
}

// Calendar returns the partnership's working-day calendar: its current
// policy's division and end of the working day, with the built-in bank
// holidays plus every stored holiday for that division, national and local.
func (db *DB) Calendar(ctx context.Context, partnershipID int64) (*calendar.Calendar, error) {
	c, err := loadCalendar(ctx, db.db, partnershipID)
	return c, WrapError(err)
}

// Calendar is DB.Calendar inside the transaction, so it sees holidays the
// transaction imported.
func (tx *Tx) Calendar(partnershipID int64) (*calendar.Calendar, error) {
	return loadCalendar(tx.ctx, tx, partnershipID)
}

func loadCalendar(ctx context.Context, q querier, partnershipID int64) (*calendar.Calendar, error) {
	v, err := currentPolicyVersion(ctx, q, partnershipID)
	if err != nil {
		return nil, err
	}
	return calendarFor(ctx, q, partnershipID, v.Division, v.WorkingDayEnds)
}

// calendarFor builds the calendar of division for the partnership with the
// working day ending at HH:MM ends; an escalation pinned to an older policy
// version uses that version's division and end of day.
func calendarFor(ctx context.Context, q querier, partnershipID int64, division, ends string) (*calendar.Calendar, error) {
	c, err := calendar.New(division)
	if err != nil {
		return nil, err
	}
	h, m, err := parseClock(ends)
	if err != nil {
		return nil, err
	}
	if err := c.SetWorkingDayEnd(h, m); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `
		SELECT date, name, notes FROM calendar_events
		WHERE division = $1 AND (partnership_id IS NULL OR partnership_id = $2)
		ORDER BY date, COALESCE(partnership_id, 0)`, division, partnershipID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hs []calendar.Holiday
	for rows.Next() {
		var date string
		var h calendar.Holiday
		if err := rows.Scan(&date, &h.Name, &h.Notes); err != nil {
			return nil, err
		}
		if h.Date, err = calendar.ParseDate(date); err != nil {
			return nil, err
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A date stored both nationally and locally keeps its national name.
	c.AddHolidays(hs...)
	return c, nil
}
