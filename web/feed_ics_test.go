package web

import (
	"strings"
	"testing"
	"time"
)

func TestICSText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a,b;c\d`, `a\,b\;c\\d`},
		{"one\ntwo\r\nthree", `one\ntwo\nthree`},
	} {
		if got := icsText(tc.in); got != tc.want {
			t.Errorf("icsText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestICSFold(t *testing.T) {
	t.Run("Short", func(t *testing.T) {
		if got := icsFold("SUMMARY:x"); got != "SUMMARY:x\r\n" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("Exactly75", func(t *testing.T) {
		line := "X:" + strings.Repeat("a", 73)
		if got := icsFold(line); got != line+"\r\n" {
			t.Errorf("a 75-octet line was folded: %q", got)
		}
	})
	t.Run("Long", func(t *testing.T) {
		line := "DESCRIPTION:" + strings.Repeat("0123456789", 20)
		got := icsFold(line)
		want := line[:75] + "\r\n " + line[75:149] + "\r\n " + line[149:] + "\r\n"
		if got != want {
			t.Errorf("got\n%q\nwant\n%q", got, want)
		}
	})
	t.Run("UTF8", func(t *testing.T) {
		// "é" is two octets; the 75th octet falls inside one, so the fold
		// comes before it.
		line := "X:" + strings.Repeat("a", 72) + "é" + "b"
		got := icsFold(line)
		want := "X:" + strings.Repeat("a", 72) + "\r\n é" + "b\r\n"
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		for _, l := range strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Errorf("line of %d octets: %q", len(l), l)
			}
		}
	})
}

func TestWriteICS(t *testing.T) {
	var b strings.Builder
	stamp := time.Date(2026, 12, 29, 8, 0, 0, 0, time.UTC)
	err := writeICS(&b, "Escalate deadlines", stamp, []icsEvent{{
		UID:         "REDBRIDGE-2026-0002-clock-2@escalate.example.org",
		At:          time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC),
		Summary:     "Escalation REDBRIDGE-2026-0002: Read, review; agree a way forward due",
		URL:         "https://escalate.example.org/escalations/REDBRIDGE-2026-0002",
		Description: "Open the escalation to act on it: https://escalate.example.org/escalations/REDBRIDGE-2026-0002",
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Escalate//Deadlines//EN",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"X-WR-CALNAME:Escalate deadlines",
		"BEGIN:VEVENT",
		"UID:REDBRIDGE-2026-0002-clock-2@escalate.example.org",
		"DTSTAMP:20261229T080000Z",
		"DTSTART:20261231T170000Z",
		"DTEND:20261231T170000Z",
		"SUMMARY:Escalation REDBRIDGE-2026-0002: Read\\, review\\; agree a way forward",
		"  due",
		"URL:https://escalate.example.org/escalations/REDBRIDGE-2026-0002",
		"DESCRIPTION:Open the escalation to act on it: https://escalate.example.org/",
		" escalations/REDBRIDGE-2026-0002",
		"TRANSP:TRANSPARENT",
		"END:VEVENT",
		"END:VCALENDAR",
		"",
	}, "\r\n")
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, l := range strings.Split(b.String(), "\r\n") {
		if len(l) > 75 || strings.ContainsAny(l, "\r\n") {
			t.Errorf("bad content line (%d octets): %q", len(l), l)
		}
	}
}
