package cloudwatch

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// recorder is a Store that keeps what PutMetricData appends.
type recorder struct {
	Store
	p  metricstore.Partition
	ds []metricstore.Datum
}

func (r *recorder) Append(_ context.Context, p metricstore.Partition, ds []metricstore.Datum) error {
	// Deep copies: the caller reuses ds and their dimensions.
	for _, d := range ds {
		d.Key.Dims = slices.Clone(d.Key.Dims)
		r.ds = append(r.ds, d)
	}
	r.p = p
	return nil
}

func callCtx(bodySize int) context.Context {
	return reqctx.With(context.Background(), &reqctx.Request{
		Caller: reqctx.Caller{AccountID: "123456789012"}, Region: "eu-west-1", Time: now, BodySize: bodySize,
	})
}

func datum(name string, v float64) cwapi.MetricDatum {
	return cwapi.MetricDatum{MetricName: shape.Ptr(name), Value: shape.Ptr(v)}
}

func TestPutMetricDataStoresEveryForm(t *testing.T) {
	rec := &recorder{}
	s := New(rec, clock.NewFake(now))
	ts := now.Add(-time.Hour)
	err := s.PutMetricData(callCtx(100), &cwapi.PutMetricDataInput{
		Namespace: shape.Ptr("App"),
		MetricData: []cwapi.MetricDatum{
			{MetricName: shape.Ptr("Latency"), Value: shape.Ptr(12.5), Unit: shape.Ptr("Milliseconds"), Timestamp: &ts,
				Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Zone"), Value: shape.Ptr("b")}, {Name: shape.Ptr("Host"), Value: shape.Ptr("h1")}}},
			{MetricName: shape.Ptr("Hist"), Values: []float64{1, 2}, Counts: []float64{3, 4}, StorageResolution: shape.Ptr(int32(1))},
			{MetricName: shape.Ptr("Set"), StatisticValues: &cwapi.StatisticSet{SampleCount: shape.Ptr(2.0), Sum: shape.Ptr(3.0), Minimum: shape.Ptr(1.0), Maximum: shape.Ptr(2.0)}},
		},
		EntityMetricData:       []cwapi.EntityMetricData{{MetricData: []cwapi.MetricDatum{datum("FromEntity", 7)}}},
		StrictEntityValidation: shape.Ptr(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.p != (metricstore.Partition{Account: "123456789012", Region: "eu-west-1"}) {
		t.Errorf("partition %+v", rec.p)
	}
	if len(rec.ds) != 5 {
		t.Fatalf("%d datums: %+v", len(rec.ds), rec.ds)
	}
	d := rec.ds[0]
	if d.Key.Namespace != "App" || d.Key.MetricName != "Latency" || d.T != ts.UnixMilli() || d.Value != 12.5 || d.Count != 1 ||
		d.Unit != "Milliseconds" || len(d.Key.Dims) != 2 || d.Key.Dims[0].Name != "Host" || d.HighRes {
		t.Errorf("value datum: %+v", d)
	}
	if h := rec.ds[1:3]; h[0].Value != 1 || h[0].Count != 3 || h[1].Value != 2 || h[1].Count != 4 || !h[0].HighRes || h[0].T != now.UnixMilli() {
		t.Errorf("values datums: %+v", h)
	}
	if st := rec.ds[3]; !st.IsSet || st.SetCount != 2 || st.Sum != 3 || st.Min != 1 || st.Max != 2 {
		t.Errorf("statistic set: %+v", st)
	}
	if rec.ds[4].Key.MetricName != "FromEntity" {
		t.Errorf("entity datum: %+v", rec.ds[4])
	}
}

func TestPutMetricDataRefusals(t *testing.T) {
	tooMany := make([]cwapi.MetricDatum, 1001)
	for i := range tooMany {
		tooMany[i] = datum("m", 1)
	}
	old, future := now.Add(-15*24*time.Hour), now.Add(3*time.Hour)
	dims := func(kv ...string) []cwapi.Dimension {
		var ds []cwapi.Dimension
		for i := 0; i < len(kv); i += 2 {
			ds = append(ds, cwapi.Dimension{Name: shape.Ptr(kv[i]), Value: shape.Ptr(kv[i+1])})
		}
		return ds
	}
	for _, c := range []struct {
		name     string
		ns       string
		data     []cwapi.MetricDatum
		bodySize int
		want     string // the error's Go text: code + message
	}{
		{"reserved namespace", "AWS/EC2", []cwapi.MetricDatum{datum("m", 1)}, 0, "InvalidParameterValue: The value AWS/EC2 for parameter Namespace is invalid."},
		{"namespace characters", "App!", []cwapi.MetricDatum{datum("m", 1)}, 0, "InvalidParameterValue: The value App! for parameter Namespace is invalid."},
		{"blank namespace", "  ", []cwapi.MetricDatum{datum("m", 1)}, 0, "InvalidParameterValue: The value    for parameter Namespace is invalid."},
		{"no data", "App", nil, 0, "MissingParameter: The parameter MetricData is required."},
		{"too many", "App", tooMany, 0, "InvalidParameterValue: The collection MetricData must not have a size greater than 1000."},
		{"too large", "App", []cwapi.MetricDatum{datum("m", 1)}, 1<<20 + 1, "RequestEntityTooLarge"},
		{"NaN", "App", []cwapi.MetricDatum{datum("m", math.NaN())}, 0, "InvalidParameterValue: The value NaN for parameter MetricData.member.1.Value is invalid."},
		{"beyond 2^360", "App", []cwapi.MetricDatum{datum("m", 1), datum("m", math.Ldexp(1, 361))}, 0, "parameter MetricData.member.2.Value is invalid."},
		{"too old", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Value: shape.Ptr(1.0), Timestamp: &old}}, 0,
			"InvalidParameterValue: The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks."},
		{"too far ahead", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Value: shape.Ptr(1.0), Timestamp: &future}}, 0,
			"InvalidParameterValue: The parameter MetricData.member.1.Timestamp must specify a time no more than two hours in the future."},
		{"value and set", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Value: shape.Ptr(1.0),
			StatisticValues: &cwapi.StatisticSet{SampleCount: shape.Ptr(1.0), Sum: shape.Ptr(1.0), Minimum: shape.Ptr(1.0), Maximum: shape.Ptr(1.0)}}}, 0,
			"InvalidParameterCombination: The parameters MetricData.member.1.Value, MetricData.member.1.StatisticValues and MetricData.member.1.Values are mutually exclusive"},
		{"151 values", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Values: make([]float64, 151)}}, 0,
			"InvalidParameterValue: The collection MetricData.member.1.Values must not have a size greater than 150."},
		{"counts size", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Values: []float64{1, 2}, Counts: []float64{1}}}, 0,
			"InvalidParameterCombination: The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size."},
		{"zero count", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Values: []float64{1}, Counts: []float64{0}}}, 0,
			"InvalidParameterValue: The value 0 for parameter MetricData.member.1.Counts.member.1 is invalid."},
		{"resolution", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Value: shape.Ptr(1.0), StorageResolution: shape.Ptr(int32(10))}}, 0,
			"InvalidParameterValue: The value 10 for parameter MetricData.member.1.StorageResolution is invalid."},
		{"set incomplete", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), StatisticValues: &cwapi.StatisticSet{SampleCount: shape.Ptr(1.0)}}}, 0,
			"MissingParameter: The parameter MetricData.member.1.StatisticValues.Sum is required."},
		{"set min above max", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"),
			StatisticValues: &cwapi.StatisticSet{SampleCount: shape.Ptr(2.0), Sum: shape.Ptr(3.0), Minimum: shape.Ptr(2.0), Maximum: shape.Ptr(1.0)}}}, 0,
			"InvalidParameterCombination"},
		{"no value", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m")}}, 0, "MissingParameter"},
		{"dimension colon", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Value: shape.Ptr(1.0), Dimensions: dims(":a", "b")}}, 0,
			"InvalidParameterValue: The value :a for parameter MetricData.member.1.Dimensions.member.1.Name is invalid."},
		{"dimension non-ascii", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Value: shape.Ptr(1.0), Dimensions: dims("a", "é")}}, 0,
			"parameter MetricData.member.1.Dimensions.member.1.Value is invalid."},
		{"dimension twice", "App", []cwapi.MetricDatum{{MetricName: shape.Ptr("m"), Value: shape.Ptr(1.0), Dimensions: dims("a", "1", "a", "2")}}, 0,
			"duplicate dimension names: a"},
	} {
		rec := &recorder{}
		err := New(rec, clock.NewFake(now)).PutMetricData(callCtx(c.bodySize), &cwapi.PutMetricDataInput{Namespace: shape.Ptr(c.ns), MetricData: c.data})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		var me shape.ModeledError
		var se *shape.Error
		if !errors.As(err, &me) && !errors.As(err, &se) {
			t.Errorf("%s: not an AWS error: %T", c.name, err)
		}
		if len(rec.ds) != 0 {
			t.Errorf("%s: stored %d datums of a refused request", c.name, len(rec.ds))
		}
	}
}
