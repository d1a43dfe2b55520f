package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/vigilhq/vigil/internal/bench"
)

// sqsRound is one round of the SQS goal's calls: the entries sent and
// deleted (bench.NullHandler answers them).
func sqsRound() ([]sqstypes.SendMessageBatchRequestEntry, []sqstypes.DeleteMessageBatchRequestEntry) {
	var entries []sqstypes.SendMessageBatchRequestEntry
	var dels []sqstypes.DeleteMessageBatchRequestEntry
	for i, body := range bench.SQSRoundBodies() {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)), MessageBody: aws.String(body)})
		dels = append(dels, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", i)), ReceiptHandle: aws.String(fmt.Sprint("handle-", i))})
	}
	return entries, dels
}

// nullDoer answers the SDK's requests through bench.NullHandler in memory,
// so that the Go SDK's own cost per call is measured without a network or a
// server: serialising, signing, checking and parsing the answer.
type nullDoer struct{ h http.Handler }

func (d nullDoer) Do(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	d.h.ServeHTTP(w, r)
	res := w.Result()
	res.Request = r
	return res, nil
}

// BenchmarkSDKSNSPublish is the client's own cost of one Publish (awsQuery,
// as BenchmarkSNSPublishFanout10 sends it): the floor of the SNS goal's
// CPU per publish before any server work.
func BenchmarkSDKSNSPublish(b *testing.B) {
	client := sns.New(sns.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://127.0.0.1:1"),
		HTTPClient: nullDoer{bench.NullHandler()}})
	in := &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:bench"), Message: aws.String(bench.SQSRoundBodies()[1])}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := client.Publish(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkSDKSQSRound is the client's own cost of one round of the SQS
// goal (BenchmarkSQSSendReceiveDelete10): SendMessageBatch of 10,
// ReceiveMessage answered with 10 messages (whose MD5s the SDK checks) and
// DeleteMessageBatch of 10.
func BenchmarkSDKSQSRound(b *testing.B) {
	entries, dels := sqsRound()
	client := sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://127.0.0.1:1"),
		HTTPClient: nullDoer{bench.NullHandler()}})
	url := aws.String("http://127.0.0.1:1/000000000000/bench")
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: entries}); err != nil {
			b.Fatal(err)
		}
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil || len(out.Messages) != 10 {
			b.Fatal(err, len(out.Messages))
		}
		if _, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: dels}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}
