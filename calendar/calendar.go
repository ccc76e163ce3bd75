package calendar

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Calendar is a division's working days: Monday to Friday except its bank
// holidays and any holidays added to it, each ending at the same London time.
// A Calendar is safe for concurrent reads, including the first
// AddWorkingDays, which builds its working-day index; AddHolidays,
// RemoveHolidays and SetWorkingDayEnd must not run concurrently with other
// methods (configure it, then share it).
type Calendar struct {
	division        string
	endHour, endMin int
	// holidays is sorted by date with one entry per date. It may be shared
	// with other calendars of the same division, so it is never written in
	// place: AddHolidays builds new slices.
	holidays []Holiday
	// weekdays indexes the holidays that fall Monday to Friday: the only
	// holidays that change working-day arithmetic.
	weekdays dayIndex
	// work is the dense working-day index of weekdays, built on first use.
	// Calendars whose weekday holidays are the same share one.
	work *lazyWorkIndex
}

type builtin struct {
	holidays []Holiday
	weekdays dayIndex
	work     *lazyWorkIndex
}

// builtins computes each division's rule-based holidays once per process.
var builtins = sync.OnceValue(func() map[string]builtin {
	m := map[string]builtin{}
	for _, div := range Divisions() {
		var hs []Holiday
		for y := FirstYear; y <= ruleLastYear; y++ {
			hs = append(hs, yearHolidays(div, y)...)
		}
		x := newDayIndex(hs)
		m[div] = builtin{holidays: hs, weekdays: x, work: workIndexFor(x.days)}
	}
	return m
})

// New returns the calendar of division with its built-in bank holidays and a
// working day that ends at 17:00 London time.
func New(division string) (*Calendar, error) {
	if err := checkDivision(division); err != nil {
		return nil, err
	}
	b := builtins()[division]
	return &Calendar{division: division, endHour: 17, holidays: b.holidays, weekdays: b.weekdays, work: b.work}, nil
}

// Division returns the calendar's division, e.g. "england-and-wales".
func (c *Calendar) Division() string { return c.division }

// SetWorkingDayEnd sets the London time at which each working day ends. It
// must be after midnight: a start at or after it counts from the next
// working day.
func (c *Calendar) SetWorkingDayEnd(hour, min int) error {
	if hour < 0 || hour > 23 || min < 0 || min > 59 || (hour == 0 && min == 0) {
		return fmt.Errorf("working day end %02d:%02d is not a time of day between 00:01 and 23:59", hour, min)
	}
	c.endHour, c.endMin = hour, min
	return nil
}

// WorkingDayEnd returns the London time at which each working day ends.
func (c *Calendar) WorkingDayEnd() (hour, min int) { return c.endHour, c.endMin }

// AddHolidays adds imported bank holidays or local closures. A date the
// calendar already holds keeps its first entry, so importing the GOV.UK feed
// over the built-in rules changes nothing that was already right.
func (c *Calendar) AddHolidays(hs ...Holiday) {
	if len(hs) == 0 {
		return
	}
	merged := make([]Holiday, len(c.holidays), len(c.holidays)+len(hs))
	copy(merged, c.holidays)
	seen := map[Date]bool{}
	for _, h := range hs {
		h.Date = NewDate(h.Date.Year, h.Date.Month, h.Date.Day) // 30 February would break the order
		if seen[h.Date] {
			continue
		}
		seen[h.Date] = true
		if _, ok := c.holiday(h.Date); !ok {
			merged = append(merged, h)
		}
	}
	sortHolidays(merged)
	c.setHolidays(merged)
}

// RemoveHolidays makes the given dates working days again (unless they fall
// at a weekend): for a regular holiday that an announcement has moved, which
// AddHolidays alone cannot express. Dates that are not holidays are ignored.
func (c *Calendar) RemoveHolidays(ds ...Date) {
	drop := map[Date]bool{}
	for _, d := range ds {
		drop[NewDate(d.Year, d.Month, d.Day)] = true
	}
	kept := make([]Holiday, 0, len(c.holidays))
	for _, h := range c.holidays {
		if !drop[h.Date] {
			kept = append(kept, h)
		}
	}
	if len(kept) == len(c.holidays) {
		return
	}
	c.setHolidays(kept)
}

