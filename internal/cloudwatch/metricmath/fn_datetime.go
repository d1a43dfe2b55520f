package metricmath

import (
	"math"
	"time"
)

// fnDatetime implements MINUTE, HOUR, DAY, DATE, MONTH, YEAR and EPOCH:
// from the period of the series and the range of the request, a non-sparse
// series whose value at each timestamp is, in UTC, the minute (0-59), hour
// (0-23), day of the week (1 = Monday … 7 = Sunday), day of the month
// (1-31), month (1-12), year, or seconds since the Unix epoch.
func (ev *evaluator) fnDatetime(c *Call, x val) (val, *Error) {
	if err := wantKinds(c, 0, x, KindSeries); err != nil {
		return val{}, err
	}
	out := x.ts.derive()
	out.t = ev.grid(ev.periodOf(x.ts))
	out.v = make([]float64, len(out.t))
	for i, ns := range out.t {
		t := time.Unix(0, ns).UTC()
		var y int
		switch c.Name {
		case "MINUTE":
			y = t.Minute()
		case "HOUR":
			y = t.Hour()
		case "DAY":
			y = int(t.Weekday())
			if y == 0 {
				y = 7
			}
		case "DATE":
			y = t.Day()
		case "MONTH":
			y = int(t.Month())
		case "YEAR":
			y = t.Year()
		case "EPOCH":
			out.v[i] = float64(t.Unix())
			continue
		}
		out.v[i] = float64(y)
	}
	return seriesVal(out), nil
}

// fnTimeSeries implements TIME_SERIES(S): a non-sparse series with the
// scalar at every period of the request (the expression's Period). A
// missing scalar gives an empty series.
func (ev *evaluator) fnTimeSeries(c *Call, x val) (val, *Error) {
	if err := wantKinds(c, 0, x, KindScalar); err != nil {
		return val{}, err
	}
	out := &series{period: ev.env.Period()}
	if !finite(x.scalar) {
		return seriesVal(out), nil
	}
	out.t = ev.grid(out.period)
	out.v = make([]float64, len(out.t))
	for i := range out.v {
		out.v[i] = x.scalar
	}
	return seriesVal(out), nil
}

// fnPeriod implements PERIOD(m): the period in seconds of a metric query.
// As documented, the argument must be the Id of a metric, not of another
// expression.
func (ev *evaluator) fnPeriod(c *Call) (val, *Error) {
	id, ok := c.Args[0].(*Ident)
	if !ok {
		return val{}, errorf(c.Args[0].Pos(), "The argument of PERIOD must be the Id of a metric, not an expression")
	}
	isMetric := false
	for _, m := range ev.env.MetricIDs() {
		if m == id.Name {
			isMetric = true
			break
		}
	}
	if !isMetric {
		if _, ok := ev.env.Metric(id.Name); ok {
			return val{}, errorf(id.P, "The argument of PERIOD must be the Id of a metric; %s is an expression", id.Name)
		}
		return val{}, errorf(id.P, "Unrecognized metric or expression id %s", id.Name)
	}
	r, _ := ev.env.Metric(id.Name)
	p := r.Series.Period
	if r.Kind != KindSeries || p <= 0 {
		p = ev.env.Period()
	}
	return scalarVal(math.Round(p.Seconds())), nil
}
