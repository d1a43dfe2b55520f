package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/vigilhq/vigil/internal/bench"
	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// eventsBench is a started server with 100 rules of mixed operators on the
// default bus, the first of which routes matching events to an SQS queue.
type eventsBench struct {
	eb    *eventbridge.Client
	sqs   *sqs.Client
	queue string
}

// newEventsBench starts a server and sets it up for the benchmarks, or
// sets up the one VIGIL_BENCH_ENDPOINT names (benchEndpoint).
func newEventsBench(b *testing.B, conns int) *eventsBench {
	if endpoint := benchEndpoint(b); endpoint != "" {
		return setupEventsBench(b, endpoint, conns)
	}
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: b.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Shutdown(context.Background()) })
	return setupEventsBench(b, "http://"+srv.Addr(), conns)
}

// setupEventsBench creates the queue and the rules on the server at
// endpoint and returns clients with conns connections.
func setupEventsBench(b *testing.B, endpoint string, conns int) *eventsBench {
	httpc := sdkhttp.Client{Next: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}}}
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	e := &eventsBench{
		eb:  eventbridge.New(eventbridge.Options{Region: "us-east-1", RetryMaxAttempts: 1, Credentials: creds, BaseEndpoint: aws.String(endpoint), HTTPClient: httpc}),
		sqs: sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1, Credentials: creds, BaseEndpoint: aws.String(endpoint), HTTPClient: httpc}),
	}
	ctx := context.Background()
	q, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench-events")})
	if err != nil {
		b.Fatal(err)
	}
	e.queue = *q.QueueUrl
	attrs, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	if err != nil {
		b.Fatal(err)
	}
	for i, pattern := range bench.EventRulePatterns(100) {
		name := fmt.Sprint("rule-", i)
		if _, err := e.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)}); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			if _, err := e.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name),
				Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(attrs.Attributes["QueueArn"])}}}); err != nil {
				b.Fatal(err)
			}
		}
	}
	return e
}

func benchEntries(seq int64, matching bool) []ebtypes.PutEventsRequestEntry {
	source := "app.other"
	if matching {
		source = "app.orders"
	}
	out := make([]ebtypes.PutEventsRequestEntry, 10)
	for i := range out {
		out[i] = ebtypes.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String("OrderPlaced"),
			Detail: aws.String(fmt.Sprintf(`{"sent":%d,"customer":"c-%d","amount":%d,"region":"us-east-1","tier":"gold","ip":"10.1.2.3","items":[{"sku":"w-1","qty":2}]}`,
				time.Now().UnixNano(), seq, 1000+seq%200))}
	}
	return out
}

// BenchmarkPutEvents is the EventBridge throughput goal end to end: the Go
// SDK sending PutEvents of 10 entries from many workers to a server with
// 100 rules; each accepted entry is matched and, for the 1 in 10 requests
// that match a rule with a target, made durable in the outbox before the
// answer. One op is one request (10 entries).
//
//	go test -run '^$' -bench PutEvents -benchtime 2000x ./internal/server
func BenchmarkPutEvents(b *testing.B) {
	for _, workers := range []int{16, 64} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			e := newEventsBench(b, workers)
			var seq atomic.Int64
			b.SetParallelism((workers + 1) / 2)
			b.ResetTimer()
			cpu := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					n := seq.Add(1)
					out, err := e.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: benchEntries(n, n%10 == 0)})
					if err != nil || out.FailedEntryCount != 0 {
						b.Errorf("PutEvents: %v %+v", err, out)
						return
					}
				}
			})
			b.StopTimer()
			// Client and server together: they share the process.
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkPutEventsToSQSLatency is the latency goal: events put at a fixed
// rate (10 per request, all matching the queue's rule) for 3 s. The queue's
// readers measure, from the time in each event's detail (set by the client
// before its call), to the message's SentTimestamp (in the queue: the goal)
// and to its receipt. The goal is about EventBridge, so it is measured
// twice: with 32 readers receiving and deleting all along (their calls
// share the 2 cores), and with the readers started once the puts end.
// Reports p50 and p99 in ms; one op is one run.
//
//	go test -run '^$' -bench PutEventsToSQSLatency -benchtime 1x ./internal/server
func BenchmarkPutEventsToSQSLatency(b *testing.B) {
	for _, readers := range []string{"during", "after"} {
		b.Run("readers="+readers, func(b *testing.B) {
			e := newEventsBench(b, 64)
			for b.Loop() {
				putToSQSLatency(b, e, readers == "during")
			}
		})
	}
}

