package metricmath

import (
	"context"
	"math"
	"strings"
	"time"
)

// Series is one time series. Timestamps are ascending; Values[i] is the
// value at Timestamps[i]. Only periods with data are listed; a NaN value is
// treated as missing (as if the timestamp were absent). Series returned by
// Eval never contain NaN or ±Inf.
type Series struct {
	Label      string
	Timestamps []time.Time
	Values     []float64
	// Props are the dimension values and other properties used for labels
	// (for example by ${PROP('Dim.InstanceId')}); passed through untouched.
	Props map[string]string
	// Period is the period of a MetricStat series; 0 means Env.Period().
	// PERIOD(m1) returns it, and non-sparse functions use it as their step.
	Period time.Duration
}

// Kind tells which part of a Result is set.
type Kind uint8

const (
	KindScalar Kind = iota + 1
	KindSeries
	KindArray
)

func (k Kind) String() string {
	switch k {
	case KindScalar:
		return "scalar"
	case KindSeries:
		return "time series"
	case KindArray:
		return "array of time series"
	}
	return "invalid"
}

// article returns the kind with its indefinite article, for messages.
func (k Kind) article() string {
	if k == KindArray {
		return "an " + k.String()
	}
	return "a " + k.String()
}

// Result is a scalar, one series, or an array of series.
type Result struct {
	Kind   Kind
	Scalar float64
	Series Series
	Array  []Series
}

// Env supplies the data of one GetMetricData request to Eval. Its methods
// are called from the goroutine running Eval only.
type Env interface {
	// Metric returns the result of the query with this Id: a MetricStat
	// query's series (KindSeries) or an earlier expression's result.
	Metric(id string) (Result, bool)
	// MetricIDs lists the Ids of the request's MetricStat queries (not
	// expressions), in request order; METRICS() returns their series.
	MetricIDs() []string
	// Period is the Period of the expression's query (the step of
	// TIME_SERIES and the default of SEARCH).
	Period() time.Duration
	// Start and End bound the request (End exclusive).
	Start() time.Time
	End() time.Time
	// Search runs a SEARCH against the metric catalogue: every metric for
	// which query.Match is true, with stat and period (seconds) applied.
	Search(ctx context.Context, query Search, stat string, period int) ([]Series, error)
}

// ResultLabels returns the label of each series of r (one for KindSeries,
// len(r.Array) for KindArray), following the CloudWatch console's rule for
// expressions: a single series is labelled with the expression's label, or
// its Id when the label is empty; a member of an array is labelled
// "Expression-Label Metric-Label", or just the member's label when the
// expression's label is empty.
func ResultLabels(id, label string, r Result) []string {
	switch r.Kind {
	case KindSeries:
		if label != "" {
			return []string{label}
		}
		return []string{id}
	case KindArray:
		out := make([]string, len(r.Array))
		for i, s := range r.Array {
			l := s.Label
			if l == "" {
				l = id
			}
			out[i] = strings.TrimSpace(label + " " + l)
		}
		return out
	}
	return nil
}

// series is the internal form of a Series: unix-nanosecond timestamps and
// only finite values.
type series struct {
	label  string
	props  map[string]string
	period time.Duration
	t      []int64
	v      []float64
}

// val is an intermediate value of evaluation.
type val struct {
	kind   Kind
	scalar float64
	ts     *series
	arr    []*series
}

func scalarVal(f float64) val  { return val{kind: KindScalar, scalar: f} }
func seriesVal(s *series) val  { return val{kind: KindSeries, ts: s} }
func arrayVal(a []*series) val { return val{kind: KindArray, arr: a} }
func finite(f float64) bool    { return !math.IsNaN(f) && !math.IsInf(f, 0) }
func (s *series) len() int     { return len(s.t) }
func (s *series) derive() *series {
	return &series{label: s.label, props: s.props, period: s.period}
}

func fromSeries(s Series) *series {
	out := &series{label: s.Label, props: s.Props, period: s.Period,
		t: make([]int64, 0, len(s.Timestamps)), v: make([]float64, 0, len(s.Values))}
	n := min(len(s.Timestamps), len(s.Values))
	last := int64(math.MinInt64)
	sorted := true
	for i := 0; i < n; i++ {
		if !finite(s.Values[i]) {
			continue
		}
		t := s.Timestamps[i].UnixNano()
		if t <= last {
			sorted = false
		}
		last = t
		out.t = append(out.t, t)
		out.v = append(out.v, s.Values[i])
	}
	if !sorted {
		sortSeries(out)
	}
	return out
}

func (s *series) export() Series {
	out := Series{Label: s.label, Props: s.props, Period: s.period,
		Timestamps: make([]time.Time, len(s.t)), Values: make([]float64, len(s.v))}
	for i, t := range s.t {
		out.Timestamps[i] = time.Unix(0, t).UTC()
	}
	copy(out.Values, s.v)
	return out
}

func fromResult(r Result) (val, bool) {
	switch r.Kind {
	case KindScalar:
		return scalarVal(r.Scalar), true
	case KindSeries:
		return seriesVal(fromSeries(r.Series)), true
	case KindArray:
		a := make([]*series, len(r.Array))
		for i, s := range r.Array {
			a[i] = fromSeries(s)
		}
		return arrayVal(a), true
	}
	return val{}, false
}

var nanValue = math.NaN()
