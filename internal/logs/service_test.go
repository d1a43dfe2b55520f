package logs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/logstore"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
	"github.com/vigilhq/vigil/internal/storage"
)

type fakeMetrics struct {
	mu sync.Mutex
	ds []metricstore.Datum
}

func (f *fakeMetrics) Append(_ context.Context, _ metricstore.Partition, ds []metricstore.Datum) error {
	f.mu.Lock()
	f.ds = append(f.ds, ds...)
	f.mu.Unlock()
	return nil
}

type fixture struct {
	svc     *Service
	events  *logstore.Store
	metrics *fakeMetrics
	now     time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	db, err := storage.OpenSQL(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := logstore.Open(t.TempDir(), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{events: st, metrics: &fakeMetrics{}, now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	f.svc, err = New(context.Background(), Options{DB: db, Events: st, Metrics: f.metrics})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) ctx() context.Context {
	return reqctx.With(context.Background(), &reqctx.Request{
		Caller: reqctx.Caller{AccountID: "123456789012"}, Region: "us-east-1", Time: f.now, RequestID: "req-1",
	})
}

func (f *fixture) mustCreate(t testing.TB, group string, streams ...string) {
	t.Helper()
	if err := f.svc.CreateLogGroup(f.ctx(), &logsapi.CreateLogGroupRequest{LogGroupName: &group}); err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		if err := f.svc.CreateLogStream(f.ctx(), &logsapi.CreateLogStreamRequest{LogGroupName: &group, LogStreamName: shape.Ptr(s)}); err != nil {
			t.Fatal(err)
		}
	}
}

func events(ts []int64, msg func(i int) string) []logsapi.InputLogEvent {
	out := make([]logsapi.InputLogEvent, len(ts))
	for i, t := range ts {
		out[i] = logsapi.InputLogEvent{Timestamp: shape.Ptr(t), Message: shape.Ptr(msg(i))}
	}
	return out
}

func (f *fixture) put(group, stream string, evs []logsapi.InputLogEvent) (*logsapi.PutLogEventsResponse, error) {
	return f.svc.PutLogEvents(f.ctx(), &logsapi.PutLogEventsRequest{LogGroupName: &group, LogStreamName: &stream, LogEvents: evs})
}

func wantErr[T error](t *testing.T, err error, contains string) {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v, want %T", err, target)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q lacks %q", err, contains)
	}
}