func putToSQSLatency(b *testing.B, e *eventsBench, during bool) {
	const rate = 10000 // events/s
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var lat, toQueue []float64
	var wg sync.WaitGroup
	read := func() {
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					out, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &e.queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
						MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameSentTimestamp}})
					if err != nil {
						continue
					}
					now := time.Now()
					var dels []sqstypes.DeleteMessageBatchRequestEntry
					for i, m := range out.Messages {
						var ev struct{ Detail struct{ Sent int64 } }
						if json.Unmarshal([]byte(aws.ToString(m.Body)), &ev) == nil {
							mu.Lock()
							lat = append(lat, float64(now.UnixNano()-ev.Detail.Sent)/1e6)
							if sent, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
								toQueue = append(toQueue, float64(sent*1e6-ev.Detail.Sent)/1e6)
							}
							mu.Unlock()
						}
						dels = append(dels, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
					}
					if len(dels) > 0 {
						e.sqs.DeleteMessageBatch(context.Background(), &sqs.DeleteMessageBatchInput{QueueUrl: &e.queue, Entries: dels})
					}
				}
			}()
		}
	}
	if during {
		read()
	}
	tick := time.NewTicker(time.Second * 10 / rate) // one request of 10 per tick
	deadline := time.Now().Add(3 * time.Second)
	var puts sync.WaitGroup
	var n int64
	var putMu sync.Mutex
	var putLat []float64
	for time.Now().Before(deadline) {
		<-tick.C
		n++
		puts.Add(1)
		go func(n int64) {
			defer puts.Done()
			start := time.Now()
			if _, err := e.eb.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: benchEntries(n, true)}); err != nil {
				b.Error(err)
			}
			putMu.Lock()
			putLat = append(putLat, float64(time.Since(start))/1e6)
			putMu.Unlock()
		}(n)
	}
	tick.Stop()
	puts.Wait()
	if !during {
		read()
	}
	for drain := time.Now().Add(15 * time.Second); time.Now().Before(drain); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		got := len(lat)
		mu.Unlock()
		if got >= int(n*10) {
			break
		}
	}
	cancel()
	wg.Wait()
	if len(lat) == 0 {
		b.Fatal("nothing received")
	}
	slices.Sort(lat)
	slices.Sort(toQueue)
	if len(toQueue) > 0 {
		b.ReportMetric(toQueue[len(toQueue)/2], "to-queue-p50-ms")
		b.ReportMetric(toQueue[len(toQueue)*99/100], "to-queue-p99-ms")
	}
	slices.Sort(putLat)
	b.ReportMetric(putLat[len(putLat)/2], "put-p50-ms")
	b.ReportMetric(putLat[len(putLat)*99/100], "put-p99-ms")
	if during {
		b.ReportMetric(lat[len(lat)/2], "received-p50-ms")
		b.ReportMetric(lat[len(lat)*99/100], "received-p99-ms")
	}
	b.ReportMetric(float64(len(lat))/float64(n*10), "received-fraction")
}

// BenchmarkPutEventsServer is the server's cost of BenchmarkPutEvents'
// calls without the client or the network: PutEvents requests of 10
// entries as the Go SDK signs them (1 in 10 matching the queue's rule),
// replayed through the whole front door, 4 at a time.
//
//	go test -run '^$' -bench PutEventsServer ./internal/server
func BenchmarkPutEventsServer(b *testing.B) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: b.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	setupEventsBench(b, "http://"+srv.Addr(), 1)
	var reqs []*capture
	for n := range 10 {
		c := &capture{json: true}
		if _, err := eventsClient(srv.Addr(), c).PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: benchEntries(int64(n), n == 0)}); err != nil {
			b.Fatal(err)
		}
		reqs = append(reqs, c)
	}
	replayParallel(b, srv.http.Handler, reqs)
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkSDKPutEvents is the client's own cost of one PutEvents of 10
// entries (the Go SDK's JSON serialisation and signing, no network).
func BenchmarkSDKPutEvents(b *testing.B) {
	client := eventsClient("127.0.0.1:1", &capture{json: true})
	in := &eventbridge.PutEventsInput{Entries: benchEntries(1, false)}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := client.PutEvents(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "entries/s")
}

func eventsClient(addr string, h eventbridge.HTTPClient) *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: h,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://" + addr)})
}
