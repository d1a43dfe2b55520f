package sqs

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/awsmetrics"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// AWS/SQS metrics, as the developer guide's "Available CloudWatch metrics
// for Amazon SQS" defines them, with the only dimension SQS sends:
// QueueName. Every queue counts what happens to it in queueMetrics (an
// atomic add, or a plain add under the queue's lock the operation already
// holds); once a minute Metrics samples each queue: the gauges from its
// index, the counters read and reset, one datapoint per metric and queue.
//
// "All metrics emit non-negative values only when the queue is active", and
// "CloudWatch considers a queue to be active for up to six hours if it
// contains any messages or if any API action accesses it": an active queue
// reports every metric each minute, zeros included (so an alarm on a
// drained queue sees 0, not missing data); an inactive one reports nothing.
// Our decision where the guide's newer table says some gauges are
// "reported if" such messages exist: we follow its general rule above, as
// its older per-metric criteria did ("a non-negative value is reported if
// the queue is active"). SentMessageSize is the exception the guide names:
// it is written only for minutes in which messages were sent.
//
// What counts: NumberOfMessagesSent counts messages added by SendMessage(Batch)
// and by SNS and EventBridge deliveries (they are sends), not a FIFO
// duplicate (NumberOfDeduplicatedSentMessages) nor a message moved by a
// redrive ("if a message is sent to a dead-letter queue as a result of a
// failed processing attempt, it isn't captured") or, our decision, by a
// message move task. NumberOfMessagesDeleted counts every deletion with a
// valid receipt handle, duplicates included; our decision: PurgeQueue and
// retention are not deletions. A deleted queue's last partial interval is
// not reported.

// metricsNamespace is SQS's CloudWatch namespace. PutMetricData refuses
// AWS/ namespaces to users; Vigil writes them through the metrics store.
const metricsNamespace = "AWS/SQS"

// activeFor is how long after its last use an empty queue still reports.
const activeFor = 6 * time.Hour

// poisonReceives: "after a message is received three times (or more) and
// not processed, the message is moved to the back of the queue and the
// ApproximateAgeOfOldestMessage metric points to the second-oldest
// message"; FIFO queues do not reorder, so theirs counts.
const poisonReceives = 3

// queueMetrics are one queue's counters since the last sample.
type queueMetrics struct {
	// used: an API action or a delivery named the queue (queueByName).
	// Checked before it is set, so that busy queues do not write it.
	used            atomic.Bool
	received, empty atomic.Int64 // ReceiveMessage answers are counted outside the lock

	// Guarded by the queue's mu (the operations counting them hold it).
	sent, deduplicated, deleted int64
	sizeSum, sizeMin, sizeMax   int64 // of the sent messages
	lastUse                     int64 // unix ms of the sample that last saw used
}

func (qm *queueMetrics) use() {
	if !qm.used.Load() {
		qm.used.Store(true)
	}
}

// sentOne counts a message added to the queue. Callers hold the queue's mu.
func (qm *queueMetrics) sentOne(size int) {
	n := int64(size)
	if qm.sent == 0 || n < qm.sizeMin {
		qm.sizeMin = n
	}
	qm.sizeMax = max(qm.sizeMax, n)
	qm.sent++
	qm.sizeSum += n
}

// received counts a ReceiveMessage answer and returns it: with no message
// it is an empty receive (NumberOfEmptyReceives: "ReceiveMessage API calls
// that did not return a message"; our decision: also a long poll cut short
// by the client leaving or the server stopping). A failed call counts
// nothing.
func (q *queue) received(msgs []sqsapi.Message, err error) (*sqsapi.ReceiveMessageResult, error) {
	switch {
	case err != nil:
	case len(msgs) == 0:
		q.met.empty.Add(1)
	default:
		q.met.received.Add(int64(len(msgs)))
	}
	return &sqsapi.ReceiveMessageResult{Messages: msgs}, err
}

// gauges are a queue's sampled values.
type gauges struct {
	visible, inflight, delayed int
	groups                     int   // FIFO: message groups with a message in flight
	oldest                     int64 // unix ms the oldest counted message arrived; 0: none
}

// gauges counts the live messages as GetQueueAttributes does (index.counts)
// and finds the oldest for ApproximateAgeOfOldestMessage, in the same
// pass. Callers hold the queue's mu.
func (x *index) gauges(now, expiry int64) gauges {
	var g gauges
	fifo := x.groups != nil
	for _, m := range x.bySeq {
		switch {
		case m.sent <= expiry:
			continue
		case m.Visible <= now:
			g.visible++
		case m.Count > 0:
			g.inflight++
		default:
			g.delayed++
		}
		if !fifo && m.Count >= poisonReceives {
			continue
		}
		at := m.sent
		if m.arrived != 0 {
			at = m.arrived
		}
		if g.oldest == 0 || at < g.oldest {
			g.oldest = at
		}
	}
	for _, ms := range x.groups {
		for _, m := range ms {
			if m.sent > expiry && m.Count > 0 && m.Visible > now {
				g.groups++
				break
			}
		}
	}
	return g
}

