package insights

import (
	"time"

	"github.com/vigilhq/vigil/internal/insights/query"
)

// logcompare timeshift D (CWL_QuerySyntax-Logcompare): "compare the current
// time window against a baseline window shifted back by a specified
// duration". AWS documents no result fields. Our decision: it answers
// exactly as "pattern @message | diff" does (@pattern, @ratio,
// @sampleCount, @severityLabel, @previousSampleCount, @previousRatio; see
// patternStage), with the baseline window the query's window moved back by
// D instead of one of diff's periods. It is compiled into that pattern stage
// with that diffSpec, so both commands share one implementation.
//
// Where it may appear (our decisions, following diff):
//   - The commands before it run on both windows alike (a filter selects
//     the same kind of event in the baseline), as those before
//     pattern ... | diff do.
//   - It clusters log events, so it cannot follow stats or pattern (whose
//     rows are aggregates without a @message); to compare the patterns of
//     another expression write pattern expr | diff.
//   - The commands after it see its pattern rows, as after diff.
//   - A query compares with one earlier window only: logcompare once, and
//     not together with diff.

func compileLogCompare(c *compiler, stages []stage, cmd *query.LogCompareCmd) (stage, error) {
	for _, s := range stages {
		if s.kind == stStats {
			return stage{}, errAt(cmd.Pos, "logcompare compares the patterns of log events and cannot follow stats")
		}
		if _, ok := s.rows.(*patternStage); ok {
			return stage{}, errAt(cmd.Pos, "logcompare clusters @message itself and cannot follow pattern; use pattern ... | diff to compare the patterns of an expression")
		}
	}
	shift, err := shiftOf(cmd.Shift)
	if err != nil {
		return stage{}, err
	}
	src, err := c.compile(&query.FieldRef{Pos: cmd.Pos, Path: []query.PathElem{{Name: "@message"}}})
	if err != nil {
		return stage{}, err
	}
	return stage{kind: stRows, rows: &patternStage{src: src, diff: &diffSpec{shift: shift}}}, nil
}

// oneComparison refuses a second comparison window: prepareDiff scans one.
func oneComparison(stages []stage, pos int) error {
	for _, s := range stages {
		if ps, ok := s.rows.(*patternStage); ok && ps.diff != nil {
			return errAt(pos, "a query can compare with one earlier time window only (one diff or logcompare)")
		}
	}
	return nil
}

// timeShift is a distance back in time: a fixed number of milliseconds or
// a number of calendar months.
type timeShift struct {
	millis int64
	months int
}

// maxShiftDays bounds a shift (timeshift, SOURCE start=-D): no event is
// older than CloudWatch Logs' longest retention, 10 years (3653 days); we
// accept ten times that and refuse more, so the arithmetic cannot overflow.
const maxShiftDays = 36530

var unitMillis = map[string]int64{
	"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000,
}

var unitMonths = map[string]int{"mo": 1, "q": 3, "y": 12}

// shiftOf is the shift a duration literal (a positive whole number of a
// unit, checked by the parser) stands for. Months, quarters and years are
// calendar months (our decision, as diff previousMonth: the same day and
// time that many months back); the other units have fixed lengths, a day
// being 24 hours.
func shiftOf(d *query.DurationLit) (timeShift, error) {
	tooLong := errAt(d.Pos, "time shift %s is too long: at most %d days", d.Text, maxShiftDays)
	if m, ok := unitMonths[d.Unit]; ok {
		if d.Amount*float64(m) > maxShiftDays/28 {
			return timeShift{}, tooLong
		}
		return timeShift{months: int(d.Amount) * m}, nil
	}
	ms, ok := unitMillis[d.Unit]
	if !ok {
		return timeShift{}, errAt(d.Pos, "unknown time unit in %s", d.Text)
	}
	if d.Amount*float64(ms) > maxShiftDays*86_400_000 {
		return timeShift{}, tooLong
	}
	return timeShift{millis: int64(d.Amount) * ms}, nil
}

// back returns ms (Unix milliseconds) moved back by the shift. A month
// back is the same day and time of the earlier month in UTC, the day
// clamped to that month's last (March 31 one month back is February 28 or
// 29).
func (s timeShift) back(ms int64) int64 {
	if s.months == 0 {
		return ms - s.millis
	}
	t := time.UnixMilli(ms).UTC()
	y, m, d := t.Date()
	first := time.Date(y, m-time.Month(s.months), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1).UnixMilli()
}

// SourceWindow applies the start= and end= options of a query's SOURCE
// command to its time window [start, end] (Unix milliseconds, inclusive;
// StartQuery's startTime and endTime) at now (the query's start).
// CWL_QuerySyntax-Logcompare's example, "SOURCE lg start=-1d end=now", is
// all AWS documents; our decisions:
//   - start=-D is D before now and end=now is now; either replaces
//     StartQuery's bound, and the bound not given stays.
//   - The query has one window: the options may be written on any of the
//     SOURCE log groups, and where written more than once must be equal.
//   - A window whose start is after its end is refused.
//
// Errors are *UnsupportedError with the option's offset (StartQuery
// answers them as MalformedQueryException).
func SourceWindow(src *query.Source, now, start, end int64) (int64, int64, error) {
	if src == nil {
		return start, end, nil
	}
	given := map[string]query.SourceOption{}
	for _, g := range src.Groups {
		for _, o := range g.Options {
			if prev, ok := given[o.Key]; ok {
				if prev.Value != o.Value {
					return 0, 0, errAt(o.Pos, "SOURCE %s=%s differs from %s=%s given before: a query has one time window", o.Key, o.Value, prev.Key, prev.Value)
				}
				continue
			}
			given[o.Key] = o
			t := now
			if o.Ago != nil {
				sh, err := shiftOf(o.Ago)
				if err != nil {
					return 0, 0, err
				}
				t = sh.back(now)
			}
			if o.Key == "start" {
				start = t
			} else {
				end = t
			}
		}
	}
	if start > end {
		pos := src.Pos
		if o, ok := given["start"]; ok {
			pos = o.Pos
		} else if o, ok := given["end"]; ok {
			pos = o.Pos
		}
		return 0, 0, errAt(pos, "The query's time window is empty: it starts at %s, after its end at %s",
			fmtMillis(start), fmtMillis(end))
	}
	return start, end, nil
}

func fmtMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}