// setHolidays replaces the calendar's holidays. The working-day index is
// dropped, to be rebuilt on next use, only if a weekday holiday changed: an
// imported feed that repeats the built-in rules, or a closure on a Saturday,
// keeps the shared index and costs no rebuild.
func (c *Calendar) setHolidays(hs []Holiday) {
	x := newDayIndex(hs)
	if !slices.Equal(x.days, c.weekdays.days) {
		c.work = workIndexFor(x.days)
	}
	c.holidays, c.weekdays = hs, x
}

// Holidays returns the calendar's holidays, built-in and added, in the years
// fromYear to toYear inclusive, sorted by date.
func (c *Calendar) Holidays(fromYear, toYear int) []Holiday {
	lo := sort.Search(len(c.holidays), func(i int) bool { return c.holidays[i].Date.Year >= fromYear })
	hi := sort.Search(len(c.holidays), func(i int) bool { return c.holidays[i].Date.Year > toYear })
	if lo >= hi {
		return nil
	}
	return append([]Holiday(nil), c.holidays[lo:hi]...)
}

// NonWorking reports why d is not a working day: "Saturday", "Sunday" or the
// holiday's name. ok is false for a working day.
func (c *Calendar) NonWorking(d Date) (reason string, ok bool) {
	if isWeekend(d) {
		return d.Weekday().String(), true
	}
	if h, ok := c.holiday(d); ok {
		return h.Name, true
	}
	return "", false
}

// IsWorkingDay reports whether d is a working day.
func (c *Calendar) IsWorkingDay(d Date) bool {
	if isWeekend(d) {
		return false
	}
	n := d.dayNumber()
	days := c.weekdays.days
	i := c.weekdays.lowerBound(n, d.Year)
	return i == len(days) || days[i] != n
}

// holiday returns the holiday on d, if any.
func (c *Calendar) holiday(d Date) (Holiday, bool) {
	n := d.dayNumber()
	i := sort.Search(len(c.holidays), func(i int) bool { return c.holidays[i].Date.dayNumber() >= n })
	if i < len(c.holidays) && c.holidays[i].Date == d {
		return c.holidays[i], true
	}
	return Holiday{}, false
}

// AddWorkingDays returns the nth working day after d (d itself for n = 0,
// the |n|th working day before d for negative n). d need not be a working
// day. It does not walk day by day. When d and the answer fall from 1995 to
// 2100 it costs O(1): two lookups in the calendar's working-day index, which
// the first call builds. Elsewhere weekends are counted in whole weeks and
// the weekday holidays found by one binary search, in O(log h + k) for h
// holidays in the calendar and k met on the way.
func (c *Calendar) AddWorkingDays(d Date, n int) Date {
	if n == 0 {
		return d
	}
	if slot, ok := workSlot(d); ok {
		if v := c.work.get().add(slot, n); v != 0 {
			return Date{int(v >> 9), time.Month(v >> 5 & 15), int(v & 31)}
		}
	}
	return c.addSearching(d, n)
}

// addSearching is AddWorkingDays without the index, for starts or answers
// outside it.
func (c *Calendar) addSearching(d Date, n int) Date {
	if n > 0 {
		return fromDayNumber(c.forward(d.dayNumber(), d.Year, n))
	}
	return fromDayNumber(c.backward(d.dayNumber(), d.Year, -n))
}

// workYears is how many years a workIndex covers: those of dateTable.
const workYears = ruleLastYear - FirstYear + 1

// workIndex numbers the working days from 1 January FirstYear to 31
// December ruleLastYear, so that adding working days is two lookups: the
// start's number, then the date of the working day n further on.
type workIndex struct {
	// ords holds, for each day, 2 × the number of working days of the range
	// before it, plus 1 if it is a working day itself. It is indexed by
	// (year-FirstYear, month-1, day-1) with 32 slots a month, so a Date
	// finds its entry without converting to a day number. A slot past the
	// end of its month holds the day it overflows to, as dayNumber counts
	// it (30 February is 2 March, or 1 March in a leap year).
	ords []int32
	// dates[k] is the working day with k working days before it, packed as
	// dateTable packs dates.
	dates []uint32
}

