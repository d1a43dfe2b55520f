package interop

import (
	"crypto/md5"
	"encoding/hex"
	"net/http/httptest"
	"reflect"
	"testing"

	v1aws "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	v1sqs "github.com/aws/aws-sdk-go/service/sqs"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/protocol/awsquery"
)

// SQS through the generated model (internal/api/sqs, with the query traits
// internal/gen merges in) and aws-sdk-go v1.47.5's SQS client, the last
// aws-sdk-go release whose SQS client speaks awsQuery. The client checks the
// MD5 of every body it sends or receives, so the handler computes them.

func md5hex(s string) *string {
	sum := md5.Sum([]byte(s))
	return v1aws.String(hex.EncodeToString(sum[:]))
}

func sqsClient(t *testing.T, url string) *v1sqs.SQS {
	t.Helper()
	sess, err := session.NewSession(&v1aws.Config{
		Region: v1aws.String("us-east-1"), Endpoint: v1aws.String(url), MaxRetries: v1aws.Int(0),
		Credentials: credentials.NewStaticCredentials("test", "test", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v1sqs.New(sess)
}

func TestSQSSendReceive(t *testing.T) {
	received := []sqs.Message{{
		MessageId: v1aws.String("m-1"), ReceiptHandle: v1aws.String("rh+/="), Body: v1aws.String("hello & <world>"),
		MD5OfBody:  md5hex("hello & <world>"),
		Attributes: map[string]string{"SentTimestamp": "1700000000000", "ApproximateReceiveCount": "2"},
		MessageAttributes: map[string]sqs.MessageAttributeValue{
			"color": {DataType: v1aws.String("String"), StringValue: v1aws.String("blue")},
			"raw":   {DataType: v1aws.String("Binary"), BinaryValue: []byte{0, 1, 255}},
		},
	}, {MessageId: v1aws.String("m-2"), Body: v1aws.String(""), MD5OfBody: md5hex("")}}
	s := &server{codec: awsquery.New(), model: sqs.Model, handler: func(op string, in any) (any, error) {
		switch op {
		case "SendMessage":
			return &sqs.SendMessageResult{MessageId: v1aws.String("m-1"), MD5OfMessageBody: md5hex(*in.(*sqs.SendMessageRequest).MessageBody)}, nil
		case "ReceiveMessage":
			return &sqs.ReceiveMessageResult{Messages: received}, nil
		case "CreateQueue":
			return &sqs.CreateQueueResult{QueueUrl: v1aws.String("http://q/" + *in.(*sqs.CreateQueueRequest).QueueName)}, nil
		case "GetQueueAttributes":
			return &sqs.GetQueueAttributesResult{Attributes: map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:q", "DelaySeconds": "0"}}, nil
		case "GetQueueUrl":
			return nil, &sqs.QueueDoesNotExist{Message: v1aws.String("The specified queue does not exist for this wsdl version.")}
		}
		return nil, nil
	}}
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := sqsClient(t, ts.URL)

	// SendMessage: String and Binary message attributes and a system attribute.
	sent, err := c.SendMessage(&v1sqs.SendMessageInput{
		QueueUrl: v1aws.String("http://q/q"), MessageBody: v1aws.String("hello & <world>"), DelaySeconds: v1aws.Int64(5),
		MessageAttributes: map[string]*v1sqs.MessageAttributeValue{
			"color": {DataType: v1aws.String("String"), StringValue: v1aws.String("blue")},
			"raw":   {DataType: v1aws.String("Binary"), BinaryValue: []byte{0, 1, 255}},
		},
		MessageSystemAttributes: map[string]*v1sqs.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: v1aws.String("String"), StringValue: v1aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
		},
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if v1aws.StringValue(sent.MessageId) != "m-1" {
		t.Errorf("MessageId = %q", v1aws.StringValue(sent.MessageId))
	}
	wantSend := &sqs.SendMessageRequest{
		QueueUrl: v1aws.String("http://q/q"), MessageBody: v1aws.String("hello & <world>"), DelaySeconds: shape.Ptr[int32](5),
		MessageAttributes: map[string]sqs.MessageAttributeValue{
			"color": {DataType: v1aws.String("String"), StringValue: v1aws.String("blue")},
			"raw":   {DataType: v1aws.String("Binary"), BinaryValue: []byte{0, 1, 255}},
		},
		MessageSystemAttributes: map[string]sqs.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: v1aws.String("String"), StringValue: v1aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
		},
	}
	if got := s.inputs[0].(*sqs.SendMessageRequest); !reflect.DeepEqual(got, wantSend) {
		t.Errorf("decoded %s\nwant %s", show(got), show(wantSend))
	}

	// ReceiveMessage: flattened name lists in, flattened messages, system
	// attributes and message attributes out.
	rm, err := c.ReceiveMessage(&v1sqs.ReceiveMessageInput{
		QueueUrl: v1aws.String("http://q/q"), AttributeNames: v1aws.StringSlice([]string{"All"}),
		MessageAttributeNames: v1aws.StringSlice([]string{"color", "raw"}), MaxNumberOfMessages: v1aws.Int64(10), WaitTimeSeconds: v1aws.Int64(0),
	})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	wantRecv := &sqs.ReceiveMessageRequest{
		QueueUrl: v1aws.String("http://q/q"), AttributeNames: []string{"All"}, MessageAttributeNames: []string{"color", "raw"},
		MaxNumberOfMessages: shape.Ptr[int32](10), WaitTimeSeconds: shape.Ptr[int32](0),
	}
	if got := s.inputs[1].(*sqs.ReceiveMessageRequest); !reflect.DeepEqual(got, wantRecv) {
		t.Errorf("decoded %s\nwant %s", show(got), show(wantRecv))
	}
	if len(rm.Messages) != 2 {
		t.Fatalf("got %d messages: %v", len(rm.Messages), rm)
	}
	m := rm.Messages[0]
	if v1aws.StringValue(m.MessageId) != "m-1" || v1aws.StringValue(m.ReceiptHandle) != "rh+/=" || v1aws.StringValue(m.Body) != "hello & <world>" ||
		v1aws.StringValue(m.Attributes["SentTimestamp"]) != "1700000000000" || v1aws.StringValue(m.Attributes["ApproximateReceiveCount"]) != "2" ||
		len(m.Attributes) != 2 || len(m.MessageAttributes) != 2 ||
		v1aws.StringValue(m.MessageAttributes["color"].DataType) != "String" || v1aws.StringValue(m.MessageAttributes["color"].StringValue) != "blue" ||
		v1aws.StringValue(m.MessageAttributes["raw"].DataType) != "Binary" || string(m.MessageAttributes["raw"].BinaryValue) != "\x00\x01\xff" {
		t.Errorf("message 1 parsed as %v", m)
	}
	if m := rm.Messages[1]; v1aws.StringValue(m.MessageId) != "m-2" || m.Body == nil || *m.Body != "" {
		t.Errorf("message 2 parsed as %v", m)
	}

	// CreateQueue: Attribute.N.Name/Value and Tag.N.Key/Value.
	cq, err := c.CreateQueue(&v1sqs.CreateQueueInput{
		QueueName:  v1aws.String("orders.fifo"),
		Attributes: v1aws.StringMap(map[string]string{"FifoQueue": "true", "VisibilityTimeout": "30"}),
		Tags:       v1aws.StringMap(map[string]string{"team": "core"}),
	})
	if err != nil || v1aws.StringValue(cq.QueueUrl) != "http://q/orders.fifo" {
		t.Fatalf("CreateQueue: %v %v", cq, err)
	}
	wantCreate := &sqs.CreateQueueRequest{QueueName: v1aws.String("orders.fifo"),
		Attributes: map[string]string{"FifoQueue": "true", "VisibilityTimeout": "30"}, Tags: map[string]string{"team": "core"}}
	if got := s.inputs[2].(*sqs.CreateQueueRequest); !reflect.DeepEqual(got, wantCreate) {
		t.Errorf("decoded %s\nwant %s", show(got), show(wantCreate))
	}

	// GetQueueAttributes: a flattened map out.
	ga, err := c.GetQueueAttributes(&v1sqs.GetQueueAttributesInput{QueueUrl: v1aws.String("http://q/q"), AttributeNames: v1aws.StringSlice([]string{"QueueArn", "DelaySeconds"})})
	if err != nil || len(ga.Attributes) != 2 || v1aws.StringValue(ga.Attributes["QueueArn"]) != "arn:aws:sqs:us-east-1:000000000000:q" {
		t.Fatalf("GetQueueAttributes: %v %v", ga, err)
	}
	if got := s.inputs[3].(*sqs.GetQueueAttributesRequest).AttributeNames; !reflect.DeepEqual(got, []string{"QueueArn", "DelaySeconds"}) {
		t.Errorf("AttributeNames decoded as %v", got)
	}

	// A modeled error carries its awsQuery code.
	_, err = c.GetQueueUrl(&v1sqs.GetQueueUrlInput{QueueName: v1aws.String("missing")})
	var ae awserr.RequestFailure
	if !asAWSErr(err, &ae) || ae.Code() != v1sqs.ErrCodeQueueDoesNotExist || ae.StatusCode() != 400 ||
		ae.Message() != "The specified queue does not exist for this wsdl version." {
		t.Fatalf("GetQueueUrl error %v, want %s", err, v1sqs.ErrCodeQueueDoesNotExist)
	}
}

func asAWSErr(err error, target *awserr.RequestFailure) bool {
	rf, ok := err.(awserr.RequestFailure)
	if ok {
		*target = rf
	}
	return ok
}
