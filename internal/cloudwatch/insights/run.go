package insights

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Limits documented for Metrics Insights ("Metrics Insights quotas").
const (
	// MaxSeriesScanned is the most metrics one query processes; past it the first ones found are used.
	MaxSeriesScanned = 10000
	// DefaultLookback is how far back from now a query reads (the "most recent 3 hours"; AWS's
	// current documentation allows two weeks for graphs and keeps 3 hours for alarm evaluation).
	DefaultLookback = 3 * time.Hour
	// MinPeriod: Metrics Insights does not serve high-resolution data; shorter periods are answered at
	// one-minute granularity rather than refused.
	MinPeriod = time.Minute
)

// OtherGroup is the value a GROUP BY label takes for a series that lacks that dimension.
const OtherGroup = "Other"

// Message codes of a partial Result.
const (
	MsgMaxSeriesScanned  = "MaxMetricsExceeded"
	MsgMaxSeriesReturned = "MaxTimeSeriesExceeded"
)

// Dimension is one name/value pair of a series.
type Dimension struct{ Name, Value string }

func lookupDim(dims []Dimension, name string) (string, bool) {
	for i := range dims {
		if dims[i].Name == name {
			return dims[i].Value, true
		}
	}
	return "", false
}

// SeriesRef names one series of the query's namespace and metric.
type SeriesRef struct {
	ID         uint64      // the catalog's own handle, given back to Aggregates; opaque here
	Dimensions []Dimension // any order; names are distinct
}

// SeriesFilter says which series a query reads. Equal and SchemaKeys are hints an index may use to
// narrow its scan; Match is the whole predicate and decides.
type SeriesFilter struct {
	Namespace  string
	MetricName string
	// Equal holds label = 'value' conditions every matching series satisfies (the WHERE clause's
	// top-level AND of equalities).
	Equal []Dimension
	// Schema is set for SCHEMA(...): matching series have exactly the dimension names SchemaKeys
	// (sorted; none when empty).
	Schema     bool
	SchemaKeys []string
	// Match reports whether a series of Namespace/MetricName with these dimensions is part of the query.
	Match func(dims []Dimension) bool
	// Limit is the most series to return. The catalog stops once it has Limit matching series; getting
	// exactly Limit back (which is MaxSeriesScanned+1) tells the query the scan limit was passed.
	Limit int
}

// Bucket is one period of one series: the aggregate of the observations with Time <= t < Time+period.
// Count is the number of observations (SampleCount); a bucket with Count <= 0 is treated as empty.
type Bucket struct {
	Time       int64 // Unix seconds of the period's start
	Sum, Count float64
	Min, Max   float64
}

// Catalog is what a query reads; the handler implements it over the metric store, scoped to one
// account and Region. Run calls it from one goroutine at a time.
type Catalog interface {
	// Series returns up to f.Limit series of f.Namespace and f.MetricName for which f.Match is true,
	// in the catalog's own (stable) order.
	Series(ctx context.Context, f SeriesFilter) ([]SeriesRef, error)
	// Aggregates appends to buf[:0] the non-empty buckets of s within [start, end), period wide and
	// aligned on start, in ascending time, and returns the slice. buf may be reused by the next call.
	Aggregates(ctx context.Context, s SeriesRef, start, end time.Time, period time.Duration, buf []Bucket) ([]Bucket, error)
}

// Window is the time range and granularity GetMetricData asks for.
type Window struct {
	Start, End time.Time
	Period     time.Duration
	// Now anchors the lookback limit; zero means End.
	Now time.Time
	// Lookback is how far before Now data is read; zero means DefaultLookback.
	Lookback time.Duration
}

// Message is an informational note of a Result, as GetMetricData returns in MetricDataResult.Messages.
type Message struct{ Code, Value string }

// Result is the answer to one query.
type Result struct {
	// Series are in the order to return: by ORDER BY, else by the GROUP BY values ascending.
	Series []ResultSeries
	// Partial is set when a limit cut the answer (StatusCode PartialData); Messages say which.
	Partial  bool
	Messages []Message
	// Scanned is the number of series read.
	Scanned int
}