// workSlot returns the slot of d in workIndex.ords, and false outside the
// index's years or for a month or day number no date has.
func workSlot(d Date) (uint, bool) {
	y, m, day := uint(d.Year-FirstYear), uint(d.Month)-1, uint(d.Day)-1
	return (y*12+m)<<5 | day, y < workYears && m < 12 && day < 31
}

// add returns the nth working day (n != 0) after the day in slot, packed as
// dateTable packs dates, or 0 when the answer falls outside the index.
func (x *workIndex) add(slot uint, n int) uint32 {
	o := int(x.ords[slot])
	k := o>>1 + n
	if n > 0 {
		k += o&1 - 1 // the nth working day after a day counts it when it works
	}
	if uint(k) >= uint(len(x.dates)) { // a k that overflowed is negative: out too
		return 0
	}
	return x.dates[k]
}

// lazyWorkIndex builds the workIndex of one set of weekday holidays on first
// use, once, safely for concurrent callers.
type lazyWorkIndex struct {
	holidays []int // sorted day numbers of weekday holidays in the index's days; never written
	index    atomic.Pointer[workIndex]
	mu       sync.Mutex
}

func (l *lazyWorkIndex) get() *workIndex {
	if x := l.index.Load(); x != nil {
		return x
	}
	return l.build()
}

// build fills 4 bytes per slot (32 a month, 40,704 slots) and 4 per working
// day (at most 27,655 weekdays): some 270 KB per set of weekday holidays.
func (l *lazyWorkIndex) build() *workIndex {
	l.mu.Lock()
	defer l.mu.Unlock()
	if x := l.index.Load(); x != nil {
		return x // another goroutine built it first
	}
	ords := make([]int32, workYears*12*32)
	dates := make([]uint32, 0, len(dateTable)*5/7+5)
	hs := l.holidays
	wd := uint(weekdayOf(tableFirstDay)+6) % 7 // Monday 0 … Sunday 6
	i := 0                                     // offset from tableFirstDay
	for y := range workYears {
		for m := range 12 {
			base := (y*12 + m) << 5
			for d := range daysIn(FirstYear+y, time.Month(m+1)) {
				working := wd < 5
				if len(hs) > 0 && hs[0] == tableFirstDay+i {
					working, hs = false, hs[1:]
				}
				ords[base|d] = int32(len(dates)) << 1
				if working {
					ords[base|d] |= 1
					dates = append(dates, dateTable[i])
				}
				i++
				if wd++; wd == 7 {
					wd = 0
				}
			}
		}
	}
	// Slots past the end of a month stand for the first days of the next,
	// as dayNumber counts them; December has none.
	for y := range workYears {
		for m := range 11 {
			base, n := (y*12+m)<<5, daysIn(FirstYear+y, time.Month(m+1))
			for d := n; d < 31; d++ {
				ords[base|d] = ords[base+32|(d-n)]
			}
		}
	}
	x := &workIndex{ords: ords, dates: dates}
	l.index.Store(x)
	return x
}

// sharedWorkIndexes lets calendars with the same weekday holidays share one
// working-day index even when each added them itself: a store that builds a
// calendar per request, with the same imported closures each time, then
// builds the index once per process rather than once per request. It holds
// at most maxSharedWorkIndexes sets, dropping an arbitrary one when full,
// which costs only a rebuild.
var sharedWorkIndexes struct {
	sync.Mutex
	m map[string]*lazyWorkIndex
}

const maxSharedWorkIndexes = 16

