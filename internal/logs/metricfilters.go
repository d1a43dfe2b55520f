package logs

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/logstore"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// Quotas (CloudWatch Logs quotas page): metric filters per log group,
// dimensions per metric filter, and filter patterns with a regex per log
// group across its metric and subscription filters.
const (
	maxMetricFilters = 100
	maxFilterDims    = 3
	maxRegexPatterns = 5
	maxSubscriptions = 2
)

// parsePattern parses a filter pattern for an operation; metricOrSubscription
// selects the wording PutMetricFilter and PutSubscriptionFilter use.
func parsePattern(src string, metricOrSubscription bool) (*filterpattern.Pattern, error) {
	pat, err := filterpattern.Parse(src)
	if err != nil {
		var pe *filterpattern.Error
		if errors.As(err, &pe) {
			msg := pe.Message
			if metricOrSubscription && msg == filterpattern.MsgInvalid {
				msg = filterpattern.MsgInvalidMetric
			}
			return nil, invalidParameter("%s", msg)
		}
		return nil, invalidParameter("%s", filterpattern.MsgInvalid)
	}
	return pat, nil
}

// regexPatterns counts the group's filters whose pattern has a regex; the
// catalog lock is held.
func (g *group) regexPatterns(exceptMetric, exceptSubscription string) int {
	n := 0
	for name, f := range g.metricFilters {
		if name != exceptMetric && f.pattern.RegexCount() > 0 {
			n++
		}
	}
	for name, f := range g.subscriptions {
		if name == exceptSubscription {
			continue
		}
		if pat, err := filterpattern.Parse(f.Pattern); err == nil && pat.RegexCount() > 0 {
			n++
		}
	}
	return n
}

func isFieldRef(v string) bool { return strings.HasPrefix(v, "$") }

func (s *Service) PutMetricFilter(ctx context.Context, in *logsapi.PutMetricFilterRequest) error {
	p := partitionOf(ctx)
	gname, fname := shape.Value(in.LogGroupName), shape.Value(in.FilterName)
	pat, err := parsePattern(shape.Value(in.FilterPattern), true)
	if err != nil {
		return err
	}
	if shape.Value(in.ApplyOnTransformedLogs) {
		return invalidParameter("applyOnTransformedLogs is not supported by Vigil: log transformers are not implemented.")
	}
	if in.FieldSelectionCriteria != nil || len(in.EmitSystemFieldDimensions) > 0 {
		return invalidParameter("fieldSelectionCriteria and emitSystemFieldDimensions are not supported by Vigil yet.")
	}
	mt := in.MetricTransformations[0] // the model requires exactly one
	t := metricTransformation{
		Name:         shape.Value(mt.MetricName),
		Namespace:    shape.Value(mt.MetricNamespace),
		Value:        shape.Value(mt.MetricValue),
		DefaultValue: mt.DefaultValue,
		Dimensions:   maps.Clone(mt.Dimensions),
		Unit:         shape.Value(mt.Unit),
	}
	if err := checkTransformation(pat, &t); err != nil {
		return err
	}

	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g := s.cat.groups[p][gname]
	if g == nil {
		return errGroupNotFound()
	}
	old := g.metricFilters[fname]
	if old == nil && len(g.metricFilters) >= maxMetricFilters {
		return limitExceeded("Resource limit exceeded.")
	}
	if pat.RegexCount() > 0 && g.regexPatterns(fname, "") >= maxRegexPatterns {
		return limitExceeded("A log group can have at most 5 filter patterns that use regular expressions.")
	}
	d := metricFilterDoc{Name: fname, Pattern: pat.Source(), Created: nowMillis(ctx), Transformation: t}
	if old != nil {
		d.Created = old.doc.Created
	}
	f, err := newMetricFilter(d, pat)
	if err != nil {
		return invalidParameter("Invalid metric transformation: %v", err)
	}
	if err := s.cat.put(ctx, p, kindMetricFilter, gname, fname, d); err != nil {
		return err
	}
	g.metricFilters[fname] = f
	g.publishFilters()
	return nil
}

