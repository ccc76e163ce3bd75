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
		"2 wrking days":              `cannot read timescale "2 wrking days"; did you mean "2 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"":                           `cannot read timescale ""; a timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"working days":               `cannot read timescale "working days"; did you mean "1 working day"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"eleven working days":        `cannot read timescale "eleven working days"; did you mean "11 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"-2 working days":            `cannot read timescale "-2 working days"; did you mean "2 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"+2 working days":            `cannot read timescale "+2 working days"; did you mean "2 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"2.5 hours":                  `cannot read timescale "2.5 hours"; a timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"2 days":                     `cannot read timescale "2 days"; did you mean "2 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"within":                     `cannot read timescale "within"; a timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"same day":                   `cannot read timescale "same day"; did you mean "same working day"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"0 working days":             `cannot read timescale "0 working days": the count must be 1 to 1000`,
		"1001 hours":                 `cannot read timescale "1001 hours": the count must be 1 to 1000`,
		"48 hrs":                     `cannot read timescale "48 hrs"; did you mean "48 hours"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"2 business days":            `cannot read timescale "2 business days"; did you mean "2 working days"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"immediatly":                 `cannot read timescale "immediatly"; did you mean "immediately"? A timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"a month":                    `cannot read timescale "a month"; a timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"soon":                       `cannot read timescale "soon"; a timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
		"99999999999999999999 hours": `cannot read timescale "99999999999999999999 hours"; a timescale is "N working days", "N working weeks", "same working day", "N hours" or "immediately"`,
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

func TestSuggestTimescale(t *testing.T) {
	tests := map[string]string{
		"48hrs":                       "48 hours",
		"24 hurs":                     "24 hours",
		"1 week":                      "1 working week",
		"within 3 clear working days": "3 working days",
		"the same business day":       "same working day",
		"at once":                     "immediately",
		"2 calendar days":             "",
		"2.5 hours":                   "",
		"a month":                     "",
		"0 hours":                     "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			got, ok := calendar.SuggestTimescale(in)
			if got != want || ok != (want != "") {
				t.Errorf("SuggestTimescale(%q) = %q, %v; want %q", in, got, ok, want)
			}
			if ok {
				if _, err := calendar.ParseTimescale(got); err != nil {
					t.Errorf("the suggestion %q does not parse: %v", got, err)
				}
			}
		})
	}
}
