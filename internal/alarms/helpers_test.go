package alarms

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	cwapi "github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/cloudwatch"
	"github.com/vigilhq/vigil/internal/metricstore"
	"github.com/vigilhq/vigil/internal/reqctx"
	"github.com/vigilhq/vigil/internal/storage"
)

// t0 is the start of every test's timeline, on a minute boundary.
var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// sent is one notification the fake notifier received.
type sent struct{ account, region, topic, subject, message string }

type fakeNotifier struct {
	mu   sync.Mutex
	sent []sent
	fail error
}

func (f *fakeNotifier) NotifyTopic(_ context.Context, account, region, topic, subject, message string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.sent = append(f.sent, sent{account, region, topic, subject, message})
	return nil
}

func (f *fakeNotifier) all() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sent...)
}

type putEvent struct {
	account, region, source, detailType string
	resources                           []string
	detail                              string
}

type fakeEvents struct {
	mu   sync.Mutex
	sent []putEvent
}

func (f *fakeEvents) PutServiceEvent(_ context.Context, account, region, source, detailType string, resources []string, detail []byte, _ time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, putEvent{account, region, source, detailType, resources, string(detail)})
	return nil
}

func (f *fakeEvents) all() []putEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]putEvent(nil), f.sent...)
}

// env is an alarm service over a real metrics engine and CloudWatch
// handler on a fake clock, with a fake SNS.
type env struct {
	t      testing.TB
	dir    string
	clk    *clock.Fake
	cw     *cloudwatch.Service
	s      *Service
	notify *fakeNotifier
	events *fakeEvents
	closed func()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clk: clock.NewFake(t0), notify: &fakeNotifier{}, events: &fakeEvents{}}
	e.open()
	t.Cleanup(func() { e.closed() })
	return e
}

// newEnvB is newEnv for a benchmark.
func newEnvB(b *testing.B) *env {
	e := &env{t: b, dir: b.TempDir(), clk: clock.NewFake(t0), notify: &fakeNotifier{}, events: &fakeEvents{}}
	e.open()
	b.Cleanup(func() { e.closed() })
	return e
}

// open (re)opens the stores and the service on e.dir, as a restart does.
func (e *env) open() {
	t := e.t
	t.Helper()
	db, err := pebble.Open(filepath.Join(e.dir, "pebble"), &pebble.Options{Cache: pebble.NewCache(256 << 20)})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := metricstore.Open(db, filepath.Join(e.dir, "metrics"), metricstore.Options{Clock: e.clk, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := storage.OpenSQL(filepath.Join(e.dir, "sql"))
	if err != nil {
		t.Fatal(err)
	}
	e.cw = cloudwatch.New(st, e.clk)
	e.s, err = New(context.Background(), Options{DB: sqlDB, Clock: e.clk, Logger: log, Data: e.cw, Notifier: e.notify, Events: e.events})
	if err != nil {
		t.Fatal(err)
	}
	e.cw.WithAlarms(e.s)
	e.closed = func() { e.s.Close(); sqlDB.Close(); st.Close(); db.Close() }
}

func (e *env) restart() {
	e.closed()
	e.open()
}

func (e *env) ctx() context.Context {
	return e.ctxIn("123456789012", "us-east-1")
}

func (e *env) ctxIn(account, region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Request{
		Caller: reqctx.Caller{AccountID: account}, Region: region, Time: e.clk.Now(),
	})
}

// put stores values of App/name{Host=a} at t.
func (e *env) put(name string, t time.Time, vs ...float64) {
	e.t.Helper()
	var data []cwapi.MetricDatum
	for _, v := range vs {
		data = append(data, cwapi.MetricDatum{MetricName: shape.Ptr(name), Value: shape.Ptr(v), Timestamp: shape.Ptr(t),
			Dimensions: []cwapi.Dimension{{Name: shape.Ptr("Host"), Value: shape.Ptr("a")}}})
	}
	if err := e.cw.PutMetricData(e.ctx(), &cwapi.PutMetricDataInput{Namespace: shape.Ptr("App"), MetricData: data}); err != nil {
		e.t.Fatal(err)
	}
}

// evaluate runs one evaluation pass and the actions it queued.
func (e *env) evaluate() {
	e.t.Helper()
	if err := e.s.EvaluateDue(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	if err := e.s.DispatchActions(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) alarm(name string) cwapi.MetricAlarm {
	e.t.Helper()
	out, err := e.s.DescribeAlarms(e.ctx(), &cwapi.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 {
		e.t.Fatalf("alarm %s: %d found", name, len(out.MetricAlarms))
	}
	return out.MetricAlarms[0]
}
