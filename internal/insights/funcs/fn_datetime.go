package funcs

import (
	"math"
	"time"
)

// maxMillis bounds timestamps to ±100,000,000 days around the epoch (the
// ECMAScript Date range), keeping period arithmetic clear of overflow.
const maxMillis = 8_640_000_000_000_000

// datetimeFuncs are AWS's "Datetime functions".
var datetimeFuncs = []*Func{
	{Name: "bin", MinArgs: 1, MaxArgs: 1, Implicit: "@timestamp", Call: callBin, Check: checkPeriodArg(0), Bind: bindRound((Period).Floor, 0)},
	{Name: "datefloor", MinArgs: 2, MaxArgs: 2, Call: roundTime((Period).Floor), Check: checkPeriodArg(1), Bind: bindRound((Period).Floor, 1)},
	{Name: "dateceil", MinArgs: 2, MaxArgs: 2, Call: roundTime((Period).Ceil), Check: checkPeriodArg(1), Bind: bindRound((Period).Ceil, 1)},
	fn("fromMillis", 1, 1, callFromMillis),
	fn("toMillis", 1, 1, callToMillis),
	fn("now", 0, 0, callNow),
	{Name: "parseDate", MinArgs: 2, MaxArgs: 3, Call: callParseDate, Check: checkParseDate},
	{Name: "formatDate", MinArgs: 2, MaxArgs: 3, Call: callFormatDate, Check: checkZoneArg(2)},
}

// TimeArg is the timestamp view of a value, in Unix milliseconds: time
// values; numbers and numeric strings as milliseconds (fraction dropped);
// and, as an extension, strings in ISO 8601 / RFC 3339 form
// (2022-01-14T13:18:31.000-08:00, 2024-01-02 03:04:05.678 or 2024-01-02,
// UTC when no offset is given). Values beyond ±8.64e15 ms have none.
func TimeArg(v Value) (int64, bool) {
	switch v.kind {
	case KindTime:
		return int64(v.num), true
	case KindNumber:
		return millisOf(v.num)
	case KindString:
		if f, ok := ParseNumber(v.str); ok {
			return millisOf(f)
		}
		return parseISOTime(v.str)
	}
	return 0, false
}

func millisOf(f float64) (int64, bool) {
	f = math.Trunc(f)
	if f < -maxMillis || f > maxMillis {
		return 0, false
	}
	return int64(f), true
}

var isoLayouts = []string{
	"2006-01-02T15:04:05Z07:00", // fractions are accepted after the seconds
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

func parseISOTime(s string) (int64, bool) {
	if len(s) < 10 || s[4] != '-' {
		return 0, false
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return millisOf(float64(t.UnixMilli()))
		}
	}
	return 0, false
}

// periodArg reads a period argument, which the planner passes as the
// literal's text (bin(5m) → "5m").
func periodArg(v Value) (Period, bool) {
	if v.kind != KindString {
		return Period{}, false
	}
	p, err := ParsePeriod(v.str)
	return p, err == nil
}

func checkPeriodArg(i int) func([]Value) error {
	return func(args []Value) error {
		s, ok := litArg(args, i)
		if !ok {
			return nil
		}
		_, err := ParsePeriod(s)
		return err
	}
}

// callBin is bin(period), called with @timestamp before the period: the
// timestamp floored to the period (AWS: "Rounds the value of @timestamp to
// the given time period and then truncates"; see Period.Floor).
func callBin(_ *Env, args []Value) Value {
	return roundTime((Period).Floor)(nil, args)
}

// roundTime builds datefloor and dateceil (timestamp, period) → timestamp.
func roundTime(round func(Period, int64) int64) func(*Env, []Value) Value {
	return func(_ *Env, args []Value) Value {
		ms, ok := TimeArg(args[0])
		if !ok {
			return Null
		}
		p, ok := periodArg(args[1])
		if !ok {
			return Null
		}
		return Timestamp(round(p, ms))
	}
}

// bindRound specialises roundTime to a literal period, the written
// argument i.
func bindRound(round func(Period, int64) int64, i int) func([]Value) func(*Env, []Value) Value {
	return func(lits []Value) func(*Env, []Value) Value {
		if i >= len(lits) {
			return nil
		}
		p, ok := periodArg(lits[i])
		if !ok {
			return nil
		}
		return func(_ *Env, args []Value) Value {
			ms, ok := TimeArg(args[0])
			if !ok {
				return Null
			}
			return Timestamp(round(p, ms))
		}
	}
}

// callFromMillis is fromMillis(n): milliseconds since the epoch as a
// timestamp.
func callFromMillis(_ *Env, args []Value) Value {
	f, ok := numArg(args[0])
	if !ok {
		return Null
	}
	ms, ok := millisOf(f)
	if !ok {
		return Null
	}
	return Timestamp(ms)
}

// callToMillis is toMillis(t): a timestamp as milliseconds since the epoch.
func callToMillis(_ *Env, args []Value) Value {
	ms, ok := TimeArg(args[0])
	if !ok {
		return Null
	}
	return Num(float64(ms))
}

// callNow is now(): when query processing started, in whole epoch seconds.
func callNow(env *Env, _ []Value) Value {
	if env == nil || env.Now.IsZero() {
		return Null
	}
	return Num(float64(env.Now.Unix()))
}

// zoneArg resolves the optional time zone argument at index i (UTC when
// absent).
func zoneArg(args []Value, i int) (*time.Location, bool) {
	if i >= len(args) {
		return time.UTC, true
	}
	s, ok := textArg(args[i])
	if !ok {
		return nil, false
	}
	loc, err := loadZone(s)
	return loc, err == nil
}

func checkZoneArg(i int) func([]Value) error {
	return func(args []Value) error {
		s, ok := litArg(args, i)
		if !ok {
			return nil
		}
		_, err := loadZone(s)
		return err
	}
}

func checkParseDate(args []Value) error {
	if p, ok := litArg(args, 1); ok {
		if _, err := compileDatePattern(p); err != nil {
			return err
		}
	}
	return checkZoneArg(2)(args)
}

// callParseDate is parseDate(s, pattern[, zone]): s read with a Java
// DateTimeFormatter pattern (see compileDatePattern) as epoch milliseconds.
// A time without its own offset or zone is in zone (default UTC); missing
// date fields default to 1970-01-01 and missing time fields to zero.
// Text that does not fit the pattern, or an impossible date, gives null.
func callParseDate(_ *Env, args []Value) Value {
	s, ok := textArg(args[0])
	if !ok {
		return Null
	}
	p, ok := textArg(args[1])
	if !ok {
		return Null
	}
	pat, err := compileDatePattern(p)
	if err != nil {
		return Null
	}
	loc, ok := zoneArg(args, 2)
	if !ok {
		return Null
	}
	ms, ok := pat.parse(s, loc)
	if !ok {
		return Null
	}
	return Num(float64(ms))
}

// callFormatDate is formatDate(t, format[, zone]), alias strftime: the
// timestamp formatted with strftime directives (see strftime) in zone
// (default UTC).
func callFormatDate(_ *Env, args []Value) Value {
	ms, ok := TimeArg(args[0])
	if !ok {
		return Null
	}
	f, ok := textArg(args[1])
	if !ok {
		return Null
	}
	loc, ok := zoneArg(args, 2)
	if !ok {
		return Null
	}
	return Str(string(strftime(nil, time.UnixMilli(ms).In(loc), f)))
}