// ResultSeries is one returned time series. Without GROUP BY there is at most one, with an empty Label
// (the handler labels it with the query's Label or Id).
type ResultSeries struct {
	Label       string   // the GROUP BY values joined by a space
	GroupValues []string // one per GROUP BY key; OtherGroup where a series lacks the key
	Timestamps  []time.Time
	Values      []float64 // ascending time; only periods with observations appear
}

type group struct {
	key    string
	values []string
	val    []float64 // per bucket: sum (AVG, SUM), min (MIN) or max (MAX); unused for COUNT
	cnt    []float64 // per bucket: observation count
	n      int       // datapoints (periods with observations), set by score
	score  float64   // ORDER BY value, set by score
}

// Run executes the query over the catalog for the window.
func (q *Query) Run(ctx context.Context, c Catalog, w Window) (*Result, error) {
	period := w.Period
	if period < MinPeriod {
		period = MinPeriod
	}
	start, end := w.Start, w.End
	now := w.Now
	if now.IsZero() {
		now = end
	}
	lookback := w.Lookback
	if lookback <= 0 {
		lookback = DefaultLookback
	}
	if floor := now.Add(-lookback); start.Before(floor) {
		// Move start forward by whole periods so buckets stay aligned on the requested start.
		steps := (floor.Sub(start) + period - 1) / period
		start = start.Add(steps * period)
	}
	res := &Result{}
	if !start.Before(end) {
		return res, nil
	}
	nb := int((end.Sub(start) + period - 1) / period)

	filter := SeriesFilter{
		Namespace:  q.Namespace,
		MetricName: q.Metric,
		Equal:      pushdown(q.Where, nil),
		Schema:     q.Schema,
		SchemaKeys: q.SchemaKeys,
		Match:      q.match,
		Limit:      MaxSeriesScanned + 1,
	}
	refs, err := c.Series(ctx, filter)
	if err != nil {
		return nil, err
	}
	if len(refs) > MaxSeriesScanned {
		refs = refs[:MaxSeriesScanned]
		res.Partial = true
		res.Messages = append(res.Messages, Message{Code: MsgMaxSeriesScanned, Value: fmt.Sprintf(
			"The query matched more than %d metrics; only the first %d found were processed.",
			MaxSeriesScanned, MaxSeriesScanned)})
	}
	res.Scanned = len(refs)

	groups := map[string]*group{}
	var order []*group
	var keyBuf []byte
	assigned := make([]*group, len(refs)) // nil: the series does not match
	for i, ref := range refs {
		if !q.match(ref.Dimensions) { // the catalog's Match is trusted but cheap to re-check
			continue
		}
		keyBuf = keyBuf[:0]
		for _, k := range q.GroupBy {
			if v, ok := lookupDim(ref.Dimensions, k); ok {
				keyBuf = append(keyBuf, 0)
				keyBuf = append(keyBuf, v...)
			} else {
				keyBuf = append(keyBuf, 1) // distinct from a real value "Other"
			}
		}
		g := groups[string(keyBuf)]
		if g == nil {
			g = q.newGroup(string(keyBuf), ref.Dimensions, nb)
			groups[g.key] = g
			order = append(order, g)
		}
		assigned[i] = g
	}
	if err := q.accumulate(ctx, c, refs, assigned, order, start, end, period, nb); err != nil {
		return nil, err
	}

	out := make([]*group, 0, len(order))
	for _, g := range order {
		if q.score(g) {
			out = append(out, g)
		}
	}
	q.sort(out)

	limit := MaxLimit
	if q.Limit > 0 {
		limit = q.Limit
	}
	if len(out) > limit {
		if q.Limit == 0 {
			res.Partial = true
			res.Messages = append(res.Messages, Message{Code: MsgMaxSeriesReturned, Value: fmt.Sprintf(
				"The query produced %d time series; only %d are returned. Use ORDER BY to choose which.",
				len(out), MaxLimit)})
		}
		out = out[:limit]
	}
	// Only the series kept are materialised.
	res.Series = make([]ResultSeries, len(out))
	for i, g := range out {
		res.Series[i] = q.output(g, start, period)
	}
	return res, nil
}

