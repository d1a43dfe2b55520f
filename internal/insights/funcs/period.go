package funcs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unit is the unit of a time period.
type Unit uint8

// The period units (AWS, "Datetime functions": the units bin accepts; this
// package accepts them in datefloor and dateceil too).
const (
	UnitMillisecond Unit = iota + 1
	UnitSecond
	UnitMinute
	UnitHour
	UnitDay
	UnitWeek
	UnitMonth
	UnitQuarter
	UnitYear
)

type unitInfo struct {
	names  []string // canonical first; multi-character names also take a plural s
	millis int64    // fixed length, 0 for calendar units
	months int      // calendar length in months
	cap    int64    // AWS's cap on the count, 0 for none
}

var units = [...]unitInfo{
	UnitMillisecond: {names: []string{"ms", "millisecond", "msec"}, millis: 1, cap: 1000},
	UnitSecond:      {names: []string{"s", "second", "sec"}, millis: 1000, cap: 60},
	UnitMinute:      {names: []string{"m", "minute", "min"}, millis: 60_000, cap: 60},
	UnitHour:        {names: []string{"h", "hour", "hr"}, millis: 3_600_000, cap: 24},
	UnitDay:         {names: []string{"d", "day"}, millis: 86_400_000},
	UnitWeek:        {names: []string{"w", "week"}, millis: 7 * 86_400_000},
	UnitMonth:       {names: []string{"mo", "month", "mon"}, months: 1},
	UnitQuarter:     {names: []string{"q", "quarter", "qtr"}, months: 3},
	UnitYear:        {names: []string{"y", "year", "yr"}, months: 12},
}

func (u Unit) String() string {
	if u >= UnitMillisecond && u <= UnitYear {
		return units[u].names[0]
	}
	return "?"
}

// Period is a time period such as 5m or 1h: a count of a unit.
type Period struct {
	N    int64
	Unit Unit
}

// maxPeriodCount bounds the count after capping, keeping all period
// arithmetic far from overflow.
const maxPeriodCount = 1_000_000

// ParsePeriod parses a period literal: a positive integer immediately
// followed by a unit — ms/msec/millisecond, s/sec/second, m/min/minute,
// h/hr/hour, d/day, w/week, mo/mon/month, q/qtr/quarter, y/yr/year — where
// every unit name longer than one letter also takes a plural s (hrs, mins,
// days). Units are case-insensitive. As AWS does, the count is capped per
// unit: at most 1000 ms, 60 s, 60 m and 24 h, so 300s means 60s (AWS: "if
// you specify bin(300s), CloudWatch Logs actually implements this as 60
// seconds"). Errors wrap ErrPeriod.
func ParsePeriod(s string) (Period, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i == len(s) {
		return Period{}, periodError(s)
	}
	name := s[i:]
	unit := Unit(0)
	for u := UnitMillisecond; u <= UnitYear && unit == 0; u++ {
		for _, n := range units[u].names {
			if strings.EqualFold(name, n) || (len(n) > 1 && len(name) == len(n)+1 &&
				strings.EqualFold(name[:len(n)], n) && (name[len(n)] == 's' || name[len(n)] == 'S')) {
				unit = u
				break
			}
		}
	}
	if unit == 0 {
		return Period{}, periodError(s)
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		n = 1 << 62 // beyond any cap; rejected below unless capped
	}
	if c := units[unit].cap; c > 0 && n > c {
		n = c
	}
	if n <= 0 || n > maxPeriodCount {
		return Period{}, periodError(s)
	}
	return Period{N: n, Unit: unit}, nil
}

func periodError(s string) error {
	return fmt.Errorf("%w %q: want a positive integer and a unit, such as 5m or 1h", ErrPeriod, s)
}

// String returns the period in its short form (5m, 1h, 3mo).
func (p Period) String() string { return strconv.FormatInt(p.N, 10) + p.Unit.String() }

// Millis returns the period's length in milliseconds, and false for the
// calendar units (month, quarter, year), whose length varies.
func (p Period) Millis() (int64, bool) {
	if p.Unit < UnitMillisecond || p.Unit > UnitYear || units[p.Unit].millis == 0 {
		return 0, false
	}
	return p.N * units[p.Unit].millis, true
}

// mondayMillis is 1970-01-05T00:00Z, the first Monday after the epoch:
// weeks start on Monday (ISO 8601).
const mondayMillis = 4 * 86_400_000

// Floor truncates a Unix-millisecond time to the start of its period, in
// UTC: periods of ms, s, m, h and d are multiples of their length since the
// epoch (so 5m buckets start at :00, :05, …); weeks start on Monday; months,
// quarters and years start on the first of a month, counted in whole months
// since year 0 (so 2mo buckets start in January, March, …, and 10y buckets
// on decades).
func (p Period) Floor(ms int64) int64 {
	if p.N <= 0 || p.Unit < UnitMillisecond || p.Unit > UnitYear {
		return ms
	}
	u := units[p.Unit]
	if u.millis != 0 {
		step := p.N * u.millis
		if p.Unit == UnitWeek {
			return floorDiv(ms-mondayMillis, step)*step + mondayMillis
		}
		return floorDiv(ms, step) * step
	}
	t := time.UnixMilli(ms).UTC()
	months := int64(t.Year())*12 + int64(t.Month()) - 1
	step := p.N * int64(u.months)
	months = floorDiv(months, step) * step
	return monthStart(months)
}

// Ceil rounds a Unix-millisecond time up to the start of the next period,
// unless it already is the start of one.
func (p Period) Ceil(ms int64) int64 {
	f := p.Floor(ms)
	if f == ms || p.N <= 0 || p.Unit < UnitMillisecond || p.Unit > UnitYear {
		return f
	}
	u := units[p.Unit]
	if u.millis != 0 {
		return f + p.N*u.millis
	}
	t := time.UnixMilli(f).UTC()
	months := int64(t.Year())*12 + int64(t.Month()) - 1 + p.N*int64(u.months)
	return monthStart(months)
}

// monthStart is the Unix-millisecond start of month number m (year*12 +
// month-1).
func monthStart(m int64) int64 {
	y, mo := floorDiv(m, 12), m-floorDiv(m, 12)*12
	return time.Date(int(y), time.Month(mo+1), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
