package server

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// sqsRound is one round of the SQS goal's calls: the entries sent and
// deleted, and the answers a server gives them by X-Amz-Target (the
// received messages' MD5s right, so that the SDK's checks pass).
func sqsRound() ([]sqstypes.SendMessageBatchRequestEntry, []sqstypes.DeleteMessageBatchRequestEntry, map[string]string) {
	var entries []sqstypes.SendMessageBatchRequestEntry
	var dels []sqstypes.DeleteMessageBatchRequestEntry
	var sent, received, deleted []string
	for i := range 10 {
		body := fmt.Sprintf(`{"order":%d,"item":"widget","quantity":3,"note":"a typical small JSON message body"}`, i)
		sum := md5.Sum([]byte(body))
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)), MessageBody: aws.String(body)})
		dels = append(dels, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", i)), ReceiptHandle: aws.String(fmt.Sprint("handle-", i))})
		sent = append(sent, fmt.Sprintf(`{"Id":"m%d","MessageId":"id-%d","MD5OfMessageBody":"%s"}`, i, i, hex.EncodeToString(sum[:])))
		received = append(received, fmt.Sprintf(`{"MessageId":"id-%d","ReceiptHandle":"handle-%d","MD5OfBody":"%s","Body":%q}`, i, i, hex.EncodeToString(sum[:]), body))
		deleted = append(deleted, fmt.Sprintf(`{"Id":"d%d"}`, i))
	}
	return entries, dels, map[string]string{
		"AmazonSQS.SendMessageBatch":   `{"Successful":[` + strings.Join(sent, ",") + `],"Failed":[]}`,
		"AmazonSQS.ReceiveMessage":     `{"Messages":[` + strings.Join(received, ",") + `]}`,
		"AmazonSQS.DeleteMessageBatch": `{"Successful":[` + strings.Join(deleted, ",") + `],"Failed":[]}`,
	}
}

// cannedServer answers each request with the body answer picks for it, as
// a server would, so that the Go SDK's own cost per call is measured
// without one: serialising, signing, checking and parsing the answer.
type cannedServer func(r *http.Request) (contentType, body string)

func (c cannedServer) Do(r *http.Request) (*http.Response, error) {
	io.Copy(io.Discard, r.Body)
	ct, body := c(r)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {ct}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// BenchmarkSDKSNSPublish is the client's own cost of one Publish (awsQuery,
// as BenchmarkSNSPublishFanout10 sends it): the floor of the SNS goal's
// CPU per publish before any server work.
func BenchmarkSDKSNSPublish(b *testing.B) {
	const answer = `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>`
	client := sns.New(sns.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://127.0.0.1:1"),
		HTTPClient: cannedServer(func(*http.Request) (string, string) { return "text/xml", answer })})
	in := &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:bench"),
		Message: aws.String(`{"order":1,"item":"widget","quantity":3,"note":"a typical small JSON message body"}`)}
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
	entries, dels, answers := sqsRound()
	client := sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String("http://127.0.0.1:1"),
		HTTPClient: cannedServer(func(r *http.Request) (string, string) {
			return "application/x-amz-json-1.0", answers[r.Header.Get("X-Amz-Target")]
		})})
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
