package sns

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/awsmetrics"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// AWS/SNS metrics, as the developer guide's "Amazon SNS metrics" table
// defines them, with the TopicName dimension. Vigil has no SMS nor mobile
// push, so none of their metrics or dimensions. Each is recorded when what
// it counts happens, so a metric has datapoints only for the seconds in
// which it did: AWS's SNS does not report zeros either (a topic with no
// failures has no NumberOfNotificationsFailed data).
//
//   - NumberOfMessagesPublished and PublishSize (Bytes: the body and the
//     attributes' names, types and values, as the size limit counts them):
//     each message Publish or PublishBatch accepted. Our decision: a FIFO
//     topic's duplicate within the deduplication window is accepted, so it
//     counts, though nothing is delivered again.
//   - NumberOfNotificationsDelivered: each delivery an endpoint accepted (an
//     sqs queue's write, an http/https 2xx, the mail relay's acceptance).
//   - NumberOfNotificationsFailed: "for Amazon SQS, email ... the metric
//     increments by 1 when Amazon SNS stops attempting message deliveries.
//     For HTTP or HTTPS endpoints, the metric includes every failed delivery
//     attempt, including retries". A notification moved to the
//     subscription's dead-letter queue has failed too, and counts also in
//     NumberOfNotificationsRedrivenToDlq (or, refused there,
//     NumberOfNotificationsFailedToRedriveToDlq).
//   - NumberOfNotificationsFilteredOut: each subscription whose filter
//     policy rejected the message; -MessageAttributes and -MessageBody
//     split it by the policy's scope, and -NoMessageAttributes (an
//     attribute policy, a message without attributes) and
//     -InvalidMessageBody (a body policy, a body that is not a JSON object)
//     count the rejections for those reasons. -InvalidAttributes never
//     happens: Publish refuses invalid attributes.

// metricsNamespace is SNS's CloudWatch namespace. PutMetricData refuses
// AWS/ namespaces to users; Vigil writes them through the metrics store.
const metricsNamespace = "AWS/SNS"

// MetricsOptions configure Metrics. Every is the flush interval in real
// time (default 5 s); a negative Every starts no goroutine, and the owner
// calls Flush (tests).
type MetricsOptions struct {
	Clock  clock.Clock
	Logger *slog.Logger
	Every  time.Duration
}

// Metrics records AWS/SNS metrics into an awsmetrics.Aggregator: one
// statistic set per series and second, written in one Append per account
// and region every flush interval. Recording never blocks nor fails a
// publish or a delivery.
//
// A nil *Metrics records nothing. Its methods are safe for concurrent use.
// NewMetrics starts the flushing goroutine; Close stops it after a last
// flush.
type Metrics struct{ agg *awsmetrics.Aggregator }

// NewMetrics returns a recorder writing to sink.
func NewMetrics(sink awsmetrics.Sink, o MetricsOptions) *Metrics {
	return &Metrics{agg: awsmetrics.New(sink, awsmetrics.Options{Namespace: metricsNamespace, Clock: o.Clock, Logger: o.Logger, Every: o.Every})}
}

// SetMetrics connects the AWS/SNS recorder; nil records nothing. It must
// be called before the service serves requests.
func (s *Service) SetMetrics(m *Metrics) { s.met = m }

// Flush writes every aggregated datapoint.
func (m *Metrics) Flush(ctx context.Context) {
	if m != nil {
		m.agg.Flush(ctx)
	}
}

// Close stops the flushing goroutine and writes what is left.
func (m *Metrics) Close() {
	if m != nil {
		m.agg.Close()
	}
}

// add counts one occurrence (value 1) or a size in topicARN's series.
func (m *Metrics) add(topicARN, metric, unit string, value float64, at time.Time) {
	if m == nil {
		return
	}
	if p, dims, ok := series(topicARN); ok {
		m.agg.Add(p, metric, unit, value, at, dims)
	}
}

// series is the partition and the TopicName dimension of a topic's (or a
// subscription's) metrics.
func series(topicARN string) (metricstore.Partition, string, bool) {
	region, account, name, ok := arnParts(topicARN)
	if !ok {
		return metricstore.Partition{}, "", false
	}
	name, _, _ = strings.Cut(name, ":") // a subscription ARN names its topic first
	return metricstore.Partition{Account: account, Region: region}, awsmetrics.Dim("TopicName", name), true
}

// published records a message Publish or PublishBatch accepted.
func (m *Metrics) published(topicARN string, size int, at time.Time) {
	if m == nil {
		return
	}
	if p, dims, ok := series(topicARN); ok {
		m.agg.Add(p, "NumberOfMessagesPublished", "Count", 1, at, dims)
		m.agg.Add(p, "PublishSize", "Bytes", float64(size), at, dims)
	}
}

// delivered records a delivery the endpoint accepted.
func (m *Metrics) delivered(topicARN string, at time.Time) {
	m.add(topicARN, "NumberOfNotificationsDelivered", "Count", 1, at)
}

// deliveredN records n deliveries the endpoints accepted, as n calls of
// delivered would (a statistic set of n ones), with one lock and lookup:
// a fan-out's sqs deliveries are counted together.
func (m *Metrics) deliveredN(topicARN string, n int, at time.Time) {
	if m == nil || n <= 0 {
		return
	}
	if p, dims, ok := series(topicARN); ok {
		m.agg.AddSet(p, "NumberOfNotificationsDelivered", "Count", float64(n), float64(n), 1, 1, at, dims)
	}
}

// failed records a failed delivery (see the rules above for when).
func (m *Metrics) failed(topicARN string, at time.Time) {
	m.add(topicARN, "NumberOfNotificationsFailed", "Count", 1, at)
}

// redriven records what the subscription's dead-letter queue did with a
// failed notification.
func (m *Metrics) redriven(topicARN string, moved bool, at time.Time) {
	name := "NumberOfNotificationsRedrivenToDlq"
	if !moved {
		name = "NumberOfNotificationsFailedToRedriveToDlq"
	}
	m.add(topicARN, name, "Count", 1, at)
}

// filteredOut records a subscription's filter policy rejecting a message.
func (m *Metrics) filteredOut(topicARN, scope, body string, attrs map[string]snsapi.MessageAttributeValue, at time.Time) {
	if m == nil {
		return
	}
	m.add(topicARN, "NumberOfNotificationsFilteredOut", "Count", 1, at)
	if scope == "MessageBody" {
		m.add(topicARN, "NumberOfNotificationsFilteredOut-MessageBody", "Count", 1, at)
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &obj) != nil {
			m.add(topicARN, "NumberOfNotificationsFilteredOut-InvalidMessageBody", "Count", 1, at)
		}
		return
	}
	m.add(topicARN, "NumberOfNotificationsFilteredOut-MessageAttributes", "Count", 1, at)
	if len(attrs) == 0 {
		m.add(topicARN, "NumberOfNotificationsFilteredOut-NoMessageAttributes", "Count", 1, at)
	}
}

// String is for tests: the pending aggregate, one line per series and
// second, sorted.
func (m *Metrics) String() string { return m.agg.String() }
