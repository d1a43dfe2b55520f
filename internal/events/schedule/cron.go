package schedule

import (
	"math/bits"
	"strconv"
	"strings"
	"time"
)

const (
	minYear = 1970
	maxYear = 2199
)

// cronSpec is a parsed cron(...) body. Each field is a bit set of the
// values it allows; the day is either a day-of-month rule or a
// day-of-week rule, never both (AWS requires `?` in the other field).
type cronSpec struct {
	minutes uint64    // bits 0-59
	hours   uint64    // bits 0-23
	months  uint64    // bits 1-12
	years   [4]uint64 // bit y-1970 for 1970-2199

	byWeekday bool // day-of-month is `?`; the day-of-week rule decides

	// Day-of-month rule.
	domKind domKind
	domSet  uint64 // bits 1-31, domList
	domN    int    // day for domNearestWeekday

	// Day-of-week rule; weekdays are time.Weekday (Sunday 0).
	dowKind dowKind
	dowSet  uint8 // bits 0-6, dowList
	dowDay  time.Weekday
	dowNth  int // 1-5 for dowNth
}

type domKind uint8

const (
	domList           domKind = iota
	domLast                   // L: the last day of the month
	domLastWeekday            // LW: the last weekday (Monday-Friday) of the month
	domNearestWeekday         // nW: the weekday nearest day n, within the month
)

type dowKind uint8

const (
	dowList dowKind = iota
	dowLast         // nL: the last such weekday of the month
	dowNth          // n#k: the k-th such weekday of the month
)

var monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
var dayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

// field describes one cron field's range and names.
type field struct {
	name     string
	min, max int
	names    []string // names[i] is value min+i
}

var (
	fMinutes = field{"minutes", 0, 59, nil}
	fHours   = field{"hours", 0, 23, nil}
	fDOM     = field{"day-of-month", 1, 31, nil}
	fMonth   = field{"month", 1, 12, monthNames}
	fDOW     = field{"day-of-week", 1, 7, dayNames}
	fYear    = field{"year", minYear, maxYear, nil}
)