// checkTransformation applies AWS's rules for a metric transformation:
// metricValue is a number or a field of the pattern; dimensions (at most
// three) are fields and exclude a default value.
func checkTransformation(pat *filterpattern.Pattern, t *metricTransformation) error {
	if isFieldRef(t.Value) {
		if err := pat.CheckRef(t.Value); err != nil {
			return invalidParameter("Invalid metric value: %s is not a field of the filter pattern.", t.Value)
		}
	} else if f, err := strconv.ParseFloat(t.Value, 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return invalidParameter("Invalid metric value: %s. The metric value must be a number or a field of the filter pattern.", t.Value)
	}
	if len(t.Dimensions) == 0 {
		return nil
	}
	if !pat.SupportsDimensions() {
		return invalidParameter("%s", filterpattern.MsgNoDimensions)
	}
	if len(t.Dimensions) > maxFilterDims {
		return limitExceeded("A metric filter can have at most 3 dimensions.")
	}
	if t.DefaultValue != nil {
		return invalidParameter("A metric transformation with dimensions cannot have a default value.")
	}
	for k, v := range t.Dimensions {
		if !isFieldRef(v) || pat.CheckRef(v) != nil {
			return invalidParameter("Invalid dimension value for %s: %s is not a field of the filter pattern.", k, v)
		}
	}
	return nil
}

func (s *Service) DeleteMetricFilter(ctx context.Context, in *logsapi.DeleteMetricFilterRequest) error {
	name := shape.Value(in.FilterName)
	return s.deleteGroupItem(ctx, shape.Value(in.LogGroupName), kindMetricFilter, name, "The specified metric filter does not exist.",
		func(g *group) bool { return g.metricFilters[name] != nil },
		func(g *group) { delete(g.metricFilters, name); g.publishFilters() })
}

// deleteGroupItem deletes one named item of a log group (a metric or a
// subscription filter): its catalog row first, then its entry in memory.
func (s *Service) deleteGroupItem(ctx context.Context, gname, kind, name, missing string, has func(*group) bool, drop func(*group)) error {
	p := partitionOf(ctx)
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g := s.cat.groups[p][gname]
	if g == nil {
		return errGroupNotFound()
	}
	if !has(g) {
		return notFound(missing)
	}
	if err := s.cat.delete(ctx, p, kind, gname, name); err != nil {
		return err
	}
	drop(g)
	return nil
}

func (s *Service) DescribeMetricFilters(ctx context.Context, in *logsapi.DescribeMetricFiltersRequest) (*logsapi.DescribeMetricFiltersResponse, error) {
	p := partitionOf(ctx)
	if in.FilterNamePrefix != nil && in.LogGroupName == nil {
		return nil, invalidParameter("If you specify filterNamePrefix, you must also specify logGroupName.")
	}
	if (in.MetricName == nil) != (in.MetricNamespace == nil) {
		return nil, invalidParameter("metricName and metricNamespace must be specified together.")
	}
	if in.MetricName != nil && (in.LogGroupName != nil || in.FilterNamePrefix != nil) {
		return nil, invalidParameter("metricName and metricNamespace cannot be combined with logGroupName or filterNamePrefix.")
	}
	// The token is the last returned (group, filter) pair.
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := limitOf(in.Limit, 50)
	out := &logsapi.DescribeMetricFiltersResponse{MetricFilters: []logsapi.MetricFilter{}}
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	var groups []*group
	if in.LogGroupName != nil {
		g := s.cat.groups[p][*in.LogGroupName]
		if g == nil {
			return nil, errGroupNotFound()
		}
		groups = []*group{g}
	} else {
		groups = s.cat.sortedGroups(p)
	}
	prefix := shape.Value(in.FilterNamePrefix)
	for _, g := range groups {
		for _, f := range *g.filters.Load() {
			d := &f.doc
			t := &d.Transformation
			key := g.doc.Name + "\x00" + d.Name
			switch {
			case after != "" && key <= after,
				!strings.HasPrefix(d.Name, prefix),
				in.MetricName != nil && (t.Name != *in.MetricName || t.Namespace != *in.MetricNamespace):
				continue
			}
			if len(out.MetricFilters) == limit {
				last := out.MetricFilters[limit-1]
				out.NextToken = encodeNameToken(*last.LogGroupName + "\x00" + *last.FilterName)
				return out, nil
			}
			out.MetricFilters = append(out.MetricFilters, metricFilterOut(g.doc.Name, d))
		}
	}
	return out, nil
}

func metricFilterOut(gname string, d *metricFilterDoc) logsapi.MetricFilter {
	t := &d.Transformation
	mt := logsapi.MetricTransformation{
		MetricName:      shape.Ptr(t.Name),
		MetricNamespace: shape.Ptr(t.Namespace),
		MetricValue:     shape.Ptr(t.Value),
		DefaultValue:    t.DefaultValue,
		Dimensions:      maps.Clone(t.Dimensions),
	}
	if t.Unit != "" {
		mt.Unit = shape.Ptr(t.Unit)
	}
	return logsapi.MetricFilter{
		FilterName:             shape.Ptr(d.Name),
		FilterPattern:          shape.Ptr(d.Pattern),
		MetricTransformations:  []logsapi.MetricTransformation{mt},
		CreationTime:           shape.Ptr(d.Created),
		LogGroupName:           shape.Ptr(gname),
		ApplyOnTransformedLogs: shape.Ptr(false),
	}
}

