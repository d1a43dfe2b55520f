package events

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/awsmetrics"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// MetricsSink receives AWS/Events datapoints; *metricstore.Store
// implements it.
type MetricsSink = awsmetrics.Sink

// metricsNamespace is EventBridge's CloudWatch namespace. PutMetricData
// refuses AWS/ namespaces to users; Vigil's own services write them
// through the metrics store directly.
const metricsNamespace = "AWS/Events"

// Metrics records EventBridge's AWS/Events metrics into an
// awsmetrics.Aggregator: one statistic set per series and second, written
// to the sink in one Append per account and region every flush interval.
// Recording never blocks nor fails a delivery.
//
// A nil *Metrics records nothing. Its methods are safe for concurrent use.
// NewMetrics starts the flushing goroutine; Close stops it after a last
// flush.
type Metrics struct {
	agg *awsmetrics.Aggregator
	b   *awsmetrics.Batch // a call's batch of agg (batch), or nil: straight to agg

	batches sync.Pool // of the call batches of this root (batch, commit)
	root    *Metrics  // a batch's root
	hits    hits      // a batch's matches, counted until commit (metrics_hits.go)
}

// MetricsOptions configure Metrics. Every is the flush interval in real
// time (default 5 s); a negative Every starts no goroutine, and the owner
// calls Flush (tests).
type MetricsOptions struct {
	Clock  clock.Clock
	Logger *slog.Logger
	Every  time.Duration
}

// NewMetrics returns a recorder writing to sink.
func NewMetrics(sink MetricsSink, o MetricsOptions) *Metrics {
	agg := awsmetrics.New(sink, awsmetrics.Options{Namespace: metricsNamespace, Clock: o.Clock, Logger: o.Logger, Every: o.Every})
	return &Metrics{agg: agg}
}

// batch returns a recorder for one call, whose datapoints reach the
// aggregator at commit, under one lock; it is for the calling goroutine
// only, and must not be used after commit. Batches are reused: a
// PutEvents call would otherwise allocate one and grow its series.
func (m *Metrics) batch() *Metrics {
	if m == nil {
		return nil
	}
	if b, ok := m.batches.Get().(*Metrics); ok {
		return b
	}
	return &Metrics{agg: m.agg, b: m.agg.NewBatch(), root: m}
}

// commit hands a batch's datapoints to the aggregator and recycles it.
func (m *Metrics) commit() {
	if m == nil || m.b == nil {
		return
	}
	m.hits.record(m.b)
	m.b.Commit()
	m.root.batches.Put(m)
}

// Close stops the flushing goroutine and writes what is left.
func (m *Metrics) Close() {
	if m != nil {
		m.agg.Close()
	}
}

// SetMetrics connects the AWS/Events recorder; nil records nothing. It
// must be called before the service serves requests.
func (s *Service) SetMetrics(m *Metrics) { s.met = m }

// Flush writes every aggregated datapoint, one Append per partition.
func (m *Metrics) Flush(ctx context.Context) {
	if m != nil {
		m.agg.Flush(ctx)
	}
}

// add records value once in each of the dimension sets given (each a
// sorted "Name=Value\x00..." string; "" is the metric without dimensions).
func (m *Metrics) add(p partition, metric, unit string, value float64, at time.Time, dimSets ...string) {
	if m == nil {
		return
	}
	// Concrete calls, not an interface's: dimSets then stays on the stack.
	pp := metricstore.Partition{Account: p.account, Region: p.region}
	if m.b != nil {
		m.b.Add(pp, metric, unit, value, at, dimSets...)
	} else {
		m.agg.Add(pp, metric, unit, value, at, dimSets...)
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
func (m *Metrics) matched(p partition, rules []*rule, at time.Time) {
	if m == nil || len(rules) == 0 {
		return
	}
	if m.b != nil {
		// A call's events match the same rules over and over: counted
		// by rule, recorded once each at commit.
		m.hits.add(m.b, p, rules, at)
		return
	}
	m.add(p, "MatchedEvents", "Count", 1, at, "", rules[0].busDims)
	for _, r := range rules {
		m.add(p, "TriggeredRules", "Count", 1, at, r.dims)
	}
}

// throttled records an invocation deferred by its destination's rate limit.
func (m *Metrics) throttled(p partition, bus, rule string, at time.Time) {
	m.add(p, "ThrottledRules", "Count", 1, at, ruleDims(bus, rule))
}

// attempted records one attempt at invoking a target; retries is the
// number of attempts made before it. A success ends the invocation.
func (m *Metrics) attempted(p partition, j *job, r *rule, retries int, at time.Time, ok bool) {
	lat := max(float64(at.Sub(time.UnixMilli(j.Ingest)).Milliseconds()), 0)
	m.attemptedSet(&attemptGroup{p: p, r: r, ok: ok, n: 1, sum: lat, min: lat, max: lat}, retries > 0, at)
}

// failed records an invocation that failed for good (not retried, or its
// retry policy exhausted): it counts as an invocation and a failed one.
func (m *Metrics) failed(p partition, bus, rule string, at time.Time) {
	rd := ruleDims(bus, rule)
	m.add(p, "Invocations", "Count", 1, at, "", rd)
	m.add(p, "FailedInvocations", "Count", 1, at, rd)
}

// notInvoked records an invocation that was not made: the event would
// have gone on to a third bus.
func (m *Metrics) notInvoked(p partition, bus, rule string, at time.Time) {
	m.add(p, "DeadLetterInvocations", "Count", 1, at, ruleDims(bus, rule))
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
func (m *Metrics) String() string { return m.agg.String() }
