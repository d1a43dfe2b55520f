package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// BenchmarkSQSSendReceiveDelete10 is the SQS goal's workload end to end:
// the real Go SDK (awsJson1_0, signed, MD5s checked) against a started
// server on loopback, client and server in one process on the same cores.
// Each worker loops SendMessageBatch of 10 → ReceiveMessage of up to 10 →
// DeleteMessageBatch of what it got; every send is fsynced before it is
// acknowledged (so are receives and deletes). One op is one batch of 10
// sent; msgs/s counts messages deleted, i.e. that made the whole trip.
//
//	go test -run '^$' -bench SQSSendReceiveDelete10 -benchtime 4000x ./internal/server
//
// With VIGIL_BENCH_ENDPOINT=http://host:port it drives that server instead,
// with VIGIL_BENCH_ENDPOINT=null one that does nothing (benchEndpoint).
func BenchmarkSQSSendReceiveDelete10(b *testing.B) {
	for _, workers := range []int{4, 8, 16, 32} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			endpoint := benchEndpoint(b)
			if endpoint == "" {
				srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: b.TempDir(),
					Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
				if err != nil {
					b.Fatal(err)
				}
				defer srv.Shutdown(context.Background())
				endpoint = "http://" + srv.Addr()
			}
			client := sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1,
				Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
				BaseEndpoint: aws.String(endpoint),
				HTTPClient:   sdkhttp.Client{Next: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * workers}}}})
			ctx := context.Background()
			q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprint("bench-", workers))})
			if err != nil {
				b.Fatal(err)
			}
			url := q.QueueUrl
			var entries [10]sqstypes.SendMessageBatchRequestEntry
			for i := range entries {
				entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)),
					MessageBody: aws.String(fmt.Sprintf(`{"order":%d,"item":"widget","quantity":3,"note":"a typical small JSON message body"}`, i))}
			}
			var deleted atomic.Int64
			var dels [10]sqstypes.DeleteMessageBatchRequestEntry
			for i := range dels {
				dels[i].Id = aws.String(fmt.Sprint("d", i))
			}
			b.SetParallelism((workers + 1) / 2) // GOMAXPROCS is 2 here
			b.ResetTimer()
			cpu := cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				del := dels
				for pb.Next() {
					if _, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries[:]}); err != nil {
						b.Error(err)
						return
					}
					out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
					if err != nil {
						b.Error(err)
						return
					}
					if len(out.Messages) == 0 {
						continue
					}
					for i, m := range out.Messages {
						del[i].ReceiptHandle = m.ReceiptHandle
					}
					if _, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: del[:len(out.Messages)]}); err != nil {
						b.Error(err)
						return
					}
					deleted.Add(int64(len(out.Messages)))
				}
			})
			b.StopTimer() // not the shutdown
			// Client and server together when both run here.
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			b.ReportMetric(float64(deleted.Load())/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "sent/s")
		})
	}
}
