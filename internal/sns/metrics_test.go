package sns

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/metricstore"
)

// memSink keeps what was appended, one line per datum.
type memSink struct {
	mu    sync.Mutex
	lines []string
}

func (m *memSink) Append(_ context.Context, p metricstore.Partition, ds []metricstore.Datum) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range ds {
		var dims []string
		for _, dm := range d.Key.Dims {
			dims = append(dims, dm.Name+"="+dm.Value)
		}
		m.lines = append(m.lines, fmt.Sprintf("%s/%s %s %s{%s} n=%g sum=%g %s", p.Account, p.Region,
			d.Key.Namespace, d.Key.MetricName, strings.Join(dims, ","), d.SetCount, d.Sum, d.Unit))
	}
	return nil
}

func (m *memSink) take() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.lines
	m.lines = nil
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestMetricsPublishToQueues: one publish fanned out to five sqs
// subscriptions: delivered, filtered out by an attribute policy (the
// message has no attributes), by a body policy (the body is not JSON),
// refused by its queue and moved to the dead-letter queue, refused with no
// dead-letter queue.
func TestMetricsPublishToQueues(t *testing.T) {
	f := newFixture(t)
	sink := &memSink{}
	m := NewMetrics(sink, MetricsOptions{Clock: f.clk, Every: -1})
	f.svc.SetMetrics(m)
	topic := f.topic("orders", nil)
	q := func(name string) string { return "arn:aws:sqs:us-east-1:" + testAccount + ":" + name }
	f.subscribe(topic, q("all"), nil)
	f.subscribe(topic, q("attr"), map[string]string{"FilterPolicy": `{"k":["v"]}`})
	f.subscribe(topic, q("body"), map[string]string{"FilterPolicy": `{"k":["v"]}`, "FilterPolicyScope": "MessageBody"})
	f.q.refuse[q("gone")] = true
	f.q.refuse[q("gone2")] = true
	f.subscribe(topic, q("gone"), map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + q("dead") + `"}`})
	f.subscribe(topic, q("gone2"), nil)
	if _, err := f.svc.Publish(f.ctx(), &snsapi.PublishInput{TopicArn: &topic, Message: shape.Ptr("hello")}); err != nil {
		t.Fatal(err)
	}
	// A batch of one more, with an attribute: the attribute policy
	// passes it, the body policy still cannot parse the body.
	if _, err := f.svc.PublishBatch(f.ctx(), &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snsapi.PublishBatchRequestEntry{
		{Id: shape.Ptr("1"), Message: shape.Ptr("hi"), MessageAttributes: map[string]snsapi.MessageAttributeValue{"k": {DataType: shape.Ptr("String"), StringValue: shape.Ptr("v")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	m.Flush(context.Background())
	p := "000000000000/us-east-1 AWS/SNS "
	want := []string{
		p + "NumberOfMessagesPublished{TopicName=orders} n=2 sum=2 Count",
		p + "NumberOfNotificationsDelivered{TopicName=orders} n=3 sum=3 Count", // all twice, attr once
		p + "NumberOfNotificationsFailed{TopicName=orders} n=4 sum=4 Count",    // gone and gone2, twice
		p + "NumberOfNotificationsFilteredOut-InvalidMessageBody{TopicName=orders} n=2 sum=2 Count",
		p + "NumberOfNotificationsFilteredOut-MessageAttributes{TopicName=orders} n=1 sum=1 Count",
		p + "NumberOfNotificationsFilteredOut-MessageBody{TopicName=orders} n=2 sum=2 Count",
		p + "NumberOfNotificationsFilteredOut-NoMessageAttributes{TopicName=orders} n=1 sum=1 Count",
		p + "NumberOfNotificationsFilteredOut{TopicName=orders} n=3 sum=3 Count",
		p + "NumberOfNotificationsRedrivenToDlq{TopicName=orders} n=2 sum=2 Count",
		// "hello", then "hi" with k, String, v.
		p + "PublishSize{TopicName=orders} n=2 sum=15 Bytes",
	}
	sort.Strings(want)
	if got := sink.take(); got != strings.Join(want, "\n") {
		t.Fatalf("datapoints:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}

	// The dead-letter queue refusing too, and a FIFO topic's duplicate,
	// which is published but delivered once.
	f.q.refuse[q("gone.fifo")], f.q.refuse[q("dead.fifo")] = true, true
	fifo := f.topic("o.fifo", map[string]string{"FifoTopic": "true"})
	f.subscribe(fifo, q("gone.fifo"), map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + q("dead.fifo") + `"}`})
	for range 2 {
		if _, err := f.svc.Publish(f.ctx(), &snsapi.PublishInput{TopicArn: &fifo, Message: shape.Ptr("x"),
			MessageGroupId: shape.Ptr("g"), MessageDeduplicationId: shape.Ptr("d")}); err != nil {
			t.Fatal(err)
		}
	}
	m.Flush(context.Background())
	want = []string{
		p + "NumberOfMessagesPublished{TopicName=o.fifo} n=2 sum=2 Count",
		p + "NumberOfNotificationsFailed{TopicName=o.fifo} n=1 sum=1 Count",
		p + "NumberOfNotificationsFailedToRedriveToDlq{TopicName=o.fifo} n=1 sum=1 Count",
		p + "PublishSize{TopicName=o.fifo} n=2 sum=2 Bytes",
	}
	sort.Strings(want)
	if got := sink.take(); got != strings.Join(want, "\n") {
		t.Fatalf("datapoints:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// TestMetricsHTTPAttempts: every failed HTTP attempt is a failed
// notification; the exhausted message then goes to the dead-letter queue.
func TestMetricsHTTPAttempts(t *testing.T) {
	df := newDeliveryFixture(t, "")
	sink := &memSink{}
	m := NewMetrics(sink, MetricsOptions{Clock: df.clk, Every: -1})
	df.svc.SetMetrics(m)
	ep := newEndpoint(t)
	ep.status = func(typ string) int {
		if typ == "Notification" {
			return 503
		}
		return 200
	}
	topic := df.topic("orders", nil)
	dlq := "arn:aws:sqs:us-east-1:000000000000:dead"
	df.subscribeEndpoint(topic, "http", ep.srv.URL, map[string]string{
		"DeliveryPolicy": `{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":5,"maxDelayTarget":5}}`,
		"RedrivePolicy":  `{"deadLetterTargetArn":"` + dlq + `"}`,
	})
	var d map[string]string
	json.Unmarshal([]byte(ep.next(t).body), &d)
	if _, err := df.svc.ConfirmSubscription(df.ctx(), &snsapi.ConfirmSubscriptionInput{TopicArn: &topic, Token: shape.Ptr(d["Token"])}); err != nil {
		t.Fatal(err)
	}
	df.publish(topic, "payload", "")
	for deadline := time.Now().Add(20 * time.Second); len(df.q.take()) == 0; {
		if time.Now().After(deadline) { // guards a hung test only
			t.Fatal("never dead-lettered")
		}
		df.clk.Advance(time.Second)
		time.Sleep(2 * time.Millisecond)
	}
	m.Flush(context.Background())
	var got []string
	for _, l := range strings.Split(sink.take(), "\n") {
		_, rest, _ := strings.Cut(l, " AWS/SNS ")
		name, _, _ := strings.Cut(rest, "{")
		_, sum, _ := strings.Cut(rest, "sum=")
		got = append(got, name+"="+strings.Fields(sum)[0])
	}
	// Datapoints are per second: sum the seconds.
	totals := map[string]int{}
	for _, g := range got {
		name, v, _ := strings.Cut(g, "=")
		var n int
		fmt.Sscan(v, &n)
		totals[name] += n
	}
	want := map[string]int{"NumberOfMessagesPublished": 1, "PublishSize": 7, "NumberOfNotificationsFailed": 3, "NumberOfNotificationsRedrivenToDlq": 1}
	if fmt.Sprint(totals) != fmt.Sprint(want) {
		t.Fatalf("metrics %v, want %v", totals, want)
	}
}
