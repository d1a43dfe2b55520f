package events

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// MetricsSink receives AWS/Events datapoints; *metricstore.Store
// implements it.
type MetricsSink interface {
	Append(ctx context.Context, p metricstore.Partition, ds []metricstore.Datum) error
}

// metricsNamespace is EventBridge's CloudWatch namespace. PutMetricData
// refuses AWS/ namespaces to users; Vigil's own services write them
// through the metrics store directly.
const metricsNamespace = "AWS/Events"

// Metrics aggregates EventBridge's AWS/Events metrics in memory, one
// statistic set per series and second, and writes them to the sink in one
// Append per account and region every flush interval. Recording never
// blocks nor fails a delivery: it only adds to a map; a failed write is
// logged and its datapoints dropped (AWS: "CloudWatch metrics are
// delivered on a best-effort basis").
//
// A nil *Metrics records nothing. Its methods are safe for concurrent use.
// NewMetrics starts the flushing goroutine; Close stops it after a last
// flush.
type Metrics struct {
	sink  MetricsSink
	clock clock.Clock
	log   *slog.Logger

	mu  sync.Mutex
	agg map[aggKey]*aggVal

	stop    chan struct{}
	stopped chan struct{}
}

// MetricsOptions configure Metrics. Every is the flush interval in real
// time (default 5 s); a negative Every starts no goroutine, and the owner
// calls Flush (tests).
type MetricsOptions struct {
	Clock  clock.Clock
	Logger *slog.Logger
	Every  time.Duration
}

type aggKey struct {
	p      partition
	metric string
	dims   string // "Name=Value" joined by "\x00", sorted
	unit   string
	sec    int64
}

type aggVal struct{ n, sum, min, max float64 }

// NewMetrics returns a recorder writing to sink.
func NewMetrics(sink MetricsSink, o MetricsOptions) *Metrics {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Every == 0 {
		o.Every = 5 * time.Second
	}
	m := &Metrics{sink: sink, clock: o.Clock, log: o.Logger, agg: map[aggKey]*aggVal{}}
	if o.Every > 0 {
		m.stop, m.stopped = make(chan struct{}), make(chan struct{})
		go m.loop(o.Every)
	}
	return m
}

func (m *Metrics) loop(every time.Duration) {
	defer close(m.stopped)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-tick.C:
			m.Flush(context.Background())
		}
	}
}

// Close stops the flushing goroutine and writes what is left.
func (m *Metrics) Close() {
	if m == nil {
		return
	}
	if m.stop != nil {
		close(m.stop)
		<-m.stopped
		m.stop = nil
	}
	m.Flush(context.Background())
}

// SetMetrics connects the AWS/Events recorder; nil records nothing. It
// must be called before the service serves requests.
func (s *Service) SetMetrics(m *Metrics) { s.met = m }

// Flush writes every aggregated datapoint, one Append per partition.
func (m *Metrics) Flush(ctx context.Context) {
	if m == nil {
		return
	}
	m.mu.Lock()
	agg := m.agg
	m.agg = map[aggKey]*aggVal{}
	m.mu.Unlock()
	if len(agg) == 0 {
		return
	}
	byP := map[partition][]metricstore.Datum{}
	for k, v := range agg {
		byP[k.p] = append(byP[k.p], metricstore.Datum{
			Key:   metricstore.SeriesKey{Namespace: metricsNamespace, MetricName: k.metric, Dims: splitDims(k.dims)},
			T:     k.sec * 1000,
			Unit:  k.unit,
			IsSet: true, SetCount: v.n, Sum: v.sum, Min: v.min, Max: v.max,
		})
	}
	for p, ds := range byP {
		sort.Slice(ds, func(i, j int) bool { return ds[i].T < ds[j].T })
		if err := m.sink.Append(ctx, metricstore.Partition{Account: p.account, Region: p.region}, ds); err != nil {
			m.log.Warn("events: AWS/Events metrics dropped", "account", p.account, "region", p.region, "datapoints", len(ds), "err", err)
		}
	}
}

func splitDims(s string) []metricstore.Dim {
	if s == "" {
		return nil
	}
	var out []metricstore.Dim
	for _, kv := range strings.Split(s, "\x00") {
		n, v, _ := strings.Cut(kv, "=")
		out = append(out, metricstore.Dim{Name: n, Value: v})
	}
	return out
}

