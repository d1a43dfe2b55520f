package cloudwatch

import (
	"context"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// env is a CloudWatch service over a real metrics engine on a fake clock.
type env struct {
	t   *testing.T
	clk *clock.Fake
	s   *Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	db, err := pebble.Open(filepath.Join(dir, "pebble"), &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(now)
	st, err := metricstore.Open(db, filepath.Join(dir, "metrics"), metricstore.Options{Clock: clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(); db.Close() })
	return &env{t: t, clk: clk, s: New(st, clk)}
}

func (e *env) ctx() context.Context {
	return reqctx.With(context.Background(), &reqctx.Request{
		Caller: reqctx.Caller{AccountID: "123456789012"}, Region: "us-east-1", Time: e.clk.Now(),
	})
}

// put stores value v of App/name{Host=host} at t.
func (e *env) put(name, host string, t time.Time, vs ...float64) {
	e.t.Helper()
	var data []cwapi.MetricDatum
	for _, v := range vs {
		data = append(data, cwapi.MetricDatum{MetricName: shape.Ptr(name), Value: shape.Ptr(v), Timestamp: shape.Ptr(t), Unit: shape.Ptr("Milliseconds"),
			Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr(host)}}})
	}
	if err := e.s.PutMetricData(e.ctx(), &cwapi.PutMetricDataInput{Namespace: shape.Ptr("App"), MetricData: data}); err != nil {
		e.t.Fatal(err)
	}
}

func hostDims(h string) []cwapi.Dimension {
	return []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr(h)}}
}