// workIndexFor returns the shared lazy index of a sorted set of weekday
// holiday day numbers. Only the holidays within the index's days matter.
func workIndexFor(days []int) *lazyWorkIndex {
	days = days[sort.SearchInts(days, tableFirstDay):sort.SearchInts(days, tableFirstDay+len(dateTable))]
	key := make([]byte, 0, 4*len(days))
	for _, d := range days {
		key = binary.LittleEndian.AppendUint32(key, uint32(d-tableFirstDay))
	}
	s := &sharedWorkIndexes
	s.Lock()
	defer s.Unlock()
	if l, ok := s.m[string(key)]; ok {
		return l
	}
	if s.m == nil {
		s.m = map[string]*lazyWorkIndex{}
	}
	if len(s.m) >= maxSharedWorkIndexes {
		for k := range s.m {
			delete(s.m, k)
			break
		}
	}
	l := &lazyWorkIndex{holidays: days}
	s.m[string(key)] = l
	return l
}

// forward returns the nth (n >= 1) working day after day number a, which
// falls in year.
func (c *Calendar) forward(a, year, n int) int {
	hs := c.weekdays.days
	i := c.weekdays.lowerBound(a+1, year) // the first weekday holiday after a
	for {
		r := addWeekdays(a, n)
		// Each weekday holiday in (a, r] pushes the answer one weekday on;
		// the extra weekdays may hold holidays of their own, hence the loop.
		j := i
		for j < len(hs) && hs[j] <= r {
			j++
		}
		if n = j - i; n == 0 {
			return r
		}
		a, i = r, j
	}
}

// backward returns the nth (n >= 1) working day before day number a, which
// falls in year.
func (c *Calendar) backward(a, year, n int) int {
	hs := c.weekdays.days
	i := c.weekdays.lowerBound(a, year) // holidays before a are hs[:i]
	for {
		r := subWeekdays(a, n)
		j := i
		for j > 0 && hs[j-1] >= r {
			j--
		}
		if n = i - j; n == 0 {
			return r
		}
		a, i = r, j
	}
}

// dayIndex is a sorted set of day numbers with, for each year of the
// holiday tables, where that year's entries start: a search looks only at
// one year's handful of entries.
type dayIndex struct {
	days   []int
	byYear []int // byYear[y-FirstYear]: index of the first day in year y, up to ruleLastYear+1
}

func newDayIndex(hs []Holiday) dayIndex {
	x := dayIndex{days: make([]int, 0, len(hs))}
	for _, h := range hs {
		if !isWeekend(h.Date) {
			x.days = append(x.days, h.Date.dayNumber())
		}
	}
	sort.Ints(x.days)
	for y := FirstYear; y <= ruleLastYear+1; y++ {
		x.byYear = append(x.byYear, sort.SearchInts(x.days, Date{y, time.January, 1}.dayNumber()))
	}
	return x
}

// lowerBound returns the index of the first day at least n. n must fall in
// year or be 1 January of the year after; the search is then confined to
// that year's entries.
func (x dayIndex) lowerBound(n, year int) int {
	lo, hi := 0, len(x.days)
	if i := uint(year - FirstYear); i < uint(len(x.byYear)-1) {
		lo, hi = x.byYear[i], x.byYear[i+1]
	}
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.days[mid] < n {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// addWeekdays returns the nth (n >= 1) Monday-to-Friday after day number a.
func addWeekdays(a, n int) int {
	// A weekend start has the same weekdays after it as the Friday before.
	w := uint(weekdayOf(a)+6) % 7 // Monday 0 … Sunday 6
	if w > 4 {
		a -= int(w - 4)
		w = 4
	}
	k := w + uint(n)
	return a - int(w) + int(k/5*7+k%5)
}

// subWeekdays returns the nth (n >= 1) Monday-to-Friday before day number a.
func subWeekdays(a, n int) int {
	// A weekend start has the same weekdays before it as the Monday after.
	w := uint(weekdayOf(a)+6) % 7 // Monday 0 … Sunday 6
	if w > 4 {
		a += int(7 - w)
		w = 0
	}
	w = 4 - w // Friday 0 … Monday 4
	k := w + uint(n)
	return a + int(w) - int(k/5*7+k%5)
}

// WorkingDaysBetween counts the working days after from up to and including
// to: 0 when to is from or earlier, 1 from a working day to the next. It
// walks day by day, for short spans such as a case's life (a proforma's
// "working days taken").
func (c *Calendar) WorkingDaysBetween(from, to Date) int {
	n := 0
	for d := from.AddDays(1); !to.Before(d); d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}
