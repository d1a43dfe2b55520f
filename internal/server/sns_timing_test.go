package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// BenchmarkSNSPublishFanout10 is the SNS goal's workload end to end: the
// real Go SDK (awsQuery, signed) publishing to a topic with 10 sqs
// subscriptions, raw or in AWS's signed envelope, against a started server
// on loopback (client and server share the cores). Every publish answers
// once its 10 deliveries are fsynced. One op is one message published:
// one Publish call, or a tenth of a PublishBatch of 10 with batch=10 (AWS's
// publish quotas count messages, batched or not).
//
//	go test -run '^$' -bench SNSPublishFanout10 -benchtime 3000x ./internal/server
//
// VIGIL_BENCH_ENDPOINT=http://host:port drives that server instead, and
// VIGIL_BENCH_ENDPOINT=null one that does nothing (benchEndpoint).
func BenchmarkSNSPublishFanout10(b *testing.B) {
	for _, mode := range []struct {
		raw   bool
		batch int
	}{{true, 1}, {true, 10}, {false, 1}} {
		raw := mode.raw
		for _, workers := range []int{16, 64, 256} {
			b.Run(fmt.Sprintf("raw=%v/batch=%d/workers=%d", raw, mode.batch, workers), func(b *testing.B) {
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
				httpc := sdkhttp.Client{Next: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * workers}}}
				creds := credentials.NewStaticCredentialsProvider("test", "test", "")
				snsc := sns.New(sns.Options{Region: "us-east-1", RetryMaxAttempts: 1, Credentials: creds, BaseEndpoint: aws.String(endpoint), HTTPClient: httpc})
				sqsc := sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1, Credentials: creds, BaseEndpoint: aws.String(endpoint), HTTPClient: httpc})
				ctx := context.Background()
				name := fmt.Sprintf("fanout-%v-%d-%d", raw, mode.batch, workers)
				topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
				if err != nil {
					b.Fatal(err)
				}
				for i := range 10 {
					q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprint(name, "-", i))})
					if err != nil {
						b.Fatal(err)
					}
					attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
						AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
					if err != nil {
						b.Fatal(err)
					}
					_, err = snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
						Endpoint: aws.String(attrs.Attributes["QueueArn"]), Attributes: map[string]string{"RawMessageDelivery": fmt.Sprint(raw)}})
					if err != nil {
						b.Fatal(err)
					}
				}
				msg := aws.String(`{"order":42,"item":"widget","quantity":3,"note":"a typical small JSON message body"}`)
				entries := make([]snstypes.PublishBatchRequestEntry, mode.batch)
				for i := range entries {
					entries[i] = snstypes.PublishBatchRequestEntry{Id: aws.String(fmt.Sprint("e", i)), Message: msg}
				}
				calls := (b.N + mode.batch - 1) / mode.batch
				b.ResetTimer()
				cpu := cpuTime()
				var next atomic.Int64
				var wg sync.WaitGroup
				for range workers {
					wg.Go(func() {
						for next.Add(1) <= int64(calls) {
							var err error
							if mode.batch == 1 {
								_, err = snsc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: msg})
							} else {
								var out *sns.PublishBatchOutput
								out, err = snsc.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: topic.TopicArn, PublishBatchRequestEntries: entries})
								if err == nil && len(out.Successful) != len(entries) {
									err = fmt.Errorf("%d of %d published: %+v", len(out.Successful), len(entries), out.Failed)
								}
							}
							if err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				// Client and server together when both run here.
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "publishes/s")
			})
		}
	}
}