// MetricsOptions configure Metrics.
type MetricsOptions struct {
	Clock  clock.Clock // default: the service's
	Logger *slog.Logger
	// Every is how often queues are sampled: one minute when zero, AWS's
	// period. Shorter (tests) writes 1-second datapoints; a negative Every
	// starts no goroutine, and the owner calls Flush.
	Every time.Duration
}

// Metrics publishes the AWS/SQS metrics of every queue of a Service into
// a sink. Sampling takes each queue's lock once per interval, for one pass
// over its index; a failed write is logged and dropped, never felt by SQS
// callers. NewMetrics starts the sampling goroutine; Close stops it after a
// last sample. A nil *Metrics does nothing.
type Metrics struct {
	s   *Service
	agg *awsmetrics.Aggregator
}

// NewMetrics samples s's queues into sink.
func NewMetrics(s *Service, sink awsmetrics.Sink, o MetricsOptions) *Metrics {
	if o.Clock == nil {
		o.Clock = s.clock
	}
	if o.Every == 0 {
		o.Every = time.Minute
	}
	m := &Metrics{s: s}
	m.agg = awsmetrics.New(sink, awsmetrics.Options{Namespace: metricsNamespace, Clock: o.Clock, Logger: o.Logger,
		Every: o.Every, HighRes: o.Every > 0 && o.Every < time.Minute, Collect: m.collect})
	return m
}

// Flush samples every queue and writes the datapoints.
func (m *Metrics) Flush(ctx context.Context) {
	if m != nil {
		m.agg.Flush(ctx)
	}
}

// Close stops sampling after a last sample.
func (m *Metrics) Close() {
	if m != nil {
		m.agg.Close()
	}
}

func (m *Metrics) collect(at time.Time) {
	m.s.mu.RLock()
	qs := make([]*queue, 0, len(m.s.queues))
	for _, q := range m.s.queues {
		qs = append(qs, q)
	}
	m.s.mu.RUnlock()
	for _, q := range qs {
		m.sample(q, at)
	}
}

// sample adds one queue's datapoints at at, if it is active, and resets
// its counters either way.
func (m *Metrics) sample(q *queue, at time.Time) {
	now := at.UnixMilli()
	st := q.settings.Load()
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		return
	}
	g := q.idx.gauges(now, now-int64(st.MessageRetentionPeriod)*1000)
	qm := &q.met
	sent, dedup, deleted, sizeSum, sizeMin, sizeMax := qm.sent, qm.deduplicated, qm.deleted, qm.sizeSum, qm.sizeMin, qm.sizeMax
	qm.sent, qm.deduplicated, qm.deleted, qm.sizeSum, qm.sizeMin, qm.sizeMax = 0, 0, 0, 0, 0, 0
	if qm.used.Swap(false) {
		qm.lastUse = now
	}
	active := q.idx.len() > 0 || qm.lastUse != 0 && now-qm.lastUse < activeFor.Milliseconds()
	q.mu.Unlock()
	received, empty := qm.received.Swap(0), qm.empty.Swap(0)
	if !active {
		return
	}
	p := metricstore.Partition{Account: q.key.account, Region: q.key.region}
	dims := awsmetrics.Dim("QueueName", q.key.name)
	add := func(metric, unit string, v int64) { m.agg.Add(p, metric, unit, float64(v), at, dims) }
	add("ApproximateNumberOfMessagesVisible", "Count", int64(g.visible))
	add("ApproximateNumberOfMessagesNotVisible", "Count", int64(g.inflight))
	add("ApproximateNumberOfMessagesDelayed", "Count", int64(g.delayed))
	var age int64
	if g.oldest != 0 {
		age = max(now-g.oldest, 0) / 1000
	}
	add("ApproximateAgeOfOldestMessage", "Seconds", age)
	add("NumberOfMessagesSent", "Count", sent)
	add("NumberOfMessagesReceived", "Count", received)
	add("NumberOfEmptyReceives", "Count", empty)
	add("NumberOfMessagesDeleted", "Count", deleted)
	if sent > 0 {
		m.agg.AddSet(p, "SentMessageSize", "Bytes", float64(sent), float64(sizeSum), float64(sizeMin), float64(sizeMax), at, dims)
	}
	if st.Fifo {
		add("ApproximateNumberOfGroupsWithInflightMessages", "Count", int64(g.groups))
		add("NumberOfDeduplicatedSentMessages", "Count", dedup)
	}
}
