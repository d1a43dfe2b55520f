package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// The Null benchmarks measure the ceiling of a throughput goal on this
// machine: the real Go SDK, as the goal's workload drives it, against a
// net/http server on loopback that reads each request and answers a canned
// body at once, with no checks, no work and no disk. Client and server share
// the cores as in the goal; cpu-µs/op is both. Whatever Vigil's server does
// comes on top, so a goal above the ceiling cannot be reached here with this
// client, and the gap between the ceiling and the goal is the whole budget of
// Vigil's own work.
//
//	go test -run '^$' -bench Null -benchtime 3s ./internal/server
func nullServer(b *testing.B, answer func(r *http.Request) (string, string)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		ct, body := answer(r)
		w.Header().Set("Content-Type", ct)
		io.WriteString(w, body)
	})}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// BenchmarkNullSNSPublish is the ceiling of the SNS goal's single Publish.
func BenchmarkNullSNSPublish(b *testing.B) {
	const answer = `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>`
	ep := nullServer(b, func(*http.Request) (string, string) { return "text/xml", answer })
	client := sns.New(sns.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(ep),
		HTTPClient: sdkhttp.Client{Next: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}})
	in := &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:bench"),
		Message: aws.String(`{"order":1,"item":"widget","quantity":3,"note":"a typical small JSON message body"}`)}
	b.SetParallelism(8)
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.Publish(context.Background(), in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "publishes/s")
}

// BenchmarkNullSQSRound is the ceiling of the SQS goal: one op is a
// SendMessageBatch, a ReceiveMessage answered with 10 messages (the SDK checks
// their MD5s) and a DeleteMessageBatch, 16 at a time.
func BenchmarkNullSQSRound(b *testing.B) {
	entries, dels, answers := sqsRound()
	ep := nullServer(b, func(r *http.Request) (string, string) {
		return "application/x-amz-json-1.0", answers[r.Header.Get("X-Amz-Target")]
	})
	client := sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(ep),
		HTTPClient: sdkhttp.Client{Next: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}})
	url := aws.String(ep + "/000000000000/bench")
	ctx := context.Background()
	b.SetParallelism(8)
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries}); err != nil {
				b.Error(err)
				return
			}
			out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
			if err != nil || len(out.Messages) != 10 {
				b.Error(err)
				return
			}
			if _, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: dels}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(10*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkNullPutEvents is the ceiling of the PutEvents goal: PutEvents
// of 10 entries, 16 at a time.
func BenchmarkNullPutEvents(b *testing.B) {
	var ids []string
	for i := range 10 {
		ids = append(ids, fmt.Sprintf(`{"EventId":"6a7e8feb-b491-4cf7-a9f1-bf37034677%02d"}`, i))
	}
	answer := `{"FailedEntryCount":0,"Entries":[` + strings.Join(ids, ",") + `]}`
	ep := nullServer(b, func(*http.Request) (string, string) { return "application/x-amz-json-1.1", answer })
	client := eventbridge.New(eventbridge.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(ep),
		HTTPClient: sdkhttp.Client{Next: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}})
	var seq atomic.Int64
	b.SetParallelism(8)
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			if _, err := client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: benchEntries(n, n%10 == 0)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(10*b.N)/b.Elapsed().Seconds(), "entries/s")
}