func parseCron(body string) (*cronSpec, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, invalid("cron needs six fields: minutes hours day-of-month month day-of-week year")
	}
	c := &cronSpec{}
	var err error
	var set []bool
	if set, err = parseList(f[0], fMinutes); err != nil {
		return nil, err
	}
	c.minutes = mask(set)
	if set, err = parseList(f[1], fHours); err != nil {
		return nil, err
	}
	c.hours = mask(set)
	if set, err = parseList(f[3], fMonth); err != nil {
		return nil, err
	}
	c.months = mask(set)
	if set, err = parseList(f[5], fYear); err != nil {
		return nil, err
	}
	for y := minYear; y <= maxYear; y++ {
		if set[y] {
			c.years[(y-minYear)/64] |= 1 << ((y - minYear) % 64)
		}
	}
	domAny, dowAny := f[2] == "?", f[4] == "?"
	if domAny == dowAny {
		return nil, invalid("exactly one of day-of-month and day-of-week must be ?")
	}
	if dowAny {
		err = c.parseDOM(f[2])
	} else {
		c.byWeekday = true
		err = c.parseDOW(f[4])
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (c *cronSpec) parseDOM(s string) error {
	switch {
	case s == "L":
		c.domKind = domLast
		return nil
	case s == "LW":
		// Our decision: LW (the last weekday of the month) as in Quartz, from
		// which AWS's syntax comes; AWS lists L and W but not the pair.
		c.domKind = domLastWeekday
		return nil
	case strings.HasPrefix(s, "L"):
		return invalid("day-of-month offsets from L (L-n) are not supported")
	case strings.HasSuffix(s, "W"):
		n, ok := number(s[:len(s)-1])
		if !ok || n < 1 || n > 31 {
			return invalid("W needs a day of month 1-31 before it")
		}
		c.domKind, c.domN = domNearestWeekday, n
		return nil
	}
	if strings.ContainsAny(s, "LW") {
		return invalid("L and W must be the whole day-of-month field")
	}
	set, err := parseList(s, fDOM)
	if err != nil {
		return err
	}
	c.domSet = mask(set)
	return nil
}

func (c *cronSpec) parseDOW(s string) error {
	if strings.Contains(s, "#") {
		if strings.Contains(s, ",") {
			return invalid("# allows only one expression in day-of-week")
		}
		day, nth, _ := strings.Cut(s, "#")
		d, ok := value(day, fDOW)
		if !ok {
			return invalid("# needs a day of week 1-7 or SUN-SAT before it")
		}
		k, ok := number(nth)
		if !ok || k < 1 || k > 5 {
			return invalid("# needs an occurrence 1-5 after it")
		}
		c.dowKind, c.dowDay, c.dowNth = dowNth, time.Weekday(d-1), k
		return nil
	}
	if s == "L" {
		// L alone is the last day of the week: Saturday.
		c.dowSet = 1 << time.Saturday
		return nil
	}
	if strings.HasSuffix(s, "L") {
		d, ok := value(s[:len(s)-1], fDOW)
		if !ok {
			return invalid("L needs a day of week 1-7 or SUN-SAT before it")
		}
		c.dowKind, c.dowDay = dowLast, time.Weekday(d-1)
		return nil
	}
	set, err := parseList(s, fDOW)
	if err != nil {
		return err
	}
	for d := 1; d <= 7; d++ {
		if set[d] {
			c.dowSet |= 1 << (d - 1)
		}
	}
	return nil
}

// parseList parses a comma-separated list of `*`, `v`, `v-w` (w < v wraps
// round, as in Quartz: FRI-MON, 22-2 — our decision, AWS is silent), each
// optionally followed by `/step` (`v/step` runs from v to the field's
// maximum). It returns set[v] for every allowed v.
func parseList(s string, f field) ([]bool, error) {
	set := make([]bool, f.max+1)
	for _, item := range strings.Split(s, ",") {
		base, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, ok := number(stepText)
			if !ok || n < 1 || n > f.max-f.min+1 {
				return nil, invalid(f.name + ": step after / must be 1-" + strconv.Itoa(f.max-f.min+1))
			}
			step = n
		}
		var from, to int
		switch lo, hi, isRange := strings.Cut(base, "-"); {
		case base == "*":
			from, to = f.min, f.max
		case isRange:
			var ok1, ok2 bool
			from, ok1 = value(lo, f)
			to, ok2 = value(hi, f)
			if !ok1 || !ok2 {
				return nil, invalid(f.name + ": bad range " + base)
			}
		default:
			v, ok := value(base, f)
			if !ok {
				return nil, invalid(f.name + ": bad value " + strconv.Quote(base))
			}
			from, to = v, v
			if hasStep {
				to = f.max
			}
		}
		span := to - from
		if span < 0 {
			span += f.max - f.min + 1
		}
		for i := 0; i <= span; i += step {
			v := from + i
			if v > f.max {
				v -= f.max - f.min + 1
			}
			set[v] = true
		}
	}
	return set, nil
}

// value parses one value of f: digits, or a three-letter name (any case).
func value(s string, f field) (int, bool) {
	if n, ok := number(s); ok {
		return n, n >= f.min && n <= f.max
	}
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, true
		}
	}
	return 0, false
}

