package calendar

import "time"

// IndexedAdd is AddWorkingDays(d, n) answered from the working-day index
// alone; ok is false where AddWorkingDays falls back to searching.
func IndexedAdd(c *Calendar, d Date, n int) (r Date, ok bool) {
	slot, ok := workSlot(d)
	if !ok || n == 0 {
		return Date{}, false
	}
	v := c.work.get().add(slot, n)
	if v == 0 {
		return Date{}, false
	}
	return Date{int(v >> 9), time.Month(v >> 5 & 15), int(v & 31)}, true
}

// SearchedAdd is AddWorkingDays(d, n) without the index.
func SearchedAdd(c *Calendar, d Date, n int) Date { return c.addSearching(d, n) }

// SharesWorkIndex reports whether a and b use the same working-day index.
func SharesWorkIndex(a, b *Calendar) bool { return a.work == b.work }
