package cloudwatch

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Limits of PutMetricData, from the API reference.
const (
	maxPutBytes       = 1 << 20 // per request, as sent
	maxPutMetrics     = 1000    // MetricData plus EntityMetricData's metrics
	maxValuesPerDatum = 150
	maxPastAge        = 14 * 24 * time.Hour
	maxFutureSkew     = 2 * time.Hour
)

// valueLimit is 2^360: CloudWatch rejects values outside ±2^360.
var valueLimit = math.Ldexp(1, 360)

// PutMetricData validates every datum as CloudWatch does and stores them;
// the data is durable when the call returns. One invalid datum fails the
// whole request and nothing is stored. Entities follow their own rules
// (entity.go).
func (s *Service) PutMetricData(ctx context.Context, in *cwapi.PutMetricDataInput) error {
	r := reqctx.From(ctx)
	if r.BodySize > maxPutBytes {
		return &shape.Error{Code: "RequestEntityTooLarge", Status: 413, Sender: true,
			Message: fmt.Sprintf("Request size %d exceeded %d bytes", r.BodySize, maxPutBytes)}
	}
	ns := shape.Value(in.Namespace)
	if err := checkNamespace(ns); err != nil {
		return err
	}
	n := len(in.MetricData)
	for _, e := range in.EntityMetricData {
		n += len(e.MetricData)
	}
	if n == 0 {
		return missingParameter("The parameter MetricData is required.")
	}
	if n > maxPutMetrics {
		return invalidValue("The collection MetricData must not have a size greater than %d.", maxPutMetrics)
	}
	entities, failure, err := checkEntities(in)
	if err != nil {
		return err
	}
	window := datumWindow{now: r.Time, oldest: r.Time.Add(-maxPastAge), newest: r.Time.Add(maxFutureSkew)}
	var dimText dimTextChecked
	// The store keeps nothing of the datums but copies (series keys are
	// interned encodings, no Dims slice), so their arrays are pooled, and
	// every datum's dimensions share one.
	sc := putScratches.Get().(*putScratch)
	ds, dimBuf := sc.ds, sc.dims
	defer func() { sc.release(ds, dimBuf) }()
	for i := range in.MetricData {
		if ds, dimBuf, err = appendDatum(ds, dimBuf, ns, &in.MetricData[i], datumAt{entity: -1, index: i}, window, &dimText); err != nil {
			return err
		}
	}
	var spans []entitySpan
	for i := range in.EntityMetricData {
		e := &in.EntityMetricData[i]
		start := len(ds)
		for j := range e.MetricData {
			if ds, dimBuf, err = appendDatum(ds, dimBuf, ns, &e.MetricData[j], datumAt{entity: i, index: j}, window, &dimText); err != nil {
				return err
			}
		}
		if entities[i] != nil && len(ds) > start {
			spans = append(spans, entitySpan{entity: entities[i], start: start, end: len(ds)})
		}
	}
	if err := s.store.Append(ctx, partition(ctx), ds); err != nil {
		return err
	}
	return s.linkEntities(ctx, ds, spans, failure)
}

// putScratch is the working memory of one PutMetricData call.
type putScratch struct {
	ds   []metricstore.Datum
	dims []metricstore.Dim
}

var putScratches = sync.Pool{New: func() any { return new(putScratch) }}

// release keeps ds and dims, the arrays the call grew, and pools sc again.
// They hold on to the finished call's strings until the next call
// overwrites them: clearing ~200 KB per call would cost more.
func (sc *putScratch) release(ds []metricstore.Datum, dims []metricstore.Dim) {
	sc.ds, sc.dims = ds[:0], dims[:0]
	putScratches.Put(sc)
}

// datumWindow is the call's time and the timestamps it accepts.
type datumWindow struct{ now, oldest, newest time.Time }

// datumAt names a datum in error messages, built only when one is needed:
// MetricData.member.3, or EntityMetricData.member.1.MetricData.member.3.
type datumAt struct{ entity, index int }

func (a datumAt) String() string {
	if a.entity < 0 {
		return fmt.Sprintf("MetricData.member.%d", a.index+1)
	}
	return fmt.Sprintf("EntityMetricData.member.%d.MetricData.member.%d", a.entity+1, a.index+1)
}

