package calendar_test

import (
	"encoding/json"
	"testing"

	"github.com/escalate-project/escalate/calendar"
)

func TestParseTimescale(t *testing.T) {
	tests := []struct {
		in   string
		want calendar.Timescale
		text string
	}{
		{"2 working days", calendar.Timescale{Kind: calendar.WorkingDays, N: 2}, "2 working days"},
		{"1 working day", calendar.Timescale{Kind: calendar.WorkingDays, N: 1}, "1 working day"},
		{"one working day", calendar.Timescale{Kind: calendar.WorkingDays, N: 1}, "1 working day"},
		{"Within  Five Working Days", calendar.Timescale{Kind: calendar.WorkingDays, N: 5}, "5 working days"},
		{"ten working days", calendar.Timescale{Kind: calendar.WorkingDays, N: 10}, "10 working days"},
		{"a working day", calendar.Timescale{Kind: calendar.WorkingDays, N: 1}, "1 working day"},
		{"one working week", calendar.Timescale{Kind: calendar.WorkingWeeks, N: 1}, "1 working week"},
		{"3 working weeks", calendar.Timescale{Kind: calendar.WorkingWeeks, N: 3}, "3 working weeks"},
		{"same working day", calendar.Timescale{Kind: calendar.SameWorkingDay}, "same working day"},
		{"within the same working day", calendar.Timescale{Kind: calendar.SameWorkingDay}, "same working day"},
		{"the same working day", calendar.Timescale{Kind: calendar.SameWorkingDay}, "same working day"},
		{"24 hours", calendar.Timescale{Kind: calendar.Hours, N: 24}, "24 hours"},
		{"1 hour", calendar.Timescale{Kind: calendar.Hours, N: 1}, "1 hour"},
		{"within 24 hours", calendar.Timescale{Kind: calendar.Hours, N: 24}, "24 hours"},
		{"immediately", calendar.Timescale{Kind: calendar.Immediately}, "immediately"},
		{" IMMEDIATELY ", calendar.Timescale{Kind: calendar.Immediately}, "immediately"},
	}
	for _, tt := range tests {
		t.Run("OK/"+tt.in, func(t *testing.T) {
			got, err := calendar.ParseTimescale(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || got.String() != tt.text {
				t.Errorf("got %#v %q, want %#v %q", got, got, tt.want, tt.text)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
	bad := map[string]string{
		"2 wrking days":              `cannot read timescale "2 wrking days"`,
		"":                           `cannot read timescale ""`,
		"working days":               `cannot read timescale "working days"`,
		"eleven working days":        `cannot read timescale "eleven working days"`,
		"-2 working days":            `cannot read timescale "-2 working days"`,
		"+2 working days":            `cannot read timescale "+2 working days"`,
		"2.5 hours":                  `cannot read timescale "2.5 hours"`,
		"2 days":                     `cannot read timescale "2 days"`,
		"within":                     `cannot read timescale "within"`,
		"same day":                   `cannot read timescale "same day"`,
		"0 working days":             `cannot read timescale "0 working days": the count must be 1 to 1000`,
		"1001 hours":                 `cannot read timescale "1001 hours": the count must be 1 to 1000`,
		"99999999999999999999 hours": `cannot read timescale "99999999999999999999 hours"`,
	}
	for in, want := range bad {
		t.Run("Err/"+in, func(t *testing.T) {
			got, err := calendar.ParseTimescale(in)
			if err == nil || err.Error() != want {
				t.Errorf("ParseTimescale(%q) = %v, %v; want error %q", in, got, err, want)
			}
		})
	}
}

func TestTimescaleText(t *testing.T) {
	var v struct{ Within calendar.Timescale }
	if err := json.Unmarshal([]byte(`{"Within": "two working days"}`), &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"Within":"2 working days"}` {
		t.Errorf("round trip = %s, %v", b, err)
	}
	if err := json.Unmarshal([]byte(`{"Within": "2 wrking days"}`), &v); err == nil {
		t.Error("bad text accepted")
	}
	if _, err := json.Marshal(struct{ T calendar.Timescale }{}); err == nil {
		t.Error("the zero Timescale marshalled")
	}
}

func TestTimescaleValidate(t *testing.T) {
	for _, ts := range []calendar.Timescale{
		{}, {Kind: calendar.WorkingDays}, {Kind: calendar.Hours, N: -1},
		{Kind: calendar.Immediately, N: 2}, {Kind: 99, N: 1}, {Kind: calendar.WorkingWeeks, N: 1001},
	} {
		if err := ts.Validate(); err == nil {
			t.Errorf("%#v is valid", ts)
		}
	}
}

func FuzzParseTimescale(f *testing.F) {
	for _, s := range []string{"2 working days", "one working week", "within the same working day", "24 hours", "immediately", "2 wrking days", "0 hours", "ten working weeks"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := calendar.ParseTimescale(s)
		if err != nil {
			return
		}
		if err := ts.Validate(); err != nil {
			t.Fatalf("ParseTimescale(%q) = %#v, invalid: %v", s, ts, err)
		}
		back, err := calendar.ParseTimescale(ts.String())
		if err != nil || back != ts {
			t.Fatalf("ParseTimescale(%q) = %#v, String %q reads back as %#v, %v", s, ts, ts.String(), back, err)
		}
	})
}
