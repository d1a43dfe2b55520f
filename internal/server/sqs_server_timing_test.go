package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// BenchmarkSQSServer is the server's cost of BenchmarkSQSSendReceiveDelete10's
// calls without the client or the network: SendMessageBatch of 10,
// ReceiveMessage of up to 10 and DeleteMessageBatch of what was received,
// as the Go SDK signs them (awsJson1_0), replayed through the whole front
// door, 4 at a time. One op is one send, one receive and one delete.
//
// Delete requests carry the receipt handles of the receives, so they cannot
// be captured in advance: the sends and receives run first, then the
// deletes are signed with the timer stopped, then replayed. cpu-ns/op is
// the process's CPU time (getrusage: every goroutine, the disk writers
// included) of the timed phases, steadier than wall time on a shared
// machine.
//
//	go test -run '^$' -bench SQSServer ./internal/server
func BenchmarkSQSServer(b *testing.B) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: b.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	ctx := context.Background()
	admin := sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://" + srv.Addr()),
		HTTPClient: sdkhttp.Client{Next: &http.Client{}}})
	q, err := admin.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench-server")})
	if err != nil {
		b.Fatal(err)
	}
	url := q.QueueUrl

	var entries [10]sqstypes.SendMessageBatchRequestEntry
	for i := range entries {
		entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)),
			MessageBody: aws.String(fmt.Sprintf(`{"order":%d,"item":"widget","quantity":3,"note":"a typical small JSON message body"}`, i))}
	}
	send, recv := &capture{json: true}, &capture{json: true}
	if _, err := sqsClient(srv.Addr(), send).SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries[:]}); err != nil {
		b.Fatal(err)
	}
	if _, err := sqsClient(srv.Addr(), recv).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1}); err != nil {
		b.Fatal(err)
	}
	withLength(send)
	withLength(recv)
	h := srv.http.Handler
	serve := func(w *discard, c *capture) bool { return replay(b, h, w, c) }

	var (
		mu       sync.Mutex
		received [][]byte // ReceiveMessage's answers, read once the timer stops
	)
	b.ReportAllocs()
	b.SetParallelism(2) // 4 concurrent calls on 2 cores, like the load goal's 4 workers
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		w := &discard{h: http.Header{}}
		for pb.Next() {
			if !serve(w, send) || !serve(w, recv) {
				return
			}
			body := bytes.Clone(w.body)
			mu.Lock()
			received = append(received, body)
			mu.Unlock()
		}
	})
	cpu := cpuTime() - cpu0
	b.StopTimer()

	var handles []string
	empty := 0
	for _, body := range received {
		var out struct {
			Messages []struct{ ReceiptHandle string }
		}
		if err := json.Unmarshal(body, &out); err != nil {
			b.Fatal(err)
		}
		if len(out.Messages) == 0 {
			empty++
		}
		for _, m := range out.Messages {
			handles = append(handles, m.ReceiptHandle)
		}
	}

	// Sign the deletes as the SDK would, 10 handles a call.
	var dels []*capture
	dc := &capture{json: true}
	client := sqsClient(srv.Addr(), dc)
	var del [10]sqstypes.DeleteMessageBatchRequestEntry
	for i := range del {
		del[i].Id = aws.String(fmt.Sprint("d", i))
	}
	for i := 0; i < len(handles); i += 10 {
		n := min(10, len(handles)-i)
		for j := range n {
			del[j].ReceiptHandle = aws.String(handles[i+j])
		}
		if _, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del[:n]}); err != nil {
			b.Fatal(err)
		}
		dels = append(dels, withLength(&capture{req: dc.req, body: dc.body}))
	}

	b.StartTimer()
	cpu0 = cpuTime()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			w := &discard{h: http.Header{}}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(dels) {
					return
				}
				if !serve(w, dels[i]) {
					return
				}
				if bytes.Contains(w.body, []byte(`"Failed":[{`)) {
					b.Errorf("delete failed: %s", w.body)
				}
			}
		})
	}
	wg.Wait()
	cpu += cpuTime() - cpu0
	b.StopTimer()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(handles))/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(empty)/float64(b.N), "empty-receives/op")
}

func sqsClient(addr string, h sqs.HTTPClient) *sqs.Client {
	return sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1, HTTPClient: h,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://" + addr)})
}

// withLength adds the Content-Length header that net/http's server leaves
// among a request's headers (the client's request carries it in
// ContentLength only), so that replays look up the same headers as real
// requests.
func withLength(c *capture) *capture {
	c.req.Header["Content-Length"] = []string{strconv.Itoa(len(c.body))}
	return c
}