// accumulate reads every matched series' aggregates into its group. Reading
// is most of a query's work, so contiguous runs of series are read in
// parallel, each worker into partial groups of its own; the partials are
// then combined in worker order, which keeps the result deterministic.
func (q *Query) accumulate(ctx context.Context, c Catalog, refs []SeriesRef, assigned []*group, order []*group,
	start, end time.Time, period time.Duration, nb int) error {
	startSec, periodSec := start.Unix(), int64(period/time.Second)
	workers := min(runtime.GOMAXPROCS(0), maxWorkers, (len(refs)+minSeriesPerWorker-1)/minSeriesPerWorker)
	if workers <= 1 {
		var buf []Bucket
		for i, ref := range refs {
			if i&255 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if assigned[i] == nil {
				continue
			}
			var err error
			if buf, err = c.Aggregates(ctx, ref, start, end, period, buf[:0]); err != nil {
				return err
			}
			q.merge(assigned[i], buf, startSec, periodSec, nb)
		}
		return nil
	}
	partials := make([]map[*group]*group, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	per := (len(refs) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(refs))
		partials[w] = map[*group]*group{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []Bucket
			for i := lo; i < hi; i++ {
				g := assigned[i]
				if g == nil {
					continue
				}
				if (i-lo)&255 == 0 && ctx.Err() != nil {
					errs[w] = ctx.Err()
					return
				}
				p := partials[w][g]
				if p == nil {
					p = q.newGroup(g.key, nil, nb)
					partials[w][g] = p
				}
				var err error
				if buf, err = c.Aggregates(ctx, refs[i], start, end, period, buf[:0]); err != nil {
					errs[w] = err
					return
				}
				q.merge(p, buf, startSec, periodSec, nb)
			}
		}()
	}
	wg.Wait()
	for w := range workers {
		if errs[w] != nil {
			return errs[w]
		}
		for _, g := range order {
			if p := partials[w][g]; p != nil {
				q.combine(g, p)
			}
		}
	}
	return nil
}

// Parallel reading pays only above a few hundred series.
const (
	maxWorkers         = 4
	minSeriesPerWorker = 256
)

// combine adds partial accumulator p into g.
func (q *Query) combine(g, p *group) {
	for j := range g.cnt {
		g.cnt[j] += p.cnt[j]
		switch q.Function {
		case Avg, Sum:
			g.val[j] += p.val[j]
		case Min:
			g.val[j] = math.Min(g.val[j], p.val[j])
		case Max:
			g.val[j] = math.Max(g.val[j], p.val[j])
		}
	}
}

// match is the series predicate: SCHEMA's exact dimension set, then WHERE.
func (q *Query) match(dims []Dimension) bool {
	if q.Schema {
		if len(dims) != len(q.SchemaKeys) {
			return false
		}
		for _, k := range q.SchemaKeys {
			if _, ok := lookupDim(dims, k); !ok {
				return false
			}
		}
	}
	return q.Where == nil || q.Where.Match(dims)
}

// pushdown collects the equalities of a condition's top-level AND chain.
func pushdown(c Condition, acc []Dimension) []Dimension {
	switch c := c.(type) {
	case *Comparison:
		if !c.Not {
			acc = append(acc, Dimension{Name: c.Key, Value: c.Value})
		}
	case *And:
		acc = pushdown(c.L, acc)
		acc = pushdown(c.R, acc)
	}
	return acc
}