func (s *Service) TestMetricFilter(ctx context.Context, in *logsapi.TestMetricFilterRequest) (*logsapi.TestMetricFilterResponse, error) {
	pat, err := parsePattern(shape.Value(in.FilterPattern), false)
	if err != nil {
		return nil, err
	}
	out := &logsapi.TestMetricFilterResponse{Matches: []logsapi.MetricFilterMatchRecord{}}
	for i, msg := range in.LogEventMessages {
		f, ok := pat.Extract(msg)
		if !ok {
			continue
		}
		vals := map[string]string(f)
		if vals == nil {
			vals = map[string]string{}
		}
		out.Matches = append(out.Matches, logsapi.MetricFilterMatchRecord{
			EventNumber:     shape.Ptr(int64(i + 1)),
			EventMessage:    shape.Ptr(msg),
			ExtractedValues: vals,
		})
	}
	return out, nil
}

// --- applying filters at ingest ----------------------------------------------------

// filterKey identifies an aggregated datum: events of one batch that a
// filter turns into the same series, second and value are counted together
// (metric filters publish standard-resolution metrics).
type filterKey struct {
	series string
	sec    int64
	value  float64
}

// applyMetricFilters appends to ds what the filters publish for a stored
// batch. An event whose metric value or a dimension is missing or not
// numeric publishes nothing for that filter; a filter that matched no event
// of the batch publishes its default value, when it has one, at the batch's
// first timestamp.
func applyMetricFilters(ds []metricstore.Datum, fs []*metricFilter, batch []logstore.Event) []metricstore.Datum {
	for _, f := range fs {
		t := &f.doc.Transformation
		agg := map[filterKey]int{}
		keys := map[string]metricstore.SeriesKey{}
		matched := false
		for i := range batch {
			msg := unsafe.String(unsafe.SliceData(batch[i].Message), len(batch[i].Message))
			if !f.pattern.Match(msg) {
				continue
			}
			matched = true
			v := f.literal
			if f.value != nil {
				s, ok := f.value.Value(msg)
				if !ok {
					continue
				}
				x, err := strconv.ParseFloat(s, 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					continue
				}
				v = x
			}
			sk, ok := f.seriesFor(msg)
			if !ok {
				continue
			}
			id := seriesID(&sk)
			keys[id] = sk
			agg[filterKey{id, batch[i].Timestamp / 1000, v}]++
		}
		if !matched && t.DefaultValue != nil && len(batch) > 0 {
			sk := metricstore.SeriesKey{Namespace: t.Namespace, MetricName: t.Name}
			id := seriesID(&sk)
			keys[id] = sk
			agg[filterKey{id, batch[0].Timestamp / 1000, *t.DefaultValue}]++
		}
		fkeys := slices.Collect(maps.Keys(agg))
		slices.SortFunc(fkeys, func(a, b filterKey) int {
			return cmp.Or(cmp.Compare(a.sec, b.sec), strings.Compare(a.series, b.series), cmp.Compare(a.value, b.value))
		})
		for _, k := range fkeys {
			ds = append(ds, metricstore.Datum{Key: keys[k.series], T: k.sec * 1000, Unit: t.Unit, Value: k.value, Count: float64(agg[k])})
		}
	}
	return ds
}

// seriesFor builds the series an event publishes to, with its dimension
// values taken from the event (f.dims is sorted by name).
func (f *metricFilter) seriesFor(msg string) (metricstore.SeriesKey, bool) {
	t := &f.doc.Transformation
	k := metricstore.SeriesKey{Namespace: t.Namespace, MetricName: t.Name}
	for _, d := range f.dims {
		v, ok := d.ref.Value(msg)
		if !ok || v == "" {
			return metricstore.SeriesKey{}, false
		}
		k.Dims = append(k.Dims, metricstore.Dim{Name: d.name, Value: v})
	}
	return k, true
}

// seriesID is an unambiguous map key for a series key with sorted dims.
func seriesID(k *metricstore.SeriesKey) string {
	var b strings.Builder
	b.WriteString(k.Namespace)
	b.WriteByte(0)
	b.WriteString(k.MetricName)
	for _, d := range k.Dims {
		b.WriteByte(0)
		b.WriteString(d.Name)
		b.WriteByte(0)
		b.WriteString(d.Value)
	}
	return b.String()
}
