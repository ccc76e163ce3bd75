package web

import (
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// A hand-written iCalendar (RFC 5545) writer for the personal calendar
// feed: only the few properties the feed needs, so no dependency.

// icsEvent is one VEVENT: an instant (a deadline), not a span.
type icsEvent struct {
	UID         string
	At          time.Time
	Summary     string
	URL         string
	Description string
}

// icsLineOctets is the longest a content line may be, without its CRLF
// (RFC 5545 section 3.1).
const icsLineOctets = 75

// icsTime is t in UTC's "Z" form, e.g. 20261230T170000Z.
func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 section 3.3.11): backslash,
// semicolon, comma and line breaks.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// icsFold folds a content line into lines of at most 75 octets, each
// continuation starting with a space, never splitting a UTF-8 character,
// and ends each with CRLF.
func icsFold(line string) string {
	var b strings.Builder
	limit := icsLineOctets
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = icsLineOctets - 1 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// writeICS writes a VCALENDAR of evs, stamped at stamp.
func writeICS(w io.Writer, name string, stamp time.Time, evs []icsEvent) error {
	var b strings.Builder
	put := func(line string) { b.WriteString(icsFold(line)) }
	put("BEGIN:VCALENDAR")
	put("VERSION:2.0")
	put("PRODID:-//Escalate//Deadlines//EN")
	put("CALSCALE:GREGORIAN")
	put("METHOD:PUBLISH")
	put("X-WR-CALNAME:" + icsText(name))
	for _, e := range evs {
		put("BEGIN:VEVENT")
		put("UID:" + icsText(e.UID))
		put("DTSTAMP:" + icsTime(stamp))
		put("DTSTART:" + icsTime(e.At))
		put("DTEND:" + icsTime(e.At))
		put("SUMMARY:" + icsText(e.Summary))
		if e.URL != "" {
			put("URL:" + e.URL)
		}
		if e.Description != "" {
			put("DESCRIPTION:" + icsText(e.Description))
		}
		put("TRANSP:TRANSPARENT")
		put("END:VEVENT")
	}
	put("END:VCALENDAR")
	_, err := io.WriteString(w, b.String())
	return err
}
