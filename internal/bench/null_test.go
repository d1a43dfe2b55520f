package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// The Go SDK takes every answer of the null server as a success: the SQS
// round (the received messages' MD5s checked), SNS publishes (a batch's
// ids echoed), PutEvents and PutMetricData.
func TestNullHandlerAnswersTheSDK(t *testing.T) {
	srv := httptest.NewServer(NullHandler())
	defer srv.Close()
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	httpc := sdkhttp.Client{Next: &http.Client{}}
	ep := aws.String(srv.URL)

	q := sqs.New(sqs.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: ep, HTTPClient: httpc})
	created, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	var entries []sqstypes.SendMessageBatchRequestEntry
	for i, body := range SQSRoundBodies() {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("m", i)), MessageBody: aws.String(body)})
	}
	if out, err := q.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: created.QueueUrl, Entries: entries}); err != nil || len(out.Successful) != 10 {
		t.Fatalf("SendMessageBatch: %v %+v", err, out)
	}
	got, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: created.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(got.Messages) != 10 {
		t.Fatalf("ReceiveMessage: %v %+v", err, got)
	}
	var dels []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range got.Messages {
		dels = append(dels, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", i)), ReceiptHandle: m.ReceiptHandle})
	}
	if out, err := q.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: created.QueueUrl, Entries: dels}); err != nil || len(out.Successful) != 10 {
		t.Fatalf("DeleteMessageBatch: %v %+v", err, out)
	}

	n := sns.New(sns.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: ep, HTTPClient: httpc})
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("t")})
	if err != nil || topic.TopicArn == nil {
		t.Fatalf("CreateTopic: %v %+v", err, topic)
	}
	if _, err := n.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	batch := []snstypes.PublishBatchRequestEntry{{Id: aws.String("a"), Message: aws.String("m")}, {Id: aws.String("b"), Message: aws.String("m")}}
	out, err := n.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: topic.TopicArn, PublishBatchRequestEntries: batch})
	if err != nil || len(out.Successful) != 2 || *out.Successful[1].Id != "b" {
		t.Fatalf("PublishBatch: %v %+v", err, out)
	}

	e := eventbridge.New(eventbridge.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: ep, HTTPClient: httpc})
	put, err := e.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String("{}")}}})
	if err != nil || put.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, put)
	}

	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: ep, HTTPClient: httpc})
	if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("N"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}}); err != nil {
		t.Fatal(err)
	}
}
