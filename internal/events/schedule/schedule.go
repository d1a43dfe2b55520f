package schedule

import (
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed schedule expression. It is immutable and safe for
// concurrent use.
type Schedule struct {
	expr string
	rate time.Duration // > 0 for rate(...)
	cron *cronSpec     // non-nil for cron(...)
}

// Parse parses a rate(...) or cron(...) expression as PutRule accepts it. An
// invalid expression returns an *Error whose Error() is AWS's message.
func Parse(expr string) (*Schedule, error) {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		d, err := parseRate(expr[len("rate(") : len(expr)-1])
		if err != nil {
			return nil, err
		}
		return &Schedule{expr: expr, rate: d}, nil
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		c, err := parseCron(expr[len("cron(") : len(expr)-1])
		if err != nil {
			return nil, err
		}
		return &Schedule{expr: expr, cron: c}, nil
	}
	return nil, invalid("expression is neither rate(value unit) nor cron(fields)")
}

// String returns the expression as given to Parse.
func (s *Schedule) String() string { return s.expr }

// IsRate reports whether s is a rate(...) schedule.
func (s *Schedule) IsRate() bool { return s.rate > 0 }

// Rate returns the period of a rate(...) schedule, 0 for a cron schedule.
func (s *Schedule) Rate() time.Duration { return s.rate }

// epoch is the anchor Next uses for rate schedules.
var epoch = time.Unix(0, 0).UTC()

// Next returns the first fire time strictly after `after`, in UTC, or the
// zero Time if there is none (a cron expression whose years are all past).
//
// A rate schedule counts from when its rule was created, which Next does
// not know: it counts from the Unix epoch, so rate(5 minutes) fires on
// every fifth minute of the clock. Callers that know the rule's creation
// time use NextFrom.
func (s *Schedule) Next(after time.Time) time.Time {
	return s.NextFrom(epoch, after)
}

// NextFrom is Next for a rule whose schedule started at anchor (when the
// rule was created or its ScheduleExpression last changed). A rate
// schedule fires at a+period, a+2·period, …, where a is anchor truncated
// to the minute (AWS: "the minimum precision for a schedule is one
// minute"). Our decision: AWS documents only that a rate schedule starts
// when the rule is created, so the first run is one period after, never at
// creation itself. Cron schedules ignore anchor.
func (s *Schedule) NextFrom(anchor, after time.Time) time.Time {
	after = after.UTC()
	if s.cron != nil {
		return s.cron.next(after)
	}
	anchor = anchor.UTC().Truncate(time.Minute)
	if after.Before(anchor) {
		return anchor.Add(s.rate)
	}
	k := after.Sub(anchor)/s.rate + 1
	if next := anchor.Add(k * s.rate); next.After(after) {
		return next
	}
	return time.Time{} // beyond what time.Duration spans from anchor
}

// parseRate parses "value unit". AWS: value is a positive integer; the unit
// is minute(s), hour(s) or day(s), singular exactly when value is 1.
func parseRate(body string) (time.Duration, error) {
	f := strings.Split(body, " ")
	if len(f) != 2 {
		return 0, invalid("rate needs exactly \"value unit\" separated by one space")
	}
	for _, c := range []byte(f[0]) {
		if c < '0' || c > '9' {
			return 0, invalid("rate value is not a positive integer")
		}
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n <= 0 {
		return 0, invalid("rate value is not a positive integer")
	}
	var unit time.Duration
	singular := n == 1
	switch f[1] {
	case "minute", "minutes":
		unit = time.Minute
	case "hour", "hours":
		unit = time.Hour
	case "day", "days":
		unit = 24 * time.Hour
	default:
		return 0, invalid("rate unit is not minute(s), hour(s) or day(s)")
	}
	if strings.HasSuffix(f[1], "s") == singular {
		return 0, invalid("rate unit must be singular when the value is 1 and plural otherwise")
	}
	// Our decision: periods beyond what a Duration holds are refused rather
	// than wrapped.
	if n > int64((1<<63-1)/unit) {
		return 0, invalid("rate value too large")
	}
	return time.Duration(n) * unit, nil
}