func (q *Query) newGroup(key string, dims []Dimension, nb int) *group {
	g := &group{key: key}
	if len(q.GroupBy) > 0 {
		g.values = make([]string, len(q.GroupBy))
		for i, k := range q.GroupBy {
			if v, ok := lookupDim(dims, k); ok {
				g.values[i] = v
			} else {
				g.values[i] = OtherGroup
			}
		}
	}
	slab := make([]float64, 2*nb)
	g.val, g.cnt = slab[:nb:nb], slab[nb:]
	switch q.Function {
	case Min:
		for i := range g.val {
			g.val[i] = math.Inf(1)
		}
	case Max:
		for i := range g.val {
			g.val[i] = math.Inf(-1)
		}
	}
	return g
}

// merge folds one series' buckets into its group: the group's value per period is the function over
// all the observations of all its series in that period. One loop per function keeps the switch out of
// the hot path.
func (q *Query) merge(g *group, bs []Bucket, startSec, periodSec int64, nb int) {
	idx := func(b *Bucket) int {
		if !(b.Count > 0) || b.Time < startSec {
			return -1
		}
		if j := int((b.Time - startSec) / periodSec); j < nb {
			return j
		}
		return -1
	}
	switch q.Function {
	case Avg, Sum:
		for i := range bs {
			if j := idx(&bs[i]); j >= 0 {
				g.cnt[j] += bs[i].Count
				g.val[j] += bs[i].Sum
			}
		}
	case Min:
		for i := range bs {
			if j := idx(&bs[i]); j >= 0 {
				g.cnt[j] += bs[i].Count
				if bs[i].Min < g.val[j] {
					g.val[j] = bs[i].Min
				}
			}
		}
	case Max:
		for i := range bs {
			if j := idx(&bs[i]); j >= 0 {
				g.cnt[j] += bs[i].Count
				if bs[i].Max > g.val[j] {
					g.val[j] = bs[i].Max
				}
			}
		}
	default: // Count
		for i := range bs {
			if j := idx(&bs[i]); j >= 0 {
				g.cnt[j] += bs[i].Count
			}
		}
	}
}

// value is the group's function over period j, given it has observations.
func (q *Query) value(g *group, j int) float64 {
	switch q.Function {
	case Avg:
		return g.val[j] / g.cnt[j]
	case Count:
		return g.cnt[j]
	}
	return g.val[j]
}

// score counts a group's datapoints and computes its ORDER BY value without building the series;
// false when the group has no data in the window.
func (q *Query) score(g *group) bool {
	var f Function
	if q.OrderBy != nil {
		f = q.OrderBy.Function
	}
	n, acc := 0, 0.0
	for j, c := range g.cnt {
		if !(c > 0) {
			continue
		}
		v := q.value(g, j)
		switch {
		case n == 0:
			acc = v
		case f == Sum || f == Avg:
			acc += v
		case f == Max:
			if v > acc {
				acc = v
			}
		case f == Min:
			if v < acc {
				acc = v
			}
		}
		n++
	}
	if n == 0 {
		return false
	}
	switch f {
	case Count:
		acc = float64(n)
	case Avg:
		acc /= float64(n)
	}
	g.n, g.score = n, acc
	return true
}

// output builds a group's series: ascending time, only periods with observations.
func (q *Query) output(g *group, start time.Time, period time.Duration) ResultSeries {
	ts := make([]time.Time, 0, g.n)
	vs := make([]float64, 0, g.n)
	for j, c := range g.cnt {
		if c > 0 {
			ts = append(ts, start.Add(time.Duration(j)*period))
			vs = append(vs, q.value(g, j))
		}
	}
	return ResultSeries{Label: strings.Join(g.values, " "), GroupValues: g.values, Timestamps: ts, Values: vs}
}

func (q *Query) sort(gs []*group) {
	byValues := func(a, b *group) int {
		for i := range a.values {
			if c := strings.Compare(a.values[i], b.values[i]); c != 0 {
				return c
			}
		}
		return strings.Compare(a.key, b.key)
	}
	if q.OrderBy == nil {
		slices.SortFunc(gs, byValues)
		return
	}
	desc := q.OrderBy.Desc
	slices.SortFunc(gs, func(a, b *group) int {
		if a.score != b.score {
			if (a.score < b.score) != desc {
				return -1
			}
			return 1
		}
		return byValues(a, b)
	})
}
