package web

import "testing"

func TestParseClockTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		h, m int
	}{
		{"14:30", 14, 30}, {"14.30", 14, 30}, {"09:30", 9, 30}, {"9:05", 9, 5}, {"0930", 9, 30},
		{"10.15am", 10, 15}, {"10:15 am", 10, 15}, {"10.15 AM", 10, 15}, {"2pm", 14, 0}, {"2.30 p.m.", 14, 30},
		{"12am", 0, 0}, {"12.30am", 0, 30}, {"12pm", 12, 0}, {"12:45pm", 12, 45}, {"noon", 12, 0},
		{"Midday", 12, 0}, {"midnight", 0, 0}, {"00:00", 0, 0}, {"23:59", 23, 59}, {"14", 14, 0},
	} {
		h, m, ok := parseClockTime(c.in)
		if !ok || h != c.h || m != c.m {
			t.Errorf("parseClockTime(%q) = %d:%02d %v, want %d:%02d", c.in, h, m, ok, c.h, c.m)
		}
	}
	for _, in := range []string{"", "9", "24:00", "14:60", "13pm", "0am", "10.5am", "ten", "1:2:3", "14:3", "123456", "-1:00", "am"} {
		if h, m, ok := parseClockTime(in); ok {
			t.Errorf("parseClockTime(%q) = %d:%02d, want refused", in, h, m)
		}
	}
}
