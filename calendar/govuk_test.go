package calendar_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/calendar"
)

func TestParseGOVUK(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f, err := os.Open("testdata/bank-holidays-sample.json")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		feed, err := calendar.ParseGOVUK(f)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for div, hs := range feed {
			counts[div] = len(hs)
		}
		want := map[string]int{calendar.EnglandAndWales: 19, calendar.Scotland: 10, calendar.NorthernIreland: 11}
		for div, n := range want {
			if counts[div] != n {
				t.Errorf("%s: %d events, want %d", div, counts[div], n)
			}
		}
		first := feed[calendar.EnglandAndWales][0]
		if first != (calendar.Holiday{Date: mustDate(t, "2022-01-03"), Name: "New Year’s Day", Notes: "Substitute day"}) {
			t.Errorf("first event = %#v", first)
		}
	})
	t.Run("OKUnknownFieldsAndOrder", func(t *testing.T) {
		in := `{"northern-ireland": {"events": [
			{"title": "B", "date": "2023-07-12", "notes": "", "bunting": false, "extra": [1]},
			{"title": "A", "date": "2023-03-17", "notes": " Local closure "}
		], "division": "northern-ireland", "other": {"x": 1}}}`
		feed, err := calendar.ParseGOVUK(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		hs := feed[calendar.NorthernIreland]
		if len(hs) != 2 || hs[0].Name != "A" || hs[0].Notes != "Local closure" || hs[1].Name != "B" {
			t.Errorf("got %#v, want A then B, sorted by date", hs)
		}
	})
	bad := []struct {
		name, in, want string
	}{
		{"ErrEmpty", "  \n", "empty file: want the GOV.UK bank-holidays.json format"},
		{"ErrNotObject", "[]", "1:1: the file should be a JSON object"},
		{"ErrDivision", `{"wales": {}}`, `1:2: unknown division "wales": want one of england-and-wales, scotland, northern-ireland`},
		{"ErrDate", "{\n \"scotland\": {\n  \"events\": [\n   {\"title\": \"X\", \"date\": \"2023-13-01\"}\n  ]\n }\n}",
			`4:4: scotland event 1: cannot read date "2023-13-01": want YYYY-MM-DD`},
		{"ErrDateType", "{\n \"scotland\": {\n  \"events\": [\n   {\"title\": \"X\", \"date\": 20230101}\n  ]\n }\n}",
			`4:4: "date" should be a JSON string, not number`},
		{"ErrSyntax", "{\n \"scotland\": {\n  \"events\": [\n   {\"title\": \"X\", \"date\": \"2023-01-01\",}\n  ]\n }\n}",
			"4:40: not valid JSON: invalid character '}' looking for beginning of object key string"},
		{"ErrNoTitle", "{\"scotland\": {\"events\": [\n {\"date\": \"2023-01-01\"}]}}", `2:2: scotland event 1 (2023-01-01) has no "title"`},
		{"ErrNoDate", "{\"scotland\": {\"events\": [\n {\"title\": \"X\"}]}}", `2:2: scotland event 1 has no "date"`},
		{"ErrDivisionMismatch", `{"scotland": {"division": "england-and-wales", "events": []}}`, `1:27: division "england-and-wales" is filed under "scotland"`},
		{"ErrDivisionType", `{"scotland": {"division": 3, "events": []}}`, `1:27: "division" should be a JSON string, not number`},
		{"ErrNoEvents", `{"scotland": {"division": "scotland"}}`, `1:37: division "scotland" has no "events"`},
		{"ErrTwice", "{\"scotland\": {\"events\": []},\n \"scotland\": {\"events\": []}}", `2:2: division "scotland" appears twice`},
		{"ErrTrailing", `{"scotland": {"events": []}} x`, "1:30: unexpected data after the end of the JSON object"},
		{"ErrEventsType", `{"scotland": {"events": {}}}`, `1:25: the events of "scotland" should be a JSON array`},
		{"ErrDivisionShape", `{"scotland": []}`, `1:14: division "scotland" should be a JSON object`},
		{"ErrTruncated", `{"scotland": {"events": [`, "1:26: unexpected end of file"},
		{"ErrSyntaxAfterKey", "{\n\"scotland\" {}}", "2:12: not valid JSON: invalid character '{' after object key"},
		{"ErrSyntaxInSkippedField", `{"scotland": {"events": [], "x": [1,,]}}`, "1:38: not valid JSON: invalid character ',' looking for beginning of value"},
		{"ErrMissingComma", `{"scotland": {"events": [{"title": "x", "date": "2023-01-01"} {}]}}`, "1:63: not valid JSON: expected comma after array element"},
		{"ErrTitleType", `{"scotland": {"events": [{"title": 5, "date": "2023-01-01"}]}}`, `1:26: "title" should be a JSON string, not number`},
		{"ErrEventType", `{"scotland": {"events": [1]}}`, "1:26: each event should be a JSON object, not number"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			feed, err := calendar.ParseGOVUK(strings.NewReader(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, %v; want error %q", feed, err, tt.want)
			}
			var pe *calendar.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ParseError", err)
			}
		})
	}
}

// FuzzParseGOVUK: any input gives holidays or a positioned error, never a
// panic, and every holiday it returns has a date and a name.
func FuzzParseGOVUK(f *testing.F) {
	sample, err := os.ReadFile("testdata/bank-holidays-sample.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(sample))
	f.Add(`{"scotland": {"events": [{"title": "X", "date": "2023-01-01"}]}}`)
	f.Add(`{"scotland": {"events": [1,,]}}`)
	f.Fuzz(func(t *testing.T, in string) {
		feed, err := calendar.ParseGOVUK(strings.NewReader(in))
		if err != nil {
			var pe *calendar.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			return
		}
		for div, hs := range feed {
			if _, err := calendar.New(div); err != nil {
				t.Fatalf("accepted division %q", div)
			}
			for _, h := range hs {
				if h.Name == "" || h.Date.Year == 0 {
					t.Fatalf("holiday %#v", h)
				}
			}
		}
	})
}