// checkNamespace applies CloudWatch's namespace rules: ASCII letters, digits
// and . - _ / # : and space, at least one non-space character, and not one of
// the AWS/ namespaces, which only AWS services publish to.
func checkNamespace(ns string) error {
	if strings.HasPrefix(ns, "AWS/") {
		return invalidValue("The value %s for parameter Namespace is invalid. Namespaces starting with AWS/ are reserved for use by Amazon Web Services products.", ns)
	}
	if strings.TrimSpace(ns) == "" {
		return invalidValue("The value %s for parameter Namespace is invalid. A namespace must contain at least one non-whitespace character.", ns)
	}
	for i := 0; i < len(ns); i++ {
		c := ns[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-/#: ", c) >= 0
		if !ok {
			return invalidValue("The value %s for parameter Namespace is invalid. Namespaces may contain only ASCII letters, digits, spaces and . - _ / # :", ns)
		}
	}
	return nil
}

func appendDatum(ds []metricstore.Datum, dimBuf []metricstore.Dim, ns string, m *cwapi.MetricDatum, at datumAt, w datumWindow, dt *dimTextChecked) ([]metricstore.Datum, []metricstore.Dim, error) {
	base := metricstore.Datum{
		Key:  metricstore.SeriesKey{Namespace: ns, MetricName: shape.Value(m.MetricName)},
		T:    w.now.UnixMilli(),
		Unit: shape.Value(m.Unit),
	}
	if m.Timestamp != nil {
		ts := *m.Timestamp
		if ts.Before(w.oldest) {
			return ds, dimBuf, invalidValue("The parameter %s.Timestamp must specify a time within the past two weeks.", at)
		}
		if ts.After(w.newest) {
			return ds, dimBuf, invalidValue("The parameter %s.Timestamp must specify a time no more than two hours in the future.", at)
		}
		base.T = ts.UnixMilli()
	}
	switch res := shape.Value(m.StorageResolution); {
	case m.StorageResolution == nil || res == 60:
	case res == 1:
		base.HighRes = true
	default:
		return ds, dimBuf, invalidValue("The value %d for parameter %s.StorageResolution is invalid. Valid values are 1 and 60.", res, at)
	}
	start := len(dimBuf)
	dimBuf, err := datumDimensions(dimBuf, m.Dimensions, at, dt)
	if err != nil {
		return ds, dimBuf, err
	}
	base.Key.Dims = dimBuf[start:len(dimBuf):len(dimBuf)]

	forms := 0
	if m.Value != nil {
		forms++
	}
	if m.StatisticValues != nil {
		forms++
	}
	if m.Values != nil {
		forms++
	}
	if forms > 1 {
		return ds, dimBuf, invalidCombination("The parameters %[1]s.Value, %[1]s.StatisticValues and %[1]s.Values are mutually exclusive and you have specified more than one.", at)
	}
	switch {
	case m.Value != nil:
		if err := checkValue(*m.Value, at, ".Value"); err != nil {
			return ds, dimBuf, err
		}
		// Set in place: a Datum is ~150 bytes, worth copying once.
		ds = append(ds, base)
		d := &ds[len(ds)-1]
		d.Value, d.Count = *m.Value, 1
		return ds, dimBuf, nil
	case m.StatisticValues != nil:
		sv := m.StatisticValues
		for _, f := range []struct {
			name string
			v    *float64
		}{{"SampleCount", sv.SampleCount}, {"Sum", sv.Sum}, {"Minimum", sv.Minimum}, {"Maximum", sv.Maximum}} {
			if f.v == nil {
				return ds, dimBuf, missingParameter("The parameter %s.StatisticValues.%s is required.", at, f.name)
			}
			if err := checkValue(*f.v, at, ".StatisticValues."+f.name); err != nil {
				return ds, dimBuf, err
			}
		}
		if *sv.SampleCount <= 0 {
			return ds, dimBuf, invalidValue("The value %s for parameter %s.StatisticValues.SampleCount is invalid. It must be greater than 0.", formatFloat(*sv.SampleCount), at)
		}
		if *sv.Minimum > *sv.Maximum {
			return ds, dimBuf, invalidCombination("The parameter %[1]s.StatisticValues.Minimum must be less than or equal to %[1]s.StatisticValues.Maximum.", at)
		}
		d := base
		d.IsSet, d.SetCount, d.Sum, d.Min, d.Max = true, *sv.SampleCount, *sv.Sum, *sv.Minimum, *sv.Maximum
		return append(ds, d), dimBuf, nil
	case m.Values != nil:
		if len(m.Values) > maxValuesPerDatum {
			return ds, dimBuf, invalidValue("The collection %s.Values must not have a size greater than %d.", at, maxValuesPerDatum)
		}
		if m.Counts != nil && len(m.Counts) != len(m.Values) {
			return ds, dimBuf, invalidCombination("The parameters %[1]s.Values and %[1]s.Counts must be of the same size.", at)
		}
		for i, v := range m.Values {
			if err := checkValue(v, at, fmt.Sprintf(".Values.member.%d", i+1)); err != nil {
				return ds, dimBuf, err
			}
			d := base
			d.Value, d.Count = v, 1
			if m.Counts != nil {
				c := m.Counts[i]
				if !(c > 0) || math.IsInf(c, 0) || c > valueLimit {
					return ds, dimBuf, invalidValue("The value %s for parameter %s.Counts.member.%d is invalid.", formatFloat(c), at, i+1)
				}
				d.Count = c
			}
			ds = append(ds, d)
		}
		return ds, dimBuf, nil
	case m.Counts != nil:
		return ds, dimBuf, invalidCombination("The parameter %[1]s.Counts can only be used together with %[1]s.Values.", at)
	}
	return ds, dimBuf, missingParameter("One of the parameters %[1]s.Value, %[1]s.StatisticValues or %[1]s.Values is required.", at)
}

// checkValue enforces CloudWatch's value range: finite and within ±2^360.
func checkValue(v float64, at datumAt, field string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > valueLimit {
		return invalidValue("The value %s for parameter %s%s is invalid.", formatFloat(v), at, field)
	}
	return nil
}

// datumDimensions validates a datum's dimensions (ASCII names and values
// with a non-space character, names not starting with a colon, no name
// twice) and returns them sorted by name, the series' identity.
func datumDimensions(buf []metricstore.Dim, in []cwapi.Dimension, at datumAt, dt *dimTextChecked) ([]metricstore.Dim, error) {
	start := len(buf)
	for i, d := range in {
		name, value := shape.Value(d.Name), shape.Value(d.Value)
		if !dt.names.has(d.Name) {
			if !asciiWithText(name) || strings.HasPrefix(name, ":") {
				return buf, invalidValue("The value %s for parameter %s.Dimensions.member.%d.Name is invalid.", name, at, i+1)
			}
			dt.names.add(d.Name)
		}
		if !dt.values.has(d.Value) {
			if !asciiWithText(value) {
				return buf, invalidValue("The value %s for parameter %s.Dimensions.member.%d.Value is invalid.", value, at, i+1)
			}
			dt.values.add(d.Value)
		}
		buf = append(buf, metricstore.Dim{Name: name, Value: value})
	}
	dims := buf[start:]
	sortDims(dims)
	for i := 1; i < len(dims); i++ {
		if dims[i].Name == dims[i-1].Name {
			return buf, invalidValue("The collection %s.Dimensions must not contain duplicate dimension names: %s.", at, dims[i].Name)
		}
	}
	return buf, nil
}

func asciiWithText(s string) bool {
	text := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c < 0x20 && c != '\t' {
			return false
		}
		if c != ' ' && c != '\t' {
			text = true
		}
	}
	return text
}

func formatFloat(v float64) string {
	return fmt.Sprint(v)
}

func sortDims(dims []metricstore.Dim) {
	// Clients mostly send them sorted already; checking is cheaper than
	// the sort's set-up.
	for i := 1; i < len(dims); i++ {
		if dims[i].Name < dims[i-1].Name {
			slices.SortFunc(dims, func(a, b metricstore.Dim) int { return strings.Compare(a.Name, b.Name) })
			return
		}
	}
}
