package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
)

func TestImportHolidays(t *testing.T) {
	forEachEngine(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		p := mustPartnership(t, db, "redbridge") // england-and-wales, day ends 16:30
		q := mustPartnership(t, db, "wirral")

		type call struct {
			partnershipID int64
			division      string
		}
		var calls []call
		saved := recomputeOpenClocks
		recomputeOpenClocks = func(tx *Tx, partnershipID int64, division string) error {
			calls = append(calls, call{partnershipID, division})
			// The hook must see the imported days inside the transaction.
			if partnershipID != 0 {
				c, err := tx.Calendar(partnershipID)
				if err != nil {
					return err
				}
				if c.IsWorkingDay(calendar.NewDate(2031, time.March, 3)) {
					t.Error("the hook's calendar does not have the imported day")
				}
			}
			return nil
		}
		t.Cleanup(func() { recomputeOpenClocks = saved })

		funeral := calendar.Holiday{Date: calendar.NewDate(2031, time.March, 4), Name: "State occasion"}
		closure := calendar.Holiday{Date: calendar.NewDate(2031, time.March, 3), Name: "Office move", Notes: calendar.NoteLocalClosure}

		t.Run("National", func(t *testing.T) {
			res, err := db.ImportHolidays(ctx, 0, calendar.EnglandAndWales, []calendar.Holiday{funeral}, "bank-holidays.json")
			if err != nil {
				t.Fatal(err)
			}
			if res != (ImportResult{Added: 1}) {
				t.Errorf("result = %+v, want 1 added", res)
			}
			for _, id := range []int64{p.ID, q.ID} {
				c, err := db.Calendar(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if reason, ok := c.NonWorking(funeral.Date); !ok || reason != "State occasion" {
					t.Errorf("partnership %d: %s is %q, %v; want the imported holiday", id, funeral.Date, reason, ok)
				}
			}
		})
		t.Run("Local", func(t *testing.T) {
			if _, err := db.ImportHolidays(ctx, p.ID, calendar.EnglandAndWales, []calendar.Holiday{closure}, "local"); err != nil {
				t.Fatal(err)
			}
			c, _ := db.Calendar(ctx, p.ID)
			if c.IsWorkingDay(closure.Date) {
				t.Error("the local closure is a working day for its partnership")
			}
			if h, m := c.WorkingDayEnd(); h != 16 || m != 30 {
				t.Errorf("working day ends %02d:%02d, want the policy's 16:30", h, m)
			}
			other, _ := db.Calendar(ctx, q.ID)
			if !other.IsWorkingDay(closure.Date) {
				t.Error("one partnership's closure closed another's")
			}
		})
		t.Run("Idempotent", func(t *testing.T) {
			events := countRows(t, db, "audit_events")
			n := len(calls)
			res, err := db.ImportHolidays(ctx, 0, calendar.EnglandAndWales, []calendar.Holiday{funeral}, "bank-holidays.json")
			if err != nil {
				t.Fatal(err)
			}
			if res != (ImportResult{Unchanged: 1}) {
				t.Errorf("second import = %+v, want 1 unchanged", res)
			}
			if countRows(t, db, "calendar_events") != 2 || countRows(t, db, "audit_events") != events || len(calls) != n {
				t.Error("a repeated import changed something")
			}
		})
		t.Run("Renamed", func(t *testing.T) {
			renamed := funeral
			renamed.Name = "Bank holiday for a state occasion"
			res, err := db.ImportHolidays(ctx, 0, calendar.EnglandAndWales, []calendar.Holiday{renamed}, "bank-holidays.json")
			if err != nil || res != (ImportResult{Renamed: 1}) {
				t.Fatalf("rename = %+v, %v", res, err)
			}
			c, _ := db.Calendar(ctx, q.ID)
			if reason, _ := c.NonWorking(funeral.Date); reason != renamed.Name {
				t.Errorf("name = %q, want %q", reason, renamed.Name)
			}
		})
		t.Run("HookCalls", func(t *testing.T) {
			want := []call{{0, calendar.EnglandAndWales}, {p.ID, calendar.EnglandAndWales}}
			if len(calls) != len(want) || calls[0] != want[0] || calls[1] != want[1] {
				t.Errorf("recomputeOpenClocks calls = %v, want %v (only when days were added)", calls, want)
			}
		})
		t.Run("HookErrorRollsBack", func(t *testing.T) {
			recomputeOpenClocks = func(*Tx, int64, string) error { return escalate.Errorf(escalate.ECONFLICT, "busy") }
			defer func() { recomputeOpenClocks = saved }()
			before := countRows(t, db, "calendar_events")
			_, err := db.ImportHolidays(ctx, 0, calendar.Scotland, []calendar.Holiday{funeral}, "bank-holidays.json")
			wantCode(t, err, escalate.ECONFLICT)
			if countRows(t, db, "calendar_events") != before {
				t.Error("a failed recomputation left the import stored")
			}
		})
		t.Run("AllDivisionsOrNone", func(t *testing.T) {
			recomputeOpenClocks = func(_ *Tx, _ int64, division string) error {
				if division == calendar.Scotland {
					return escalate.Errorf(escalate.ECONFLICT, "busy")
				}
				return nil
			}
			defer func() { recomputeOpenClocks = saved }()
			before := countRows(t, db, "calendar_events")
			day := calendar.Holiday{Date: calendar.NewDate(2032, time.May, 5), Name: "A new holiday"}
			_, err := db.ImportCalendar(ctx, 0, map[string][]calendar.Holiday{
				calendar.EnglandAndWales: {day}, calendar.Scotland: {day},
			}, "bank-holidays.json")
			wantCode(t, err, escalate.ECONFLICT)
			_, err = db.ImportCalendar(ctx, 0, map[string][]calendar.Holiday{
				calendar.EnglandAndWales: {day}, "wales": {day},
			}, "bank-holidays.json")
			wantCode(t, err, escalate.EINVALID)
			if countRows(t, db, "calendar_events") != before {
				t.Error("a failed import stored some divisions")
			}
		})
		tests := []struct {
			name          string
			partnershipID int64
			division      string
			hs            []calendar.Holiday
			source        string
			code          string
		}{
			{"ErrDivision", 0, "wales", []calendar.Holiday{funeral}, "x", escalate.EINVALID},
			{"ErrNoSource", 0, calendar.Scotland, []calendar.Holiday{funeral}, " ", escalate.EINVALID},
			{"ErrNoName", 0, calendar.Scotland, []calendar.Holiday{{Date: funeral.Date}}, "x", escalate.EINVALID},
			{"ErrNoDate", 0, calendar.Scotland, []calendar.Holiday{{Name: "x"}}, "x", escalate.EINVALID},
			{"ErrNoPartnership", 999, calendar.Scotland, []calendar.Holiday{funeral}, "x", escalate.ENOTFOUND},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := countRows(t, db, "calendar_events")
				_, err := db.ImportHolidays(ctx, tt.partnershipID, tt.division, tt.hs, tt.source)
				wantCode(t, err, tt.code)
				if countRows(t, db, "calendar_events") != before {
					t.Error("invalid input stored holidays")
				}
			})
		}
		t.Run("ErrNoPartnershipCalendar", func(t *testing.T) {
			_, err := db.Calendar(ctx, 999)
			wantCode(t, err, escalate.ENOTFOUND)
		})
	})
}
