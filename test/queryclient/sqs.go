package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	v1aws "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/sqs"
)

// runSQS drives SQS with aws-sdk-go v1.47.5, the last aws-sdk-go release
// whose SQS client speaks awsQuery (v1.47.6 and later speak JSON 1.0): the
// queue and message operations with SQS's flattened names (Attribute.N.Name,
// MessageAttribute.N.Value.BinaryValue, ...) and XML answers. The client
// checks every MD5OfMessageBody itself.
func runSQS(endpoint string) error {
	spy := &formSpy{}
	sess, err := session.NewSession(&v1aws.Config{
		Region: v1aws.String("us-east-1"), Endpoint: v1aws.String(endpoint), MaxRetries: v1aws.Int(0),
		Credentials: credentials.NewStaticCredentials("test", "test", ""),
	})
	if err != nil {
		return err
	}
	// The spy goes on the client, not the session: a session refuses a
	// transport it cannot add AWS_CA_BUNDLE to.
	spied := &v1aws.Config{HTTPClient: &http.Client{Transport: spy}}
	c := sqs.New(sess, spied)

	cq, err := c.CreateQueue(&sqs.CreateQueueInput{
		QueueName:  v1aws.String("orders"),
		Attributes: v1aws.StringMap(map[string]string{"VisibilityTimeout": "30", "DelaySeconds": "0"}),
		Tags:       v1aws.StringMap(map[string]string{"team": "core"}),
	})
	if err != nil {
		return fmt.Errorf("sqs CreateQueue: %w", err)
	}
	// The client must really have sent awsQuery, with SQS's flattened names.
	body := spy.last()
	for _, p := range []string{"Action=CreateQueue", "Version=2012-11-05", "Attribute.1.Name=", "Attribute.2.Value=", "Tag.1.Key=team", "Tag.1.Value=core"} {
		if !strings.Contains(body, p) {
			return fmt.Errorf("sqs CreateQueue: the client's form %q lacks %q; the test proves nothing", body, p)
		}
	}
	url := v1aws.StringValue(cq.QueueUrl)
	if url != endpoint+"/000000000000/orders" {
		return fmt.Errorf("sqs CreateQueue: queue url %s", url)
	}
	lq, err := c.ListQueues(&sqs.ListQueuesInput{QueueNamePrefix: v1aws.String("ord")})
	if err != nil || len(lq.QueueUrls) != 1 || v1aws.StringValue(lq.QueueUrls[0]) != url {
		return fmt.Errorf("sqs ListQueues: %v %v", lq, err)
	}
	if _, err = c.SendMessage(&sqs.SendMessageInput{
		QueueUrl: &url, MessageBody: v1aws.String("hi über"),
		MessageAttributes: map[string]*sqs.MessageAttributeValue{
			"raw":  {DataType: v1aws.String("Binary"), BinaryValue: []byte{0, 1, 255}},
			"kind": {DataType: v1aws.String("String"), StringValue: v1aws.String("greeting")},
		},
	}); err != nil {
		return fmt.Errorf("sqs SendMessage: %w", err)
	}
	if !strings.Contains(spy.last(), ".Value.BinaryValue=") {
		return fmt.Errorf("sqs SendMessage: the form %q has no binary attribute", spy.last())
	}
	if _, err := c.SendMessageBatch(&sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []*sqs.SendMessageBatchRequestEntry{
		{Id: v1aws.String("a"), MessageBody: v1aws.String("one")}, {Id: v1aws.String("b"), MessageBody: v1aws.String("two")}}}); err != nil {
		return fmt.Errorf("sqs SendMessageBatch: %w", err)
	}
	var got []string
	for tries := 0; len(got) < 3 && tries < 5; tries++ {
		rm, err := c.ReceiveMessage(&sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: v1aws.Int64(10), WaitTimeSeconds: v1aws.Int64(1),
			AttributeNames: v1aws.StringSlice([]string{"All"}), MessageAttributeNames: v1aws.StringSlice([]string{"All"})})
		if err != nil {
			return fmt.Errorf("sqs ReceiveMessage: %w", err)
		}
		for _, m := range rm.Messages {
			got = append(got, v1aws.StringValue(m.Body))
			if v1aws.StringValue(m.Body) == "hi über" {
				if a := m.MessageAttributes["raw"]; a == nil || string(a.BinaryValue) != "\x00\x01\xff" || v1aws.StringValue(m.Attributes["ApproximateReceiveCount"]) != "1" {
					return fmt.Errorf("sqs ReceiveMessage: attributes %v %v", m.MessageAttributes, m.Attributes)
				}
			}
			if _, err := c.DeleteMessage(&sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return fmt.Errorf("sqs DeleteMessage: %w", err)
			}
		}
	}
	if len(got) != 3 {
		return fmt.Errorf("sqs ReceiveMessage: got %q", got)
	}
	ga, err := c.GetQueueAttributes(&sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: v1aws.StringSlice([]string{"All"})})
	if err != nil || v1aws.StringValue(ga.Attributes["ApproximateNumberOfMessages"]) != "0" || v1aws.StringValue(ga.Attributes["VisibilityTimeout"]) != "30" {
		return fmt.Errorf("sqs GetQueueAttributes: %v %v", ga, err)
	}
	fmt.Println("ok   sqs CreateQueue, ListQueues, SendMessage(Batch), ReceiveMessage, DeleteMessage, GetQueueAttributes over awsQuery")
	if err := sqsPermissions(c, spy, url); err != nil {
		return err
	}

	_, err = c.GetQueueUrl(&sqs.GetQueueUrlInput{QueueName: v1aws.String("absent")})
	if err := wantV1("sqs GetQueueUrl of an absent queue", err, "AWS.SimpleQueueService.NonExistentQueue", 400); err != nil {
		return err
	}
	// A queue no source names: an empty list, encoded the awsQuery way.
	ls, err := c.ListDeadLetterSourceQueues(&sqs.ListDeadLetterSourceQueuesInput{QueueUrl: &url})
	if err != nil || len(ls.QueueUrls) != 0 {
		return fmt.Errorf("sqs ListDeadLetterSourceQueues: %v %v", ls, err)
	}
	// Without the client's own validation, a missing required member
	// reaches the server, which names it the awsQuery way.
	raw := sqs.New(sess, spied, &v1aws.Config{DisableParamValidation: v1aws.Bool(true)})
	_, err = raw.ReceiveMessage(&sqs.ReceiveMessageInput{MaxNumberOfMessages: v1aws.Int64(1)})
	return wantV1("sqs ReceiveMessage without QueueUrl", err, "MissingParameter", 400)
}

func wantV1(what string, err error, code string, status int) error {
	var rf awserr.RequestFailure
	if !errors.As(err, &rf) || rf.Code() != code {
		return fmt.Errorf("%s: want %s, got %v", what, code, err)
	}
	if rf.StatusCode() != status {
		return fmt.Errorf("%s: want HTTP %d, got %v", what, status, err)
	}
	fmt.Printf("ok   %s: %s\n", what, code)
	return nil
}

// formSpy keeps the body of the last form request it forwards.
type formSpy struct {
	mu   sync.Mutex
	body string
}

func (s *formSpy) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		s.mu.Lock()
		s.body = string(b)
		s.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (s *formSpy) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.body
}