// number parses 1-4 decimal digits (no sign): longer runs are never a valid
// value or step.
func number(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func mask(set []bool) uint64 {
	var m uint64
	for v, ok := range set {
		if ok {
			m |= 1 << v
		}
	}
	return m
}

// nextBit returns the lowest set bit of m at or above from, or -1.
func nextBit(m uint64, from int) int {
	if from >= 64 {
		return -1
	}
	m = m >> from << from
	if m == 0 {
		return -1
	}
	return bits.TrailingZeros64(m)
}

func (c *cronSpec) hasYear(y int) bool {
	if y < minYear || y > maxYear {
		return false
	}
	i := y - minYear
	return c.years[i/64]&(1<<(i%64)) != 0
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// days returns the days (bits 1-31) of month m of year y the day rule allows.
func (c *cronSpec) days(y int, m time.Month) uint64 {
	last := daysIn(y, m)
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()
	wd := func(d int) time.Weekday { return (first + time.Weekday(d-1)) % 7 }
	inMonth := uint64(1)<<(last+1) - 2
	if c.byWeekday {
		var out uint64
		switch c.dowKind {
		case dowList:
			for d := 1; d <= last; d++ {
				if c.dowSet&(1<<wd(d)) != 0 {
					out |= 1 << d
				}
			}
		case dowLast:
			for d := last; d > last-7; d-- {
				if wd(d) == c.dowDay {
					out |= 1 << d
				}
			}
		case dowNth:
			// The first such weekday, then k-1 weeks on; none if that passes
			// the month's end (#5 in a month with only four).
			d := 1 + int((c.dowDay-first+7)%7) + 7*(c.dowNth-1)
			if d <= last {
				out |= 1 << d
			}
		}
		return out
	}
	switch c.domKind {
	case domList:
		return c.domSet & inMonth
	case domLast:
		return 1 << last
	case domLastWeekday:
		d := last
		for wd(d) == time.Saturday || wd(d) == time.Sunday {
			d--
		}
		return 1 << d
	case domNearestWeekday:
		d := c.domN
		if d > last {
			// Our decision (as Quartz): a day the month lacks never fires.
			return 0
		}
		switch wd(d) {
		case time.Saturday:
			if d == 1 {
				d = 3 // stays in the month: Monday the 3rd
			} else {
				d--
			}
		case time.Sunday:
			if d == last {
				d -= 2 // Friday before
			} else {
				d++
			}
		}
		return 1 << d
	}
	return 0
}

// next returns the first minute strictly after `after` the expression
// allows, or the zero Time when no year left does.
func (c *cronSpec) next(after time.Time) time.Time {
	t := after.Truncate(time.Minute).Add(time.Minute)
	if t.Year() < minYear {
		t = time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, time.UTC)
	}
	for {
		y := t.Year()
		if y > maxYear {
			return time.Time{}
		}
		if !c.hasYear(y) {
			t = date(y+1, 1, 1, 0, 0)
			continue
		}
		m := t.Month()
		nm := nextBit(c.months, int(m))
		if nm < 0 {
			t = date(y+1, 1, 1, 0, 0)
			continue
		}
		if nm != int(m) {
			t = date(y, time.Month(nm), 1, 0, 0)
			continue
		}
		d := nextBit(c.days(y, m), t.Day())
		if d < 0 {
			t = date(y, m+1, 1, 0, 0)
			continue
		}
		if d != t.Day() {
			t = date(y, m, d, 0, 0)
			continue
		}
		h := nextBit(c.hours, t.Hour())
		if h < 0 {
			t = date(y, m, d+1, 0, 0)
			continue
		}
		if h != t.Hour() {
			t = date(y, m, d, h, 0)
			continue
		}
		mi := nextBit(c.minutes, t.Minute())
		if mi < 0 {
			t = date(y, m, d, h+1, 0)
			continue
		}
		return date(y, m, d, h, mi)
	}
}

// matches reports whether minute t is one the expression allows.
func (c *cronSpec) matches(t time.Time) bool {
	t = t.UTC()
	return t.Second() == 0 && t.Nanosecond() == 0 && c.hasYear(t.Year()) &&
		c.months&(1<<t.Month()) != 0 && c.days(t.Year(), t.Month())&(1<<t.Day()) != 0 &&
		c.hours&(1<<t.Hour()) != 0 && c.minutes&(1<<t.Minute()) != 0
}
