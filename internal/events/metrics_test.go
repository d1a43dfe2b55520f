package events

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// TestMetricsIntoStore: deliveries' AWS/Events datapoints land in the
// metrics store, with RuleName alone for the default bus and
// EventBusName+RuleName for a custom bus, and Sum = SampleCount = count.
func TestMetricsIntoStore(t *testing.T) {
	e, m, sum := newMetricsEnv(t)
	e.calls(t,
		apiCall{"CreateEventBus", `{"Name":"shop"}`},
		apiCall{"PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`},
		apiCall{"PutTargets", `{"Rule":"r","Targets":[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:123456789012:q"}]}`},
		apiCall{"PutRule", `{"Name":"r","EventBusName":"shop","EventPattern":"{\"source\":[\"app\"]}"}`},
		apiCall{"PutTargets", `{"Rule":"r","EventBusName":"shop","Targets":[{"Id":"q","Arn":"arn:aws:sqs:us-east-1:123456789012:q"}]}`},
		apiCall{"PutEvents", `{"Entries":[{"Source":"app","DetailType":"d","Detail":"{}"},{"Source":"app","DetailType":"d","Detail":"{}"},{"Source":"app","DetailType":"d","Detail":"{}","EventBusName":"shop"}]}`},
	)
	e.out.run(e.s, e.clk.Now())
	m.Flush(context.Background())

	for _, c := range []struct {
		metric string
		dims   []metricstore.Dim
		want   float64
	}{
		{"Invocations", nil, 3},
		{"Invocations", []metricstore.Dim{{Name: "RuleName", Value: "r"}}, 2},
		{"Invocations", []metricstore.Dim{{Name: "EventBusName", Value: "shop"}, {Name: "RuleName", Value: "r"}}, 1},
		{"MatchedEvents", []metricstore.Dim{{Name: "EventBusName", Value: "default"}}, 2},
		{"TriggeredRules", []metricstore.Dim{{Name: "RuleName", Value: "r"}}, 2},
		{"PutEventsEntriesCount", nil, 3},
	} {
		s, n := sum(c.metric, c.dims...)
		if s != c.want {
			t.Errorf("%s%v: sum %v, want %v", c.metric, c.dims, s, c.want)
		}
		if c.metric != "PutEventsEntriesCount" && n != c.want {
			t.Errorf("%s%v: SampleCount %v, want %v", c.metric, c.dims, n, c.want)
		}
	}
	if s, _ := sum("PutEventsRequestSize"); s != 18 {
		t.Errorf("PutEventsRequestSize %v, want 18", s)
	}
}

// TestMetricsThirdHop: a forward that would take an event to a third bus
// is no invocation: it counts in DeadLetterInvocations (and reaches the
// DLQ), not in Invocations nor FailedInvocations.
func TestMetricsThirdHop(t *testing.T) {
	e, m, sum := newMetricsEnv(t)
	e.calls(t,
		apiCall{"CreateEventBus", `{"Name":"shop"}`},
		apiCall{"PutRule", `{"Name":"fwd","EventPattern":"{\"source\":[\"app\"]}"}`},
		apiCall{"PutTargets", `{"Rule":"fwd","Targets":[{"Id":"b","Arn":"arn:aws:events:us-east-1:123456789012:event-bus/shop"}]}`},
		apiCall{"PutRule", `{"Name":"back","EventBusName":"shop","EventPattern":"{\"source\":[\"app\"]}"}`},
		apiCall{"PutTargets", `{"Rule":"back","EventBusName":"shop","Targets":[{"Id":"b","Arn":"arn:aws:events:us-east-1:123456789012:event-bus/default","DeadLetterConfig":{"Arn":"arn:aws:sqs:us-east-1:123456789012:dlq"}}]}`},
		apiCall{"PutEvents", `{"Entries":[{"Source":"app","DetailType":"d","Detail":"{}"}]}`},
	)
	e.out.run(e.s, e.clk.Now()) // default → shop
	e.out.run(e.s, e.clk.Now()) // shop → default: refused
	m.Flush(context.Background())

	back := []metricstore.Dim{{Name: "EventBusName", Value: "shop"}, {Name: "RuleName", Value: "back"}}
	fwd := []metricstore.Dim{{Name: "RuleName", Value: "fwd"}}
	for _, c := range []struct {
		metric string
		dims   []metricstore.Dim
		want   float64
	}{
		{"DeadLetterInvocations", back, 1},
		{"InvocationsSentToDlq", back, 1},
		{"Invocations", back, 0},
		{"FailedInvocations", back, 0},
		{"Invocations", fwd, 1},
		{"DeadLetterInvocations", fwd, 0},
	} {
		if s, _ := sum(c.metric, c.dims...); s != c.want {
			t.Errorf("%s%v: sum %v, want %v", c.metric, c.dims, s, c.want)
		}
	}
}

// newMetricsEnv is a service recording AWS/Events metrics into a real
// metrics store, and the store's Sum and SampleCount of a series around
// the clock's now.
func newMetricsEnv(t *testing.T) (*env, *Metrics, func(metric string, dims ...metricstore.Dim) (sum, count float64)) {
	t.Helper()
	e := newEnv(t)
	db, err := pebble.Open(filepath.Join(t.TempDir(), "pebble"), &pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := metricstore.Open(db, filepath.Join(t.TempDir(), "metrics"), metricstore.Options{Clock: e.clk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(); db.Close() })
	m := NewMetrics(st, MetricsOptions{Clock: e.clk, Every: -1})
	e.s.SetMetrics(m)
	return e, m, func(metric string, dims ...metricstore.Dim) (float64, float64) {
		t.Helper()
		bs, err := st.Query(context.Background(), metricstore.Partition{Account: acct, Region: reg}, metricstore.Query{
			Key:   metricstore.SeriesKey{Namespace: "AWS/Events", MetricName: metric, Dims: dims},
			Start: e.clk.Now().Add(-time.Minute), End: e.clk.Now().Add(time.Minute), Period: 5 * time.Minute,
		})
		if err != nil {
			t.Fatal(err)
		}
		var s, n float64
		for _, b := range bs {
			s += b.Agg.Sum
			n += b.Agg.Count
		}
		return s, n
	}
}

// FuzzBuildAPIRequest: any endpoint, path values and payload give a
// request or a delivery error, never a panic.
func FuzzBuildAPIRequest(f *testing.F) {
	f.Add("https://example.com/a/*/b/*", "x", "y z", `{"a":1}`)
	f.Add("http://h/*", "", "", `[1]`)
	f.Add("https://h/%zz*", "../..", "?", `not json`)
	f.Fuzz(func(t *testing.T, endpoint, v1, v2, payload string) {
		d := &apiDestDoc{Endpoint: endpoint, Method: "POST"}
		c := &connDoc{}
		c.Auth.Invocation = &eventsapi.ConnectionHttpParameters{BodyParameters: []eventsapi.ConnectionBodyParameter{{Key: &v1, Value: &v2}}}
		hp := &eventsapi.HttpParameters{PathParameterValues: []string{v1, v2}, QueryStringParameters: map[string]string{v1: v2}}
		req, err := buildAPIRequest(context.Background(), d, c, hp, []byte(payload))
		if err == nil && req == nil {
			t.Fatal("nil request without error")
		}
	})
}
