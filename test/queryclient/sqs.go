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
// whose SQS client speaks awsQuery (v1.47.6 and later speak JSON 1.0). No SQS
// operation is implemented yet, so a NotImplemented answer proves the form
// was routed, decoded and validated up to the handler.
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

	_, err = c.ListQueues(&sqs.ListQueuesInput{})
	if err := wantV1("sqs ListQueues", err, "NotImplemented", 501); err != nil {
		return err
	}
	_, err = c.CreateQueue(&sqs.CreateQueueInput{
		QueueName:  v1aws.String("orders"),
		Attributes: v1aws.StringMap(map[string]string{"VisibilityTimeout": "30", "DelaySeconds": "0"}),
		Tags:       v1aws.StringMap(map[string]string{"team": "core"}),
	})
	if err := wantV1("sqs CreateQueue with attributes and tags", err, "NotImplemented", 501); err != nil {
		return err
	}
	// The client must really have sent awsQuery, with SQS's flattened names.
	body := spy.last()
	for _, p := range []string{"Action=CreateQueue", "Version=2012-11-05", "Attribute.1.Name=", "Attribute.2.Value=", "Tag.1.Key=team", "Tag.1.Value=core"} {
		if !strings.Contains(body, p) {
			return fmt.Errorf("sqs CreateQueue: the client's form %q lacks %q; the test proves nothing", body, p)
		}
	}
	_, err = c.SendMessage(&sqs.SendMessageInput{
		QueueUrl: v1aws.String(endpoint + "/000000000000/orders"), MessageBody: v1aws.String("hi"),
		MessageAttributes: map[string]*sqs.MessageAttributeValue{
			"raw": {DataType: v1aws.String("Binary"), BinaryValue: []byte{0, 1, 255}},
		},
	})
	if err := wantV1("sqs SendMessage with a binary attribute", err, "NotImplemented", 501); err != nil {
		return err
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
