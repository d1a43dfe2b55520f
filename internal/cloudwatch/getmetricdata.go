package cloudwatch

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/cloudwatch/insights"
	"github.com/vigilhq/vigil/internal/cloudwatch/metricmath"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/metricstore/stats"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// GetMetricData limits, from the API reference.
const (
	maxDataQueries       = 500
	defaultMaxDatapoints = 100800
	// maxSearchSeries is how many series one SEARCH returns at most.
	maxSearchSeries = 500
	// scanPage is how many series SEARCH and Insights read from the store
	// at a time: each call sorts what it finds, so few large pages beat
	// many small ones.
	scanPage = 10000
)

var queryID = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// dataQuery is one validated MetricDataQuery.
type dataQuery struct {
	index  int
	id     string
	label  string
	ret    bool
	period time.Duration // 0 for an expression without Period

	stat      *cwapi.MetricStat
	statistic stats.Statistic
	math      *metricmath.Expr
	sql       *insights.Query

	result *metricmath.Result
	busy   bool // on the evaluation stack: a reference back to it is a cycle
	msgs   []cwapi.MessageData
	status string
}

// GetMetricData answers metric, metric math and Metrics Insights queries
// over one time range, paginated by MaxDatapoints.
func (s *Service) GetMetricData(ctx context.Context, in *cwapi.GetMetricDataInput) (*cwapi.GetMetricDataOutput, error) {
	r := reqctx.From(ctx)
	now := r.Time
	start, end := *in.StartTime, *in.EndTime
	if !start.Before(end) {
		return nil, invalidValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	if len(in.MetricDataQueries) > maxDataQueries {
		return nil, invalidValue("The collection MetricDataQueries must not have a size greater than %d.", maxDataQueries)
	}
	tz, err := parseTimezone(labelTimezone(in.LabelOptions))
	if err != nil {
		return nil, err
	}
	maxPoints := defaultMaxDatapoints
	if in.MaxDatapoints != nil {
		if *in.MaxDatapoints < 1 {
			return nil, invalidValue("The value %d for parameter MaxDatapoints is invalid. It must be at least 1.", *in.MaxDatapoints)
		}
		maxPoints = int(*in.MaxDatapoints)
	}
	qs, byID, err := parseQueries(in.MetricDataQueries, r.Caller.AccountID)
	if err != nil {
		return nil, err
	}
	ev := &evaluator{s: s, ctx: ctx, p: partition(ctx), r: r, now: now, start: start, end: end, qs: qs, byID: byID}
	for _, q := range qs {
		if err := ev.eval(q); err != nil {
			return nil, err
		}
	}
	results := ev.results(qs, tz)
	descending := shape.Value(in.ScanBy) != cwapi.ScanByTimestampAscending
	for i := range results {
		orderPoints(&results[i], descending)
	}
	out := &cwapi.GetMetricDataOutput{Messages: []cwapi.MessageData{}}
	tokenKey := requestHash(r, in)
	offset := 0
	if in.NextToken != nil {
		if offset, err = decodeOffset(*in.NextToken, tokenKey); err != nil {
			return nil, &cwapi.InvalidNextToken{Message: shape.Ptr("The service couldn't process the NextToken. It may have expired or been used with different parameters.")}
		}
	}
	out.MetricDataResults, offset = page(results, offset, maxPoints)
	if offset >= 0 {
		out.NextToken = shape.Ptr(encodeOffset(offset, tokenKey))
	}
	return out, nil
}

func labelTimezone(o *cwapi.LabelOptions) *string {
	if o == nil {
		return nil
	}
	return o.Timezone
}

// parseQueries validates every query and parses expressions; references
// between queries are checked when they are evaluated.
func parseQueries(in []cwapi.MetricDataQuery, account string) ([]*dataQuery, map[string]*dataQuery, error) {
	qs := make([]*dataQuery, len(in))
	byID := make(map[string]*dataQuery, len(in))
	for i := range in {
		mq := &in[i]
		param := fmt.Sprintf("MetricDataQueries.member.%d", i+1)
		q := &dataQuery{index: i, id: shape.Value(mq.Id), label: shape.Value(mq.Label), ret: mq.ReturnData == nil || *mq.ReturnData}
		if !queryID.MatchString(q.id) {
			return nil, nil, invalidValue("The value %s for parameter %s.Id is invalid. The Id must start with a lowercase letter and contain only letters, numbers and underscores.", q.id, param)
		}
		if mq.AccountId != nil && *mq.AccountId != account {
			// Cross-account observability links do not exist in Vigil;
			// answering from the caller's own data would be a wrong answer.
			return nil, nil, invalidValue("The value %s for parameter %s.AccountId is invalid. Vigil has no cross-account observability links; only the caller's account %s can be queried.", *mq.AccountId, param, account)
		}
		if byID[q.id] != nil {
			return nil, nil, invalidValue("The value %s for parameter %s.Id is invalid. Ids must be unique.", q.id, param)
		}
		if (mq.MetricStat == nil) == (mq.Expression == nil) {
			return nil, nil, invalidCombination("Exactly one of the parameters %[1]s.MetricStat and %[1]s.Expression must be specified.", param)
		}
		if mq.Period != nil {
			if err := checkPeriod(*mq.Period, param+".Period"); err != nil {
				return nil, nil, err
			}
			q.period = time.Duration(*mq.Period) * time.Second
		}
		if ms := mq.MetricStat; ms != nil {
			if err := checkPeriod(*ms.Period, param+".MetricStat.Period"); err != nil {
				return nil, nil, err
			}
			st, err := stats.ParseStatistic(*ms.Stat)
			var pe *stats.ParseError
			if errors.As(err, &pe) {
				return nil, nil, invalidValue("%s", pe.Message(param+".MetricStat.Stat"))
			} else if err != nil {
				return nil, nil, err
			}
			q.stat, q.statistic, q.period = ms, st, time.Duration(*ms.Period)*time.Second
		} else {
			expr := *mq.Expression
			e, err := metricmath.Parse(expr)
			switch {
			case errors.Is(err, metricmath.ErrInsightsQuery):
				sql, err := insights.Parse(expr)
				if err != nil {
					return nil, nil, expressionError(q.id, err)
				}
				q.sql = sql
			case err != nil:
				return nil, nil, expressionError(q.id, err)
			default:
				q.math = e
			}
		}
		qs[i], byID[q.id] = q, q
	}
	return qs, byID, nil
}

// expressionError is CloudWatch's answer to an expression it cannot run.
func expressionError(id string, err error) error {
	return &shape.Error{Code: "ValidationError", Status: 400, Sender: true,
		Message: fmt.Sprintf("Error in expression %s: %s", id, err.Error())}
}

// evaluator computes queries on demand, each once, following references.
type evaluator struct {
	s          *Service
	ctx        context.Context
	p          metricstore.Partition
	r          *reqctx.Request
	now        time.Time
	start, end time.Time
	qs         []*dataQuery // in request order
	byID       map[string]*dataQuery
}

func (ev *evaluator) eval(q *dataQuery) error {
	if q.result != nil {
		return nil
	}
	if q.busy {
		return expressionError(q.id, fmt.Errorf("the expression refers to itself through %s", q.id))
	}
	q.busy = true
	defer func() { q.busy = false }()
	q.status = cwapi.StatusCodeComplete
	var res metricmath.Result
	switch {
	case q.stat != nil:
		series, err := ev.metricSeries(q.stat, q.statistic, q.period)
		if err != nil {
			return err
		}
		series.Label = shape.Value(q.stat.Metric.MetricName)
		res = metricmath.Result{Kind: metricmath.KindSeries, Series: series}
	case q.math != nil:
		for _, ref := range q.math.Refs() {
			dep := ev.byID[ref]
			if dep == nil {
				return expressionError(q.id, fmt.Errorf("Unrecognized metric or expression id %s", ref))
			}
			if err := ev.eval(dep); err != nil {
				return err
			}
		}
		if q.math.UsesAllMetrics() {
			for _, dep := range ev.qs {
				if dep.stat != nil {
					if err := ev.eval(dep); err != nil {
						return err
					}
				}
			}
		}
		var err error
		res, err = metricmath.Eval(ev.ctx, q.math, mathEnv{ev: ev, q: q})
		if err != nil {
			var me *metricmath.Error
			if errors.As(err, &me) {
				return expressionError(q.id, err)
			}
			return err
		}
	case q.sql != nil:
		period := q.period
		if period == 0 {
			period = insights.MinPeriod
		}
		out, err := q.sql.Run(ev.ctx, &insightsCatalog{ev: ev}, insights.Window{
			Start: ev.start, End: ev.end, Period: period, Now: ev.now, Lookback: insights.DefaultLookback,
		})
		if err != nil {
			var ie *insights.Error
			if errors.As(err, &ie) {
				return expressionError(q.id, err)
			}
			return err
		}
		res = insightsResult(out, period)
		if out.Partial {
			q.status = cwapi.StatusCodePartialData
		}
		for _, m := range out.Messages {
			q.msgs = append(q.msgs, cwapi.MessageData{Code: shape.Ptr(m.Code), Value: shape.Ptr(m.Value)})
		}
	}
	q.result = &res
	return nil
}

// metricSeries reads one metric's statistic per period over the request's
// range.
func (ev *evaluator) metricSeries(ms *cwapi.MetricStat, st stats.Statistic, period time.Duration) (metricmath.Series, error) {
	key := MetricKey(ms.Metric)
	series := metricmath.Series{Props: ev.props(key, period, st), Period: period}
	return series, ev.fill(&series, key, st, period, ms.Unit)
}

func (ev *evaluator) props(key metricstore.SeriesKey, period time.Duration, st stats.Statistic) map[string]string {
	props := map[string]string{
		"AccountId": ev.p.Account, "Region": ev.p.Region, "Namespace": key.Namespace, "MetricName": key.MetricName,
		"Period": fmt.Sprint(int64(period / time.Second)), "Stat": st.String(),
	}
	for _, d := range key.Dims {
		props["Dim."+d.Name] = d.Value
	}
	return props
}

// MetricKey is the series a metric names.
func MetricKey(m *cwapi.Metric) metricstore.SeriesKey {
	key := metricstore.SeriesKey{Namespace: shape.Value(m.Namespace), MetricName: shape.Value(m.MetricName)}
	for _, d := range m.Dimensions {
		key.Dims = append(key.Dims, metricstore.Dim{Name: shape.Value(d.Name), Value: shape.Value(d.Value)})
	}
	sortDims(key.Dims)
	return key
}

// fill queries the store and computes st per period into series.
func (ev *evaluator) fill(series *metricmath.Series, key metricstore.SeriesKey, st stats.Statistic, period time.Duration, unit *string) error {
	return ev.s.PeriodAggregates(ev.ctx, key, period, unit, ev.start, ev.end, func(t time.Time, a *stats.Agg) {
		if v, ok := stats.Compute(a, st); ok {
			series.Timestamps = append(series.Timestamps, t)
			series.Values = append(series.Values, v)
		}
	})
}

// PeriodAggregates reads a series' aggregates per period over [start, end)
// as a MetricStat does — start rounded as CloudWatch rounds it by data age,
// the datapoints of several units in one period combined unless unit names
// one — and calls fn for each period with data, in time order. The caller
// and the request time come from ctx. Alarms read single metrics through it.
func (s *Service) PeriodAggregates(ctx context.Context, key metricstore.SeriesKey, period time.Duration, unit *string, start, end time.Time, fn func(t time.Time, a *stats.Agg)) error {
	now := reqctx.From(ctx).Time
	if !periodServes(start, now, period) {
		return nil
	}
	buckets, err := s.store.Query(ctx, partition(ctx), metricstore.Query{
		Key: key, Start: roundStart(start, now, period), End: end, Period: period, Unit: unit,
	})
	if err != nil {
		return err
	}
	for i := 0; i < len(buckets); {
		agg := &buckets[i].Agg
		j := i + 1
		if j < len(buckets) && buckets[j].T.Equal(buckets[i].T) {
			merged := agg.Clone()
			for ; j < len(buckets) && buckets[j].T.Equal(buckets[i].T); j++ {
				merged.Merge(&buckets[j].Agg)
			}
			agg = &merged
		}
		fn(buckets[i].T.UTC(), agg)
		i = j
	}
	return nil
}

// mathEnv gives metric math the request's data.
type mathEnv struct {
	ev *evaluator
	q  *dataQuery
}

func (e mathEnv) Metric(id string) (metricmath.Result, bool) {
	q := e.ev.byID[id]
	if q == nil || q.result == nil {
		return metricmath.Result{}, false
	}
	return *q.result, true
}

func (e mathEnv) MetricIDs() []string {
	var ids []string
	for _, q := range e.ev.qs {
		if q.stat != nil {
			ids = append(ids, q.id)
		}
	}
	return ids
}

// Period is the expression's own Period, else that of the request's first
// metric, else a minute.
func (e mathEnv) Period() time.Duration {
	if e.q.period > 0 {
		return e.q.period
	}
	for _, q := range e.ev.qs {
		if q.stat != nil {
			return q.period
		}
	}
	return time.Minute
}

func (e mathEnv) Start() time.Time { return roundStart(e.ev.start, e.ev.now, e.Period()) }
func (e mathEnv) End() time.Time   { return e.ev.end }

// Search runs a SEARCH expression: the matching metrics of the caller's
// partition, at most 500, each read with stat and period.
func (e mathEnv) Search(ctx context.Context, q metricmath.Search, stat string, period int) ([]metricmath.Series, error) {
	st, err := stats.ParseStatistic(stat)
	if err != nil {
		return nil, expressionError(e.q.id, fmt.Errorf("%s is not a valid statistic", stat))
	}
	p := time.Duration(period) * time.Second
	if p == 0 {
		p = e.Period()
	}
	f := metricstore.SeriesFilter{ActiveSince: e.ev.now.Add(-listMetricsWindow)}
	if q.Schema != nil {
		f.Namespace = &q.Schema.Namespace
	}
	var out []metricmath.Series
	var after *metricstore.SeriesKey
	for len(out) < maxSearchSeries {
		page, err := e.ev.s.store.Series(ctx, e.ev.p, f, after, scanPage)
		if err != nil {
			return nil, err
		}
		for _, si := range page {
			dims := make(map[string]string, len(si.Key.Dims))
			for _, d := range si.Key.Dims {
				dims[d.Name] = d.Value
			}
			if !q.Match(si.Key.Namespace, si.Key.MetricName, dims) {
				continue
			}
			series := metricmath.Series{Label: searchLabel(si.Key), Props: e.ev.props(si.Key, p, st), Period: p}
			if err := e.ev.fill(&series, si.Key, st, p, nil); err != nil {
				return nil, err
			}
			out = append(out, series)
			if len(out) == maxSearchSeries {
				break
			}
		}
		if len(page) < scanPage {
			break
		}
		after = &page[len(page)-1].Key
	}
	return out, nil
}

// searchLabel labels a SEARCH result as the console does: the metric name
// followed by the dimension values.
func searchLabel(k metricstore.SeriesKey) string {
	parts := []string{k.MetricName}
	for _, d := range k.Dims {
		parts = append(parts, d.Value)
	}
	return strings.Join(parts, " ")
}

// insightsCatalog serves Metrics Insights from the store.
type insightsCatalog struct {
	ev   *evaluator
	keys []metricstore.SeriesKey
}

func (c *insightsCatalog) Series(ctx context.Context, f insights.SeriesFilter) ([]insights.SeriesRef, error) {
	sf := metricstore.SeriesFilter{Namespace: &f.Namespace, MetricName: &f.MetricName, ActiveSince: c.ev.now.Add(-insights.DefaultLookback)}
	for _, d := range f.Equal {
		sf.Dims = append(sf.Dims, metricstore.DimFilter{Name: d.Name, Value: shape.Ptr(d.Value)})
	}
	var out []insights.SeriesRef
	var after *metricstore.SeriesKey
	for len(out) < f.Limit {
		page, err := c.ev.s.store.Series(ctx, c.ev.p, sf, after, scanPage)
		if err != nil {
			return nil, err
		}
		for _, si := range page {
			dims := make([]insights.Dimension, len(si.Key.Dims))
			for i, d := range si.Key.Dims {
				dims[i] = insights.Dimension{Name: d.Name, Value: d.Value}
			}
			if f.Match != nil && !f.Match(dims) {
				continue
			}
			out = append(out, insights.SeriesRef{ID: uint64(len(c.keys)), Dimensions: dims})
			c.keys = append(c.keys, si.Key)
			if len(out) == f.Limit {
				break
			}
		}
		if len(page) < scanPage {
			break
		}
		after = &page[len(page)-1].Key
	}
	return out, nil
}

// Aggregates returns a series' per-period sum, count, minimum and maximum,
// so that Insights can aggregate groups exactly.
func (c *insightsCatalog) Aggregates(ctx context.Context, s insights.SeriesRef, start, end time.Time, period time.Duration, buf []insights.Bucket) ([]insights.Bucket, error) {
	buckets, err := c.ev.s.store.Query(ctx, c.ev.p, metricstore.Query{Key: c.keys[s.ID], Start: start, End: end, Period: period})
	if err != nil {
		return nil, err
	}
	buf = buf[:0]
	for _, b := range buckets {
		n := len(buf)
		if n > 0 && buf[n-1].Time == b.T.Unix() {
			last := &buf[n-1]
			last.Sum += b.Agg.Sum
			last.Count += b.Agg.Count
			last.Min = math.Min(last.Min, b.Agg.Min)
			last.Max = math.Max(last.Max, b.Agg.Max)
			continue
		}
		buf = append(buf, insights.Bucket{Time: b.T.Unix(), Sum: b.Agg.Sum, Count: b.Agg.Count, Min: b.Agg.Min, Max: b.Agg.Max})
	}
	return buf, nil
}

func insightsResult(out *insights.Result, period time.Duration) metricmath.Result {
	res := metricmath.Result{Kind: metricmath.KindArray}
	for _, rs := range out.Series {
		res.Array = append(res.Array, metricmath.Series{Label: rs.Label, Timestamps: rs.Timestamps, Values: rs.Values, Period: period})
	}
	if len(out.Series) == 1 && len(out.Series[0].GroupValues) == 0 {
		return metricmath.Result{Kind: metricmath.KindSeries, Series: res.Array[0]}
	}
	return res
}

// results turns the returned queries' values into MetricDataResults, in the
// order of the request, one per series, with their labels rendered.
func (ev *evaluator) results(qs []*dataQuery, tz *time.Location) []cwapi.MetricDataResult {
	var out []cwapi.MetricDataResult
	for _, q := range qs {
		if !q.ret {
			continue
		}
		var series []metricmath.Series
		switch q.result.Kind {
		case metricmath.KindSeries:
			series = []metricmath.Series{q.result.Series}
		case metricmath.KindArray:
			series = q.result.Array
		}
		tmpl := q.label
		if strings.Contains(tmpl, "${") {
			q.label = "" // the default labels below are what ${LABEL} shows
		}
		labels := metricmath.ResultLabels(q.id, q.label, *q.result)
		if q.stat != nil && q.label == "" {
			labels = []string{series[0].Label}
		}
		for i, s := range series {
			label := labels[i]
			if strings.Contains(tmpl, "${") {
				label = renderLabel(tmpl, labelSeries{Label: label, Timestamps: s.Timestamps, Values: s.Values, Props: s.Props}, ev.now, tz)
			}
			res := cwapi.MetricDataResult{
				Id: shape.Ptr(q.id), Label: shape.Ptr(label), StatusCode: shape.Ptr(q.status),
				Timestamps: []time.Time{}, Values: []float64{}, Messages: q.msgs,
			}
			for j, v := range s.Values {
				if !math.IsNaN(v) {
					res.Timestamps = append(res.Timestamps, s.Timestamps[j])
					res.Values = append(res.Values, v)
				}
			}
			out = append(out, res)
		}
	}
	return out
}

// orderPoints sorts a result's datapoints by time, newest first unless
// ascending was asked for (ScanBy).
func orderPoints(r *cwapi.MetricDataResult, descending bool) {
	idx := make([]int, len(r.Timestamps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		c := r.Timestamps[a].Compare(r.Timestamps[b])
		if descending {
			c = -c
		}
		return c
	})
	ts, vs := make([]time.Time, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		ts[i], vs[i] = r.Timestamps[j], r.Values[j]
	}
	r.Timestamps, r.Values = ts, vs
}

// page cuts the results to the datapoints [offset, offset+max) counted
// across results in order. It returns the next page's offset, or -1 when
// this page ends the answer. A result cut short says PartialData.
func page(results []cwapi.MetricDataResult, offset, limit int) ([]cwapi.MetricDataResult, int) {
	out := []cwapi.MetricDataResult{}
	pos, end := 0, offset+limit
	for _, r := range results {
		n := len(r.Values)
		lo := pos
		pos += n
		if n == 0 {
			// A result without datapoints belongs to the first page.
			if offset == 0 {
				out = append(out, r)
			}
			continue
		}
		if pos <= offset || lo >= end {
			continue
		}
		a, b := max0(offset-lo), min(n, end-lo)
		if a > 0 || b < n {
			r.StatusCode = shape.Ptr(cwapi.StatusCodePartialData)
		}
		r.Timestamps, r.Values = r.Timestamps[a:b], r.Values[a:b]
		out = append(out, r)
	}
	if pos > end {
		return out, end
	}
	return out, -1
}

func max0(v int) int {
	if v < 0 {
		return 0
	}
	return v
}

// A GetMetricData token is an offset bound to the request that issued it:
// the same queries, times, order and caller.
func requestHash(r *reqctx.Request, in *cwapi.GetMetricDataInput) [16]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%d|%d|%s|", r.Caller.AccountID, r.Region, in.StartTime.UnixNano(), in.EndTime.UnixNano(), shape.Value(in.ScanBy))
	for _, q := range in.MetricDataQueries {
		fmt.Fprintf(h, "%s|%s|%v|%s|", shape.Value(q.Id), shape.Value(q.Expression), shape.Value(q.ReturnData), shape.Value(q.Label))
		if ms := q.MetricStat; ms != nil && ms.Metric != nil {
			fmt.Fprintf(h, "%s|%s|%d|%s|%s|", shape.Value(ms.Metric.Namespace), shape.Value(ms.Metric.MetricName), shape.Value(ms.Period), shape.Value(ms.Stat), shape.Value(ms.Unit))
			for _, d := range ms.Metric.Dimensions {
				fmt.Fprintf(h, "%s=%s|", shape.Value(d.Name), shape.Value(d.Value))
			}
		}
	}
	var out [16]byte
	copy(out[:], h.Sum(nil))
	return out
}

func encodeOffset(offset int, key [16]byte) string {
	b := make([]byte, 0, 24)
	b = append(b, key[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(offset))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeOffset(tok string, key [16]byte) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 24 || [16]byte(b[:16]) != key {
		return 0, errors.New("bad token")
	}
	return int(binary.BigEndian.Uint64(b[16:])), nil
}
