package web

import (
	"strconv"
	"strings"
)

// parseClockTime reads a time of day as people type it: "14:30", "14.30",
// "9:05", "0930", "10.15am", "10:15 am", "2pm", "2.30 p.m.", "noon",
// "midday", "midnight". It returns the hour (0-23) and minute, or false.
// "12am" is midnight and "12pm" is noon.
func parseClockTime(s string) (hour, min int, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, " ", "")
	switch s {
	case "noon", "midday", "12noon":
		return 12, 0, true
	case "midnight":
		return 0, 0, true
	}
	s = strings.NewReplacer("a.m.", "am", "p.m.", "pm", "a.m", "am", "p.m", "pm").Replace(s)
	suffix := ""
	for _, x := range []string{"am", "pm"} {
		if rest, found := strings.CutSuffix(s, x); found {
			s, suffix = rest, x
		}
	}
	var hs, ms string
	if i := strings.IndexAny(s, ":."); i >= 0 {
		hs, ms = s[:i], s[i+1:]
		if len(ms) != 2 {
			return 0, 0, false
		}
	} else if len(s) == 4 && suffix == "" {
		hs, ms = s[:2], s[2:] // "0930"
	} else {
		hs, ms = s, "00"
	}
	if hs == "" || len(hs) > 2 || !digits(hs) || !digits(ms) {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(hs)
	min, _ = strconv.Atoi(ms)
	if min > 59 {
		return 0, 0, false
	}
	switch suffix {
	case "":
		if hour > 23 || (len(hs) == 1 && ms == "00" && !strings.ContainsAny(s, ":.")) {
			// "9" alone could be morning or evening: ask again.
			return 0, 0, false
		}
	case "am", "pm":
		if hour < 1 || hour > 12 {
			return 0, 0, false
		}
		hour %= 12
		if suffix == "pm" {
			hour += 12
		}
	}
	return hour, min, true
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// clockTimeHelp is what the error for a time says works.
const clockTimeHelp = "Enter the time like 09:30, 14:30 or 10.15am."
