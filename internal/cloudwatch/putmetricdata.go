package cloudwatch

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
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
// whole request and nothing is stored.
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
	now := r.Time
	ds := make([]metricstore.Datum, 0, n)
	var err error
	for i := range in.MetricData {
		if ds, err = appendDatum(ds, ns, &in.MetricData[i], fmt.Sprintf("MetricData.member.%d", i+1), now); err != nil {
			return err
		}
	}
	for i := range in.EntityMetricData {
		e := &in.EntityMetricData[i]
		for j := range e.MetricData {
			prefix := fmt.Sprintf("EntityMetricData.member.%d.MetricData.member.%d", i+1, j+1)
			if ds, err = appendDatum(ds, ns, &e.MetricData[j], prefix, now); err != nil {
				return err
			}
		}
	}
	return s.store.Append(ctx, partition(ctx), ds)
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

func appendDatum(ds []metricstore.Datum, ns string, m *cwapi.MetricDatum, at string, now time.Time) ([]metricstore.Datum, error) {
	base := metricstore.Datum{
		Key:  metricstore.SeriesKey{Namespace: ns, MetricName: shape.Value(m.MetricName)},
		T:    now.UnixMilli(),
		Unit: shape.Value(m.Unit),
	}
	if m.Timestamp != nil {
		ts := *m.Timestamp
		if ts.Before(now.Add(-maxPastAge)) {
			return ds, invalidValue("The parameter %s.Timestamp must specify a time within the past two weeks.", at)
		}
		if ts.After(now.Add(maxFutureSkew)) {
			return ds, invalidValue("The parameter %s.Timestamp must specify a time no more than two hours in the future.", at)
		}
		base.T = ts.UnixMilli()
	}
	switch res := shape.Value(m.StorageResolution); {
	case m.StorageResolution == nil || res == 60:
	case res == 1:
		base.HighRes = true
	default:
		return ds, invalidValue("The value %d for parameter %s.StorageResolution is invalid. Valid values are 1 and 60.", res, at)
	}
	dims, err := datumDimensions(m.Dimensions, at)
	if err != nil {
		return ds, err
	}
	base.Key.Dims = dims

	forms := 0
	for _, set := range []bool{m.Value != nil, m.StatisticValues != nil, m.Values != nil} {
		if set {
			forms++
		}
	}
	if forms > 1 {
		return ds, invalidCombination("The parameters %[1]s.Value, %[1]s.StatisticValues and %[1]s.Values are mutually exclusive and you have specified more than one.", at)
	}
	switch {
	case m.Value != nil:
		if err := checkValue(*m.Value, at+".Value"); err != nil {
			return ds, err
		}
		d := base
		d.Value, d.Count = *m.Value, 1
		return append(ds, d), nil
	case m.StatisticValues != nil:
		sv := m.StatisticValues
		for _, f := range []struct {
			name string
			v    *float64
		}{{"SampleCount", sv.SampleCount}, {"Sum", sv.Sum}, {"Minimum", sv.Minimum}, {"Maximum", sv.Maximum}} {
			if f.v == nil {
				return ds, missingParameter("The parameter %s.StatisticValues.%s is required.", at, f.name)
			}
			if err := checkValue(*f.v, at+".StatisticValues."+f.name); err != nil {
				return ds, err
			}
		}
		if *sv.SampleCount <= 0 {
			return ds, invalidValue("The value %s for parameter %s.StatisticValues.SampleCount is invalid. It must be greater than 0.", formatFloat(*sv.SampleCount), at)
		}
		if *sv.Minimum > *sv.Maximum {
			return ds, invalidCombination("The parameter %[1]s.StatisticValues.Minimum must be less than or equal to %[1]s.StatisticValues.Maximum.", at)
		}
		d := base
		d.IsSet, d.SetCount, d.Sum, d.Min, d.Max = true, *sv.SampleCount, *sv.Sum, *sv.Minimum, *sv.Maximum
		return append(ds, d), nil
	case m.Values != nil:
		if len(m.Values) > maxValuesPerDatum {
			return ds, invalidValue("The collection %s.Values must not have a size greater than %d.", at, maxValuesPerDatum)
		}
		if m.Counts != nil && len(m.Counts) != len(m.Values) {
			return ds, invalidCombination("The parameters %[1]s.Values and %[1]s.Counts must be of the same size.", at)
		}
		for i, v := range m.Values {
			if err := checkValue(v, fmt.Sprintf("%s.Values.member.%d", at, i+1)); err != nil {
				return ds, err
			}
			d := base
			d.Value, d.Count = v, 1
			if m.Counts != nil {
				c := m.Counts[i]
				if !(c > 0) || math.IsInf(c, 0) || c > valueLimit {
					return ds, invalidValue("The value %s for parameter %s.Counts.member.%d is invalid.", formatFloat(c), at, i+1)
				}
				d.Count = c
			}
			ds = append(ds, d)
		}
		return ds, nil
	case m.Counts != nil:
		return ds, invalidCombination("The parameter %[1]s.Counts can only be used together with %[1]s.Values.", at)
	}
	return ds, missingParameter("One of the parameters %[1]s.Value, %[1]s.StatisticValues or %[1]s.Values is required.", at)
}

// checkValue enforces CloudWatch's value range: finite and within ±2^360.
func checkValue(v float64, param string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > valueLimit {
		return invalidValue("The value %s for parameter %s is invalid.", formatFloat(v), param)
	}
	return nil
}

// datumDimensions validates a datum's dimensions (ASCII names and values
// with a non-space character, names not starting with a colon, no name
// twice) and returns them sorted by name, the series' identity.
func datumDimensions(in []cwapi.Dimension, at string) ([]metricstore.Dim, error) {
	if len(in) == 0 {
		return nil, nil
	}
	dims := make([]metricstore.Dim, len(in))
	for i, d := range in {
		name, value := shape.Value(d.Name), shape.Value(d.Value)
		param := fmt.Sprintf("%s.Dimensions.member.%d", at, i+1)
		if !asciiWithText(name) || strings.HasPrefix(name, ":") {
			return nil, invalidValue("The value %s for parameter %s.Name is invalid.", name, param)
		}
		if !asciiWithText(value) {
			return nil, invalidValue("The value %s for parameter %s.Value is invalid.", value, param)
		}
		dims[i] = metricstore.Dim{Name: name, Value: value}
	}
	sortDims(dims)
	for i := 1; i < len(dims); i++ {
		if dims[i].Name == dims[i-1].Name {
			return nil, invalidValue("The collection %s.Dimensions must not contain duplicate dimension names: %s.", at, dims[i].Name)
		}
	}
	return dims, nil
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
	slices.SortFunc(dims, func(a, b metricstore.Dim) int { return strings.Compare(a.Name, b.Name) })
}