// add records value once in each of the dimension sets given (each a
// sorted "Name=Value\x00..." string; "" is the metric without dimensions).
func (m *Metrics) add(p partition, metric, unit string, value float64, at time.Time, dimSets ...string) {
	if m == nil {
		return
	}
	sec := at.Unix()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range dimSets {
		k := aggKey{p: p, metric: metric, dims: d, unit: unit, sec: sec}
		v := m.agg[k]
		if v == nil {
			m.agg[k] = &aggVal{n: 1, sum: value, min: value, max: value}
			continue
		}
		v.n++
		v.sum += value
		v.min, v.max = min(v.min, value), max(v.max, value)
	}
}

func busDims(bus string) string { return "EventBusName=" + bus }

// ruleDims: "Metrics that specify only the RuleName dimension refer to the
// default event bus. Metrics that specify both the EventBusName and
// RuleName dimensions refer to a custom event bus" (user guide,
// Monitoring).
func ruleDims(bus, rule string) string {
	if bus == defaultBus {
		return "RuleName=" + rule
	}
	return "EventBusName=" + bus + "\x00RuleName=" + rule
}

// The recording points, named after what happened. Units and dimensions
// follow the user guide's metrics table; Count metrics record 1 per
// occurrence, so Sum and SampleCount are the counts.

// putEvents records one PutEvents call.
func (m *Metrics) putEvents(p partition, size, entries, failed int, at time.Time) {
	m.add(p, "PutEventsRequestSize", "Bytes", float64(size), at, "")
	m.add(p, "PutEventsApproximateCallCount", "Count", 1, at, "")
	m.add(p, "PutEventsEntriesCount", "Count", float64(entries), at, "")
	if failed > 0 {
		m.add(p, "PutEventsFailedEntriesCount", "Count", float64(failed), at, "")
	}
}

// matched records an event that matched rules on bus (TriggeredRules once
// per rule, MatchedEvents once per event).
func (m *Metrics) matched(p partition, bus string, rules []string, at time.Time) {
	if m == nil || len(rules) == 0 {
		return
	}
	m.add(p, "MatchedEvents", "Count", 1, at, "", busDims(bus))
	for _, r := range rules {
		m.add(p, "TriggeredRules", "Count", 1, at, ruleDims(bus, r))
	}
}

// throttled records an invocation deferred by its destination's rate limit.
func (m *Metrics) throttled(p partition, bus, rule string, at time.Time) {
	m.add(p, "ThrottledRules", "Count", 1, at, ruleDims(bus, rule))
}

// attempted records one attempt at invoking a target; retries is the
// number of attempts made before it. A success ends the invocation.
func (m *Metrics) attempted(p partition, j *job, rule string, retries int, at time.Time, ok bool) {
	if m == nil {
		return
	}
	rd := ruleDims(j.Bus, rule)
	m.add(p, "InvocationAttempts", "Count", 1, at, "", busDims(j.Bus), rd)
	if retries > 0 {
		m.add(p, "RetryInvocationAttempts", "Count", 1, at, "", busDims(j.Bus), rd)
	} else {
		lat := float64(at.Sub(time.UnixMilli(j.Ingest)).Milliseconds())
		m.add(p, "IngestionToInvocationStartLatency", "Milliseconds", max(lat, 0), at, "", busDims(j.Bus), rd)
	}
	if ok {
		m.add(p, "SuccessfulInvocationAttempts", "Count", 1, at, "", busDims(j.Bus), rd)
		m.add(p, "Invocations", "Count", 1, at, "", rd)
		lat := float64(at.Sub(time.UnixMilli(j.Ingest)).Milliseconds())
		m.add(p, "IngestionToInvocationSuccessLatency", "Milliseconds", max(lat, 0), at, "", busDims(j.Bus), rd)
	}
}

// failed records an invocation that failed for good (not retried, or its
// retry policy exhausted): it counts as an invocation and a failed one.
func (m *Metrics) failed(p partition, bus, rule string, at time.Time) {
	rd := ruleDims(bus, rule)
	m.add(p, "Invocations", "Count", 1, at, "", rd)
	m.add(p, "FailedInvocations", "Count", 1, at, rd)
}

// deadLettered records the DLQ's answer for a failed invocation.
func (m *Metrics) deadLettered(p partition, bus, rule string, at time.Time, sent bool) {
	name := "InvocationsSentToDlq"
	if !sent {
		name = "InvocationsFailedToBeSentToDlq"
	}
	m.add(p, name, "Count", 1, at, ruleDims(bus, rule))
}

// String is for tests: the pending aggregate, one line per series and
// second, sorted.
func (m *Metrics) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var lines []string
	for k, v := range m.agg {
		lines = append(lines, k.metric+"{"+strings.ReplaceAll(k.dims, "\x00", ",")+"} "+strconv.FormatFloat(v.sum, 'f', -1, 64)+" "+k.unit)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