func TestPutLogEventsRules(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	now := f.now.UnixMilli()
	msg := func(i int) string { return fmt.Sprintf("event %d", i) }

	_, err := f.put("missing", "s", events([]int64{now}, msg))
	wantErr[*logsapi.ResourceNotFoundException](t, err, "The specified log group does not exist.")
	_, err = f.put("g", "missing", events([]int64{now}, msg))
	wantErr[*logsapi.ResourceNotFoundException](t, err, "The specified log stream does not exist.")

	_, err = f.put("g", "s", events([]int64{now, now - 1}, msg))
	wantErr[*logsapi.InvalidParameterException](t, err, "chronological order")

	_, err = f.put("g", "s", events([]int64{now - 25*3600_000, now}, msg))
	wantErr[*logsapi.InvalidParameterException](t, err, "cannot span more than 24 hours")

	// 1,048,576 bytes counts message bytes plus 26 per event.
	big := strings.Repeat("x", maxBatchBytes/2-eventOverhead)
	if _, err := f.put("g", "s", events([]int64{now, now}, func(int) string { return big })); err != nil {
		t.Fatalf("batch of exactly the limit: %v", err)
	}
	_, err = f.put("g", "s", events([]int64{now, now}, func(i int) string { return big + strings.Repeat("y", i) }))
	wantErr[*logsapi.InvalidParameterException](t, err, "Upload too large")

	// Too old and too new events are rejected one by one; the rest are stored.
	day := int64(24 * 3600_000)
	out, err := f.put("g", "s", events([]int64{now - 15*day, now - 14*day - 1, now - 1000, now, now + 2*3600_000 + 1}, msg))
	if err != nil {
		t.Fatal(err)
	}
	info := out.RejectedLogEventsInfo
	if info == nil || shape.Value(info.TooOldLogEventEndIndex) != 2 || shape.Value(info.TooNewLogEventStartIndex) != 4 || info.ExpiredLogEventEndIndex != nil {
		t.Fatalf("rejected info %+v", info)
	}
	var small []string
	for _, m := range f.getAll(t, "g", "s") {
		if len(m) < 100 {
			small = append(small, m)
		}
	}
	if fmt.Sprint(small) != "[event 2 event 3]" {
		t.Fatalf("stored %q", small)
	}

	// Retention shorter than 14 days expires older events.
	if err := f.svc.PutRetentionPolicy(f.ctx(), &logsapi.PutRetentionPolicyRequest{LogGroupName: shape.Ptr("g"), RetentionInDays: shape.Ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	out, err = f.put("g", "s", events([]int64{now - 2*day, now - 2*day + 1, now}, msg))
	if err != nil {
		t.Fatal(err)
	}
	if info := out.RejectedLogEventsInfo; info == nil || shape.Value(info.ExpiredLogEventEndIndex) != 2 || info.TooOldLogEventEndIndex != nil {
		t.Fatalf("rejected info %+v", info)
	}
	err = f.svc.PutRetentionPolicy(f.ctx(), &logsapi.PutRetentionPolicyRequest{LogGroupName: shape.Ptr("g"), RetentionInDays: shape.Ptr(int32(2))})
	wantErr[*logsapi.InvalidParameterException](t, err, "Member must satisfy enum value set: [1, 3, 5, 7, 14")
}

func (f *fixture) getAll(t *testing.T, group, stream string) []string {
	t.Helper()
	out, err := f.svc.GetLogEvents(f.ctx(), &logsapi.GetLogEventsRequest{LogGroupName: &group, LogStreamName: &stream, StartFromHead: shape.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range out.Events {
		msgs = append(msgs, *e.Message)
	}
	return msgs
}

// GetLogEvents pages forward and backward with tokens; reading past the
// end in a direction returns the same token.
func TestGetLogEventsTokens(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	now := f.now.UnixMilli()
	ts := make([]int64, 10)
	for i := range ts {
		ts[i] = now + int64(i)
	}
	if _, err := f.put("g", "s", events(ts, func(i int) string { return fmt.Sprint(i) })); err != nil {
		t.Fatal(err)
	}
	get := func(tok *string, head *bool) *logsapi.GetLogEventsResponse {
		t.Helper()
		out, err := f.svc.GetLogEvents(f.ctx(), &logsapi.GetLogEventsRequest{LogGroupName: shape.Ptr("g"), LogStreamName: shape.Ptr("s"),
			NextToken: tok, StartFromHead: head, Limit: shape.Ptr(int32(4))})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	msgs := func(out *logsapi.GetLogEventsResponse) string {
		var m []string
		for _, e := range out.Events {
			m = append(m, *e.Message)
		}
		return strings.Join(m, " ")
	}
	// Without a token and startFromHead false: the newest events, oldest first.
	last := get(nil, nil)
	if msgs(last) != "6 7 8 9" {
		t.Fatalf("latest: %q", msgs(last))
	}
	// Forward from the newest: nothing more, the same token.
	end := get(last.NextForwardToken, nil)
	if len(end.Events) != 0 || *end.NextForwardToken != *last.NextForwardToken {
		t.Fatalf("end: %q %s vs %s", msgs(end), *end.NextForwardToken, *last.NextForwardToken)
	}
	// Backward pages.
	b1 := get(last.NextBackwardToken, nil)
	b2 := get(b1.NextBackwardToken, nil)
	b3 := get(b2.NextBackwardToken, nil)
	if msgs(b1) != "2 3 4 5" || msgs(b2) != "0 1" || len(b3.Events) != 0 || *b3.NextBackwardToken != *b2.NextBackwardToken {
		t.Fatalf("backward: %q / %q / %q", msgs(b1), msgs(b2), msgs(b3))
	}
	// Forward from the head in pages, then forward from a backward page.
	h1 := get(nil, shape.Ptr(true))
	h2 := get(h1.NextForwardToken, nil)
	if msgs(h1) != "0 1 2 3" || msgs(h2) != "4 5 6 7" {
		t.Fatalf("forward: %q / %q", msgs(h1), msgs(h2))
	}
	if m := msgs(get(b1.NextForwardToken, nil)); m != "6 7 8 9" {
		t.Fatalf("forward after a backward page: %q", m)
	}
	// New events appear to a forward poll at the end.
	if _, err := f.put("g", "s", events([]int64{now + 100}, func(int) string { return "new" })); err != nil {
		t.Fatal(err)
	}
	if m := msgs(get(last.NextForwardToken, nil)); m != "new" {
		t.Fatalf("poll: %q", m)
	}
	_, err := f.svc.GetLogEvents(f.ctx(), &logsapi.GetLogEventsRequest{LogGroupName: shape.Ptr("g"), LogStreamName: shape.Ptr("s"), NextToken: shape.Ptr("f/zz")})
	wantErr[*logsapi.InvalidParameterException](t, err, "nextToken")
}

func TestFilterLogEventsPagingAndPatterns(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "a", "b")
	now := f.now.UnixMilli()
	for _, s := range []string{"a", "b"} {
		evs := events([]int64{now, now + 2, now + 4}, func(i int) string {
			return fmt.Sprintf(`{"stream":"%s","n":%d,"level":"%s"}`, s, i, []string{"INFO", "ERROR", "INFO"}[i])
		})
		if _, err := f.put("g", s, evs); err != nil {
			t.Fatal(err)
		}
	}
	filter := func(in *logsapi.FilterLogEventsRequest) *logsapi.FilterLogEventsResponse {
		t.Helper()
		in.LogGroupName = shape.Ptr("g")
		out, err := f.svc.FilterLogEvents(f.ctx(), in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := filter(&logsapi.FilterLogEventsRequest{})
	if len(all.Events) != 6 || all.NextToken != nil {
		t.Fatalf("all: %d events, token %v", len(all.Events), all.NextToken)
	}
	errs := filter(&logsapi.FilterLogEventsRequest{FilterPattern: shape.Ptr(`{ $.level = "ERROR" }`)})
	if len(errs.Events) != 2 {
		t.Fatalf("errors: %d", len(errs.Events))
	}
	// Paging two at a time yields every event once, in time order.
	var seen []string
	req := &logsapi.FilterLogEventsRequest{Limit: shape.Ptr(int32(2)), LogStreamNamePrefix: shape.Ptr("")}
	for range 10 {
		out := filter(req)
		for _, e := range out.Events {
			seen = append(seen, *e.EventId)
		}
		if out.NextToken == nil {
			break
		}
		req.NextToken = out.NextToken
	}
	if len(seen) != 6 {
		t.Fatalf("paged %d events", len(seen))
	}
	// A token is bound to its search.
	page := filter(&logsapi.FilterLogEventsRequest{Limit: shape.Ptr(int32(1))})
	_, err := f.svc.FilterLogEvents(f.ctx(), &logsapi.FilterLogEventsRequest{LogGroupName: shape.Ptr("g"), NextToken: page.NextToken, FilterPattern: shape.Ptr("ERROR")})
	wantErr[*logsapi.InvalidParameterException](t, err, "nextToken")
	// An invalid pattern is an error, never match-everything.
	_, err = f.svc.FilterLogEvents(f.ctx(), &logsapi.FilterLogEventsRequest{LogGroupName: shape.Ptr("g"), FilterPattern: shape.Ptr(`{ $.level = `)})
	wantErr[*logsapi.InvalidParameterException](t, err, "")
	// endTime is inclusive; streams by name.
	few := filter(&logsapi.FilterLogEventsRequest{LogStreamNames: []string{"b"}, EndTime: shape.Ptr(now + 2)})
	if len(few.Events) != 2 || *few.Events[0].LogStreamName != "b" {
		t.Fatalf("b until now+2: %d", len(few.Events))
	}
}

func TestMetricFiltersPublish(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	put := func(name, pattern, value string, dims map[string]string, def *float64) error {
		return f.svc.PutMetricFilter(f.ctx(), &logsapi.PutMetricFilterRequest{LogGroupName: shape.Ptr("g"), FilterName: &name, FilterPattern: &pattern,
			MetricTransformations: []logsapi.MetricTransformation{{MetricName: shape.Ptr(name), MetricNamespace: shape.Ptr("App"), MetricValue: &value, Dimensions: dims, DefaultValue: def}}})
	}
	if err := put("latency", `{ $.latency > 0 }`, "$.latency", map[string]string{"Service": "$.service"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := put("errors", `ERROR`, "1", nil, shape.Ptr(0.0)); err != nil {
		t.Fatal(err)
	}
	wantErr[*logsapi.InvalidParameterException](t, put("bad", `ERROR`, "$.x", nil, nil), "metric value")
	wantErr[*logsapi.InvalidParameterException](t, put("bad", `ERROR`, "1", map[string]string{"a": "$.a"}, nil), "does not support dimensions")
	wantErr[*logsapi.InvalidParameterException](t, put("bad", `{ $.a = 1 }`, "1", map[string]string{"a": "$.a"}, shape.Ptr(1.0)), "default value")

	now := f.now.UnixMilli()
	lines := []string{`{"service":"api","latency":10}`, `{"service":"api","latency":10}`, `{"service":"web","latency":5.5}`, `{"service":"web"}`}
	if _, err := f.put("g", "s", events([]int64{now, now, now, now}, func(i int) string { return lines[i] })); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, d := range f.metrics.ds {
		key := d.Key.MetricName
		for _, dim := range d.Key.Dims {
			key += "," + dim.Name + "=" + dim.Value
		}
		got[fmt.Sprintf("%s v=%g", key, d.Value)] += d.Count
	}
	want := map[string]float64{"latency,Service=api v=10": 2, "latency,Service=web v=5.5": 1, "errors v=0": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("datums %v, want %v", got, want)
	}

	tm, err := f.svc.TestMetricFilter(f.ctx(), &logsapi.TestMetricFilterRequest{FilterPattern: shape.Ptr(`[ip, user, ..., status=4*, bytes]`),
		LogEventMessages: []string{"1.2.3.4 bob GET / 404 100", "x y 200 1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tm.Matches) != 1 || *tm.Matches[0].EventNumber != 1 || tm.Matches[0].ExtractedValues["$status"] != "404" {
		t.Fatalf("test metric filter: %+v", tm.Matches)
	}
}

// The catalog survives a restart: groups, streams and filters come back
// from SQLite.
// durableFixture is a fixture on a real database and log store; reopen
// replaces f.svc by a service opened anew on them (a restart).
func durableFixture(t *testing.T) (f *fixture, reopen func()) {
	t.Helper()
	db, err := storage.OpenSQL(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := logstore.Open(t.TempDir(), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f = &fixture{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), metrics: &fakeMetrics{}}
	reopen = func() {
		t.Helper()
		svc, err := New(context.Background(), Options{DB: db, Events: st, Metrics: f.metrics})
		if err != nil {
			t.Fatal(err)
		}
		f.svc = svc
	}
	reopen()
	return f, reopen
}

func TestCatalogReload(t *testing.T) {
	f, reopen := durableFixture(t)
	f.mustCreate(t, "g", "s1", "s2")
	if err := f.svc.PutMetricFilter(f.ctx(), &logsapi.PutMetricFilterRequest{LogGroupName: shape.Ptr("g"), FilterName: shape.Ptr("f"), FilterPattern: shape.Ptr("ERROR"),
		MetricTransformations: []logsapi.MetricTransformation{{MetricName: shape.Ptr("m"), MetricNamespace: shape.Ptr("n"), MetricValue: shape.Ptr("1")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.put("g", "s1", events([]int64{f.now.UnixMilli()}, func(int) string { return "x" })); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PutQueryDefinition(f.ctx(), &logsapi.PutQueryDefinitionRequest{Name: shape.Ptr("q"), QueryString: shape.Ptr("fields @message")}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.FlushStats(f.ctx()); err != nil {
		t.Fatal(err)
	}
	reopen()
	ls, err := f.svc.DescribeLogStreams(f.ctx(), &logsapi.DescribeLogStreamsRequest{LogGroupName: shape.Ptr("g"), OrderBy: shape.Ptr("LastEventTime"), Descending: shape.Ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.LogStreams) != 2 || *ls.LogStreams[0].LogStreamName != "s1" || shape.Value(ls.LogStreams[0].LastEventTimestamp) != f.now.UnixMilli() {
		t.Fatalf("streams after reload: %+v", ls.LogStreams)
	}
	mf, err := f.svc.DescribeMetricFilters(f.ctx(), &logsapi.DescribeMetricFiltersRequest{})
	if err != nil || len(mf.MetricFilters) != 1 {
		t.Fatalf("metric filters after reload: %v %v", mf, err)
	}
	qd, err := f.svc.DescribeQueryDefinitions(f.ctx(), &logsapi.DescribeQueryDefinitionsRequest{})
	if err != nil || len(qd.QueryDefinitions) != 1 || *qd.QueryDefinitions[0].QueryString != "fields @message" {
		t.Fatalf("query definitions after reload: %v %v", qd, err)
	}
}

// Events in the embedded metric format publish their metrics; a document
// whose own timestamp PutMetricData would refuse publishes nothing, and
// every event is stored either way.
func TestEmbeddedMetricFormat(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	now := f.now.UnixMilli()
	doc := func(ts int64) string {
		return fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"App","Dimensions":[["Service"]],"Metrics":[{"Name":"Latency","Unit":"Milliseconds"}]}]},"Service":"api","Latency":42}`, ts)
	}
	msgs := []string{doc(now), doc(now - 15*24*3600_000), `{"_aws":{"Timestamp":"bad"}}`}
	if _, err := f.put("g", "s", events([]int64{now, now, now}, func(i int) string { return msgs[i] })); err != nil {
		t.Fatal(err)
	}
	if len(f.metrics.ds) != 1 || f.metrics.ds[0].Key.MetricName != "Latency" || f.metrics.ds[0].Value != 42 || f.metrics.ds[0].T != now {
		t.Fatalf("datums %+v", f.metrics.ds)
	}
	if got := f.getAll(t, "g", "s"); len(got) != 3 {
		t.Fatalf("stored %d events, want 3", len(got))
	}
}

// The retention sweep deletes what is older than the group's retention and
// leaves groups without old events alone.
func TestRetentionSweep(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	now := f.now.UnixMilli()
	day := int64(24 * 3600_000)
	for i, ts := range []int64{now - 5*day, now - 2*day, now} {
		if _, err := f.put("g", "s", events([]int64{ts}, func(int) string { return fmt.Sprint(i) })); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.PutRetentionPolicy(f.ctx(), &logsapi.PutRetentionPolicyRequest{LogGroupName: shape.Ptr("g"), RetentionInDays: shape.Ptr(int32(3))}); err != nil {
		t.Fatal(err)
	}
	f.svc.clock = fixedClock{f.now}
	if err := f.svc.SweepRetention(f.ctx()); err != nil {
		t.Fatal(err)
	}
	if got := f.getAll(t, "g", "s"); fmt.Sprint(got) != "[1 2]" {
		t.Fatalf("after the sweep: %q", got)
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestQueryDefinitions(t *testing.T) {
	f := newFixture(t)
	put := func(in *logsapi.PutQueryDefinitionRequest) string {
		t.Helper()
		out, err := f.svc.PutQueryDefinition(f.ctx(), in)
		if err != nil {
			t.Fatal(err)
		}
		return *out.QueryDefinitionId
	}
	a := put(&logsapi.PutQueryDefinitionRequest{Name: shape.Ptr("errors/by-service"), QueryString: shape.Ptr("filter level = 'ERROR'"), LogGroupNames: []string{"g"}})
	b := put(&logsapi.PutQueryDefinitionRequest{Name: shape.Ptr("latency"), QueryString: shape.Ptr("stats avg(latency)"), ClientToken: shape.Ptr(strings.Repeat("t", 36))})
	if again := put(&logsapi.PutQueryDefinitionRequest{Name: shape.Ptr("other"), QueryString: shape.Ptr("x"), ClientToken: shape.Ptr(strings.Repeat("t", 36))}); again != b {
		t.Fatalf("a repeated client token made %s, want %s", again, b)
	}
	// An update replaces every field: the log groups go.
	if put(&logsapi.PutQueryDefinitionRequest{QueryDefinitionId: &a, Name: shape.Ptr("errors"), QueryString: shape.Ptr("filter level = 'ERROR'")}) != a {
		t.Fatal("update changed the id")
	}
	list, err := f.svc.DescribeQueryDefinitions(f.ctx(), &logsapi.DescribeQueryDefinitionsRequest{MaxResults: shape.Ptr(int32(1))})
	if err != nil || len(list.QueryDefinitions) != 1 || *list.QueryDefinitions[0].Name != "errors" || list.QueryDefinitions[0].LogGroupNames != nil || list.NextToken == nil {
		t.Fatalf("first page: %+v %v", list, err)
	}
	next, err := f.svc.DescribeQueryDefinitions(f.ctx(), &logsapi.DescribeQueryDefinitionsRequest{MaxResults: shape.Ptr(int32(1)), NextToken: list.NextToken})
	if err != nil || len(next.QueryDefinitions) != 1 || *next.QueryDefinitions[0].QueryDefinitionId != b || next.NextToken != nil {
		t.Fatalf("second page: %+v %v", next, err)
	}
	_, err = f.svc.PutQueryDefinition(f.ctx(), &logsapi.PutQueryDefinitionRequest{QueryDefinitionId: shape.Ptr("nope"), Name: shape.Ptr("n"), QueryString: shape.Ptr("q")})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "query definition")
	if out, err := f.svc.DeleteQueryDefinition(f.ctx(), &logsapi.DeleteQueryDefinitionRequest{QueryDefinitionId: &a}); err != nil || !*out.Success {
		t.Fatalf("delete: %v %v", out, err)
	}
	_, err = f.svc.DeleteQueryDefinition(f.ctx(), &logsapi.DeleteQueryDefinitionRequest{QueryDefinitionId: &a})
	wantErr[*logsapi.ResourceNotFoundException](t, err, "query definition")
}

// Statistics a failed flush could not write stay pending for the next one.
func TestFlushStatsKeepsWhatFailed(t *testing.T) {
	f := newFixture(t)
	f.mustCreate(t, "g", "s")
	if _, err := f.put("g", "s", events([]int64{f.now.UnixMilli()}, func(int) string { return "x" })); err != nil {
		t.Fatal(err)
	}
	f.svc.cat.db.Close()
	if err := f.svc.FlushStats(f.ctx()); err == nil {
		t.Fatal("flush to a closed database succeeded")
	}
	_, st := f.svc.cat.groupStream(partitionOf(f.ctx()), "g", "s")
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.dirty {
		t.Fatal("the stream's statistics were dropped by the failed flush")
	}
}
