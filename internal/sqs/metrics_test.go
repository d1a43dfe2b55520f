package sqs

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
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
		m.lines = append(m.lines, fmt.Sprintf("%s/%s %s %s{%s} n=%g sum=%g min=%g max=%g %s t=%s hr=%v", p.Account, p.Region,
			d.Key.Namespace, d.Key.MetricName, strings.Join(dims, ","), d.SetCount, d.Sum, d.Min, d.Max, d.Unit,
			time.UnixMilli(d.T).UTC().Format("15:04:05"), d.HighRes))
	}
	return nil
}

// take returns the lines appended since the last take, of queue name
// only, without the partition and namespace, sorted.
func (m *memSink) take(name string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, l := range m.lines {
		if strings.Contains(l, "{QueueName="+name+"}") {
			_, rest, _ := strings.Cut(l, " AWS/SQS ")
			out = append(out, rest)
		}
	}
	m.lines = nil
	sort.Strings(out)
	return out
}

func (f *fixture) metrics() (*Metrics, *memSink) {
	sink := &memSink{}
	return NewMetrics(f.svc, sink, MetricsOptions{Every: -1}), sink
}

func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("datapoints:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMetricsStandardQueue: an empty receive, three sends, a receive and a
// delete (twice, with the same handle) give AWS's counters for the minute;
// the gauges are sampled at the flush; the next minute reports the gauges
// and zero counters, without SentMessageSize.
func TestMetricsStandardQueue(t *testing.T) {
	f := newFixture(t)
	m, sink := f.metrics()
	url := f.create("q", nil)
	if got := f.receive(url, 1); len(got) != 0 {
		t.Fatalf("received %v", got)
	}
	f.send(url, "a")
	f.send(url, "bb")
	if _, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("ccc"),
		MessageAttributes: map[string]sqsapi.MessageAttributeValue{"k": {DataType: shape.Ptr("String"), StringValue: shape.Ptr("v")}}}); err != nil {
		t.Fatal(err)
	}
	f.advance(10 * time.Second)
	got := f.receive(url, 1)
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	for range 2 {
		if err := f.svc.DeleteMessage(f.ctx(), &sqsapi.DeleteMessageRequest{QueueUrl: &url, ReceiptHandle: got[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
	f.advance(20 * time.Second)
	m.Flush(context.Background())
	wantLines(t, sink.take("q"),
		"ApproximateAgeOfOldestMessage{QueueName=q} n=1 sum=30 min=30 max=30 Seconds t=12:00:30 hr=false",
		"ApproximateNumberOfMessagesDelayed{QueueName=q} n=1 sum=0 min=0 max=0 Count t=12:00:30 hr=false",
		"ApproximateNumberOfMessagesNotVisible{QueueName=q} n=1 sum=0 min=0 max=0 Count t=12:00:30 hr=false",
		"ApproximateNumberOfMessagesVisible{QueueName=q} n=1 sum=2 min=2 max=2 Count t=12:00:30 hr=false",
		"NumberOfEmptyReceives{QueueName=q} n=1 sum=1 min=1 max=1 Count t=12:00:30 hr=false",
		"NumberOfMessagesDeleted{QueueName=q} n=1 sum=2 min=2 max=2 Count t=12:00:30 hr=false",
		"NumberOfMessagesReceived{QueueName=q} n=1 sum=1 min=1 max=1 Count t=12:00:30 hr=false",
		"NumberOfMessagesSent{QueueName=q} n=1 sum=3 min=3 max=3 Count t=12:00:30 hr=false",
		// "ccc" and its attribute: 3 + len("k") + len("String") + len("v").
		"SentMessageSize{QueueName=q} n=3 sum=14 min=1 max=11 Bytes t=12:00:30 hr=false",
	)

	// A receive hides one; the next sample has it in flight, and zeros.
	f.receive(url, 1)
	f.advance(20 * time.Second)
	m.Flush(context.Background())
	wantLines(t, sink.take("q"),
		"ApproximateAgeOfOldestMessage{QueueName=q} n=1 sum=50 min=50 max=50 Seconds t=12:00:50 hr=false",
		"ApproximateNumberOfMessagesDelayed{QueueName=q} n=1 sum=0 min=0 max=0 Count t=12:00:50 hr=false",
		"ApproximateNumberOfMessagesNotVisible{QueueName=q} n=1 sum=1 min=1 max=1 Count t=12:00:50 hr=false",
		"ApproximateNumberOfMessagesVisible{QueueName=q} n=1 sum=1 min=1 max=1 Count t=12:00:50 hr=false",
		"NumberOfEmptyReceives{QueueName=q} n=1 sum=0 min=0 max=0 Count t=12:00:50 hr=false",
		"NumberOfMessagesDeleted{QueueName=q} n=1 sum=0 min=0 max=0 Count t=12:00:50 hr=false",
		"NumberOfMessagesReceived{QueueName=q} n=1 sum=1 min=1 max=1 Count t=12:00:50 hr=false",
		"NumberOfMessagesSent{QueueName=q} n=1 sum=0 min=0 max=0 Count t=12:00:50 hr=false",
	)
}

// TestMetricsActiveQueues: an empty queue reports for six hours after it
// was last used, then nothing until an API action uses it again; a queue
// holding messages always reports.
func TestMetricsActiveQueues(t *testing.T) {
	f := newFixture(t)
	m, sink := f.metrics()
	idle := f.create("idle", nil)
	full := f.create("full", nil)
	f.send(full, "x")
	m.Flush(context.Background())
	if got := sink.take("idle"); len(got) != 8 {
		t.Fatalf("a new queue is active: %q", got)
	}
	f.advance(activeFor - time.Minute)
	m.Flush(context.Background())
	if got := sink.take("idle"); len(got) != 8 {
		t.Fatalf("used 5h59m ago: %q", got)
	}
	f.advance(time.Minute)
	m.Flush(context.Background())
	if got := sink.take("idle"); len(got) != 0 {
		t.Fatalf("unused for six hours: %q", got)
	}
	m.Flush(context.Background())
	if got := sink.take("full"); len(got) != 8 {
		t.Fatalf("a queue with messages is active: %q", got)
	}
	f.attrs(idle, "All")
	m.Flush(context.Background())
	if got := sink.take("idle"); len(got) != 8 {
		t.Fatalf("GetQueueAttributes makes it active: %q", got)
	}
}

// TestMetricsFifo: FIFO queues add the number of groups with messages in
// flight and the number of deduplicated sends, which are not sent
// messages.
func TestMetricsFifo(t *testing.T) {
	f := newFixture(t)
	m, sink := f.metrics()
	url := f.create("f.fifo", map[string]string{"FifoQueue": "true"})
	f.mustSendFifo(url, "g1", "d1", "a")
	f.mustSendFifo(url, "g1", "d2", "b")
	f.mustSendFifo(url, "g2", "d3", "c")
	f.mustSendFifo(url, "g2", "d3", "c") // a duplicate
	if got := f.receive(url, 2); len(got) != 2 {
		t.Fatalf("received %d", len(got))
	}
	m.Flush(context.Background())
	var got []string
	for _, l := range sink.take("f.fifo") {
		if strings.Contains(l, "Groups") || strings.Contains(l, "Sent") || strings.Contains(l, "Visible") {
			got = append(got, l)
		}
	}
	wantLines(t, got,
		"ApproximateNumberOfGroupsWithInflightMessages{QueueName=f.fifo} n=1 sum=1 min=1 max=1 Count t=12:00:00 hr=false",
		"ApproximateNumberOfMessagesNotVisible{QueueName=f.fifo} n=1 sum=2 min=2 max=2 Count t=12:00:00 hr=false",
		"ApproximateNumberOfMessagesVisible{QueueName=f.fifo} n=1 sum=1 min=1 max=1 Count t=12:00:00 hr=false",
		"NumberOfDeduplicatedSentMessages{QueueName=f.fifo} n=1 sum=1 min=1 max=1 Count t=12:00:00 hr=false",
		"NumberOfMessagesSent{QueueName=f.fifo} n=1 sum=3 min=3 max=3 Count t=12:00:00 hr=false",
		"SentMessageSize{QueueName=f.fifo} n=3 sum=3 min=1 max=1 Bytes t=12:00:00 hr=false",
	)
}

// TestMetricsAgeOfOldest: a message moved to a dead-letter queue is as old
// there as the time since the move, and is not a sent message; on a
// standard queue a message received three times no longer counts as the
// oldest.
func TestMetricsAgeOfOldest(t *testing.T) {
	f := newFixture(t)
	m, sink := f.metrics()
	f.create("dlq", nil)
	src := f.create("src", map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": redrivePolicyOf(dlqArn, 1)})
	f.send(src, "x")
	f.receive(src, 1)
	f.advance(time.Minute)
	if got := f.receive(src, 1); len(got) != 0 {
		t.Fatalf("not moved: %v", got)
	}
	f.advance(10 * time.Second)
	m.Flush(context.Background())
	age := func(lines []string) string {
		var out []string
		for _, l := range lines {
			if strings.HasPrefix(l, "ApproximateAgeOfOldestMessage") || strings.HasPrefix(l, "NumberOfMessagesSent") {
				out = append(out, l[:strings.Index(l, " min=")])
			}
		}
		return strings.Join(out, "; ")
	}
	if got, want := age(sink.take("dlq")), "ApproximateAgeOfOldestMessage{QueueName=dlq} n=1 sum=10; NumberOfMessagesSent{QueueName=dlq} n=1 sum=0"; got != want {
		t.Errorf("dlq: %s, want %s", got, want)
	}

	q := f.create("poison", map[string]string{"VisibilityTimeout": "0"})
	f.send(q, "old")
	for range poisonReceives {
		f.receive(q, 1)
	}
	f.advance(5 * time.Second)
	f.send(q, "new")
	f.advance(5 * time.Second)
	m.Flush(context.Background())
	if got, want := age(sink.take("poison")), "ApproximateAgeOfOldestMessage{QueueName=poison} n=1 sum=5; NumberOfMessagesSent{QueueName=poison} n=1 sum=2"; got != want {
		t.Errorf("poison: %s, want %s", got, want)
	}
}

// TestMetricsCloseSamples: the sampling goroutine stops on Close, which
// takes a last sample; a nil Metrics does nothing.
func TestMetricsCloseSamples(t *testing.T) {
	f := newFixture(t)
	sink := &memSink{}
	m := NewMetrics(f.svc, sink, MetricsOptions{Every: time.Hour})
	url := f.create("q", nil)
	f.send(url, "x")
	m.Close()
	if got := sink.take("q"); len(got) != 9 {
		t.Fatalf("last sample %q", got)
	}
	var nilM *Metrics
	nilM.Flush(context.Background())
	nilM.Close()
}

// TestMetricsConcurrentSampling: samples taken while messages are sent and
// received add up to what happened (run with -race).
func TestMetricsConcurrentSampling(t *testing.T) {
	f := newFixture(t)
	m, sink := f.metrics()
	url := f.create("q", nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				f.send(url, "x")
				f.svc.ReceiveMessage(f.ctx(), &sqsapi.ReceiveMessageRequest{QueueUrl: &url, WaitTimeSeconds: shape.Ptr(int32(0))})
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 20 {
			m.Flush(context.Background())
		}
	}()
	wg.Wait()
	<-done
	m.Flush(context.Background())
	var sent, received, empty float64
	for _, l := range sink.take("q") {
		var v float64
		fmt.Sscanf(l[strings.Index(l, "sum="):], "sum=%g", &v)
		switch {
		case strings.HasPrefix(l, "NumberOfMessagesSent"):
			sent += v
		case strings.HasPrefix(l, "NumberOfMessagesReceived"):
			received += v
		case strings.HasPrefix(l, "NumberOfEmptyReceives"):
			empty += v
		}
	}
	if sent != 100 || received+empty != 100 {
		t.Fatalf("sent %v, received %v + empty %v: want 100 and 100 calls", sent, received, empty)
	}
}