func TestGetMetricStatisticsComputesEveryStatistic(t *testing.T) {
	e := newEnv(t)
	t0 := now.Add(-time.Hour).Truncate(time.Minute)
	e.put("Latency", "a", t0.Add(10*time.Second), 1, 2, 3, 4)
	e.put("Latency", "a", t0.Add(70*time.Second), 10)
	e.put("Latency", "b", t0.Add(10*time.Second), 100) // another series

	out, err := e.s.GetMetricStatistics(e.ctx(), &cwapi.GetMetricStatisticsInput{
		Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Latency"), Dimensions: hostDims("a"),
		StartTime: shape.Ptr(t0), EndTime: shape.Ptr(t0.Add(5 * time.Minute)), Period: shape.Ptr(int32(60)),
		Statistics: []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) != 2 || *out.Label != "Latency" {
		t.Fatalf("datapoints: %+v", out)
	}
	d := out.Datapoints[0]
	if !d.Timestamp.Equal(t0) || *d.SampleCount != 4 || *d.Average != 2.5 || *d.Sum != 10 || *d.Minimum != 1 || *d.Maximum != 4 || *d.Unit != "Milliseconds" {
		t.Errorf("first minute: %+v", d)
	}
	out, err = e.s.GetMetricStatistics(e.ctx(), &cwapi.GetMetricStatisticsInput{
		Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Latency"), Dimensions: hostDims("a"),
		StartTime: shape.Ptr(t0), EndTime: shape.Ptr(t0.Add(5 * time.Minute)), Period: shape.Ptr(int32(300)),
		ExtendedStatistics: []string{"p50", "p100", "tm(0%:80%)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Datapoints) != 1 {
		t.Fatalf("5-minute datapoints: %+v", out.Datapoints)
	}
	ext := out.Datapoints[0].ExtendedStatistics
	if ext["p50"] != 3 && ext["p50"] != 2 || ext["p100"] != 10 || ext["TM(0%:80%)"] != 2.5 {
		t.Errorf("extended statistics: %v", ext)
	}
}

func TestGetMetricStatisticsRefusals(t *testing.T) {
	e := newEnv(t)
	base := cwapi.GetMetricStatisticsInput{Namespace: shape.Ptr("App"), MetricName: shape.Ptr("m"),
		StartTime: shape.Ptr(now.Add(-time.Hour)), EndTime: shape.Ptr(now), Period: shape.Ptr(int32(60)), Statistics: []string{"Sum"}}
	for _, c := range []struct {
		name string
		mod  func(in *cwapi.GetMetricStatisticsInput)
		want string
	}{
		{"no statistic", func(in *cwapi.GetMetricStatisticsInput) { in.Statistics = nil }, "MissingParameter"},
		{"both kinds", func(in *cwapi.GetMetricStatisticsInput) { in.ExtendedStatistics = []string{"p99"} }, "InvalidParameterCombination"},
		{"bad percentile", func(in *cwapi.GetMetricStatisticsInput) { in.Statistics, in.ExtendedStatistics = nil, []string{"p101"} },
			"The value p101 for parameter ExtendedStatistics is not a valid percentile statistic"},
		{"start after end", func(in *cwapi.GetMetricStatisticsInput) { in.StartTime = shape.Ptr(now.Add(time.Hour)) }, "StartTime must be less than"},
		{"period 45", func(in *cwapi.GetMetricStatisticsInput) { in.Period = shape.Ptr(int32(45)) }, "InvalidParameterValue"},
		{"1441 datapoints", func(in *cwapi.GetMetricStatisticsInput) { in.StartTime = shape.Ptr(now.Add(-1441 * time.Minute)) },
			"You have requested up to 1441 datapoints, which exceeds the limit of 1440"},
	} {
		in := base
		c.mod(&in)
		_, err := e.s.GetMetricStatistics(e.ctx(), &in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestListMetricsFiltersAndPages(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 3; i++ {
		e.put("Requests", string(rune('a'+i)), now.Add(-time.Minute), 1)
	}
	e.put("Errors", "a", now.Add(-time.Minute), 1)
	out, err := e.s.ListMetrics(e.ctx(), &cwapi.ListMetricsInput{MetricName: shape.Ptr("Requests")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Metrics) != 3 || out.NextToken != nil {
		t.Fatalf("by name: %+v", out)
	}
	out, _ = e.s.ListMetrics(e.ctx(), &cwapi.ListMetricsInput{Dimensions: []cwapi.DimensionFilter{{Name: shape.Ptr("Host"), Value: shape.Ptr("a")}}})
	if len(out.Metrics) != 2 {
		t.Fatalf("by dimension: %+v", out.Metrics)
	}
	// Three hours later the metrics are no longer recently active.
	e.clk.Advance(4 * time.Hour)
	out, _ = e.s.ListMetrics(e.ctx(), &cwapi.ListMetricsInput{RecentlyActive: shape.Ptr("PT3H")})
	if len(out.Metrics) != 0 {
		t.Fatalf("recently active after 4h: %+v", out.Metrics)
	}
	out, _ = e.s.ListMetrics(e.ctx(), &cwapi.ListMetricsInput{})
	if len(out.Metrics) != 4 {
		t.Fatalf("all after 4h: %d", len(out.Metrics))
	}
	if _, err := e.s.ListMetrics(e.ctx(), &cwapi.ListMetricsInput{NextToken: shape.Ptr("garbage!")}); err == nil || !strings.Contains(err.Error(), "InvalidNextToken") {
		t.Fatalf("bad token: %v", err)
	}
}

func metricQuery(id, host, stat string, ret bool) cwapi.MetricDataQuery {
	return cwapi.MetricDataQuery{Id: shape.Ptr(id), ReturnData: shape.Ptr(ret), MetricStat: &cwapi.MetricStat{
		Metric: &cwapi.Metric{Namespace: shape.Ptr("App"), MetricName: shape.Ptr("Latency"), Dimensions: hostDims(host)},
		Period: shape.Ptr(int32(60)), Stat: shape.Ptr(stat)}}
}

func TestGetMetricDataMathSearchInsightsAndPaging(t *testing.T) {
	e := newEnv(t)
	t0 := now.Add(-30 * time.Minute).Truncate(time.Minute)
	for i := 0; i < 5; i++ {
		e.put("Latency", "a", t0.Add(time.Duration(i)*time.Minute), float64(i))
		e.put("Latency", "b", t0.Add(time.Duration(i)*time.Minute), 10)
	}
	in := &cwapi.GetMetricDataInput{
		StartTime: shape.Ptr(t0), EndTime: shape.Ptr(t0.Add(5 * time.Minute)), ScanBy: shape.Ptr("TimestampAscending"),
		MetricDataQueries: []cwapi.MetricDataQuery{
			metricQuery("a", "a", "Sum", true),
			metricQuery("b", "b", "Sum", false),
			{Id: shape.Ptr("total"), Expression: shape.Ptr("a + b"), Label: shape.Ptr("Total ${MAX}")},
			{Id: shape.Ptr("found"), Expression: shape.Ptr(`SEARCH('{App,Host} MetricName="Latency"', 'Maximum', 60)`)},
			{Id: shape.Ptr("sql"), Expression: shape.Ptr(`SELECT MAX(Latency) FROM App GROUP BY Host ORDER BY MAX() DESC`), Period: shape.Ptr(int32(60))},
		},
	}
	out, err := e.s.GetMetricData(e.ctx(), in)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]float64{}
	labels := map[string]string{}
	for _, r := range out.MetricDataResults {
		key := *r.Id + "/" + *r.Label
		got[key] = r.Values
		labels[*r.Id] += *r.Label + ";"
		if *r.StatusCode != "Complete" {
			t.Errorf("%s: status %s", key, *r.StatusCode)
		}
	}
	want := map[string][]float64{
		"a/Latency":      {0, 1, 2, 3, 4},
		"total/Total 14": {10, 11, 12, 13, 14},
	}
	for k, v := range want {
		if !equalFloats(got[k], v) {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	if strings.Count(labels["found"], ";") != 2 || strings.Count(labels["sql"], ";") != 2 {
		t.Errorf("search/insights results: %v", labels)
	}
	if _, ok := got["b/Latency"]; ok {
		t.Error("a ReturnData=false query was returned")
	}

	// Paging: 3 datapoints a page across the results, in order.
	in.MaxDatapoints = shape.Ptr(int32(3))
	in.MetricDataQueries = in.MetricDataQueries[:3]
	var pages [][]float64
	for {
		out, err := e.s.GetMetricData(e.ctx(), in)
		if err != nil {
			t.Fatal(err)
		}
		var vs []float64
		for _, r := range out.MetricDataResults {
			vs = append(vs, r.Values...)
		}
		pages = append(pages, vs)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if len(pages) != 4 || !equalFloats(pages[0], []float64{0, 1, 2}) || !equalFloats(pages[3], []float64{14}) {
		t.Errorf("pages: %v", pages)
	}
}

func TestGetMetricDataRefusals(t *testing.T) {
	e := newEnv(t)
	base := func(qs ...cwapi.MetricDataQuery) *cwapi.GetMetricDataInput {
		return &cwapi.GetMetricDataInput{StartTime: shape.Ptr(now.Add(-time.Hour)), EndTime: shape.Ptr(now), MetricDataQueries: qs}
	}
	for _, c := range []struct {
		name string
		in   *cwapi.GetMetricDataInput
		want string
	}{
		{"uppercase id", base(metricQuery("A", "a", "Sum", true)), "must start with a lowercase letter"},
		{"duplicate id", base(metricQuery("a", "a", "Sum", true), metricQuery("a", "b", "Sum", true)), "Ids must be unique"},
		{"bad stat", base(metricQuery("a", "a", "p200", true)), "MetricDataQueries.member.1.MetricStat.Stat"},
		{"unknown function", base(cwapi.MetricDataQuery{Id: shape.Ptr("e"), Expression: shape.Ptr("FOO(m)")}), "ValidationError"},
		{"unknown id", base(cwapi.MetricDataQuery{Id: shape.Ptr("e"), Expression: shape.Ptr("m1 * 2")}), "Error in expression e"},
		{"cycle", base(cwapi.MetricDataQuery{Id: shape.Ptr("e"), Expression: shape.Ptr("f * 2")}, cwapi.MetricDataQuery{Id: shape.Ptr("f"), Expression: shape.Ptr("e + 1")}), "refers to itself"},
		{"not supported", base(cwapi.MetricDataQuery{Id: shape.Ptr("e"), Expression: shape.Ptr("LAMBDA('f')")}), "not supported"},
		{"other account", base(cwapi.MetricDataQuery{Id: shape.Ptr("m"), AccountId: shape.Ptr("111111111111"), MetricStat: metricQuery("m", "a", "Sum", true).MetricStat}),
			"no cross-account observability links"},
		{"bad sql", base(cwapi.MetricDataQuery{Id: shape.Ptr("q"), Expression: shape.Ptr("SELECT FOO(x) FROM y")}), "Error in expression q"},
	} {
		_, err := e.s.GetMetricData(e.ctx(), c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}
