package sqs

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

func TestCreateQueueDefaultsAndURL(t *testing.T) {
	f := newFixture(t)
	url := f.create("orders", nil)
	if want := "http://" + testHost + "/000000000000/orders"; url != want {
		t.Fatalf("url %s, want %s", url, want)
	}
	got := f.attrs(url, "All")
	want := map[string]string{
		"QueueArn":                              "arn:aws:sqs:us-east-1:000000000000:orders",
		"ApproximateNumberOfMessages":           "0",
		"ApproximateNumberOfMessagesNotVisible": "0",
		"ApproximateNumberOfMessagesDelayed":    "0",
		"CreatedTimestamp":                      fmt.Sprint(t0.Unix()),
		"LastModifiedTimestamp":                 fmt.Sprint(t0.Unix()),
		"VisibilityTimeout":                     "30",
		"MaximumMessageSize":                    "1048576",
		"MessageRetentionPeriod":                "345600",
		"DelaySeconds":                          "0",
		"ReceiveMessageWaitTimeSeconds":         "0",
		"SqsManagedSseEnabled":                  "true",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("attributes\n got %v\nwant %v", got, want)
	}
	// Named attributes only; none asked, none answered.
	if got := f.attrs(url, "VisibilityTimeout", "QueueArn"); len(got) != 2 || got["VisibilityTimeout"] != "30" {
		t.Fatalf("named: %v", got)
	}
	if got := f.attrs(url); len(got) != 0 {
		t.Fatalf("no names: %v", got)
	}
	_, err := f.svc.GetQueueAttributes(f.ctx(), &sqsapi.GetQueueAttributesRequest{QueueUrl: &url, AttributeNames: []string{"Colour"}})
	wantErr(t, err, "InvalidAttributeName", "Unknown Attribute Colour.")
}

func TestCreateQueueAttributeRules(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		attrs     map[string]string
		code, msg string
	}{
		{map[string]string{"VisibilityTimeout": "43201"}, "InvalidAttributeValue", "Invalid value for the parameter VisibilityTimeout."},
		{map[string]string{"VisibilityTimeout": "-1"}, "InvalidAttributeValue", "VisibilityTimeout"},
		{map[string]string{"VisibilityTimeout": "ten"}, "InvalidAttributeValue", "VisibilityTimeout"},
		{map[string]string{"DelaySeconds": "901"}, "InvalidAttributeValue", "DelaySeconds"},
		{map[string]string{"MaximumMessageSize": "1023"}, "InvalidAttributeValue", "MaximumMessageSize"},
		{map[string]string{"MaximumMessageSize": "1048577"}, "InvalidAttributeValue", "MaximumMessageSize"},
		{map[string]string{"MessageRetentionPeriod": "59"}, "InvalidAttributeValue", "MessageRetentionPeriod"},
		{map[string]string{"MessageRetentionPeriod": "1209601"}, "InvalidAttributeValue", "MessageRetentionPeriod"},
		{map[string]string{"ReceiveMessageWaitTimeSeconds": "21"}, "InvalidAttributeValue", "ReceiveMessageWaitTimeSeconds"},
		{map[string]string{"KmsDataKeyReusePeriodSeconds": "59"}, "InvalidAttributeValue", "KmsDataKeyReusePeriodSeconds"},
		{map[string]string{"Policy": "not json"}, "InvalidAttributeValue", "Policy"},
		{map[string]string{"SqsManagedSseEnabled": "yes"}, "InvalidAttributeValue", "SqsManagedSseEnabled"},
		{map[string]string{"Colour": "blue"}, "InvalidAttributeName", "Unknown Attribute Colour."},
		{map[string]string{"QueueArn": "x"}, "InvalidAttributeName", "Unknown Attribute QueueArn."},
		{map[string]string{"ContentBasedDeduplication": "true"}, "InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication."},
		{map[string]string{"FifoQueue": "true"}, "InvalidParameterValue", "must end with .fifo suffix"},
		{map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":"3"}`}, "InvalidParameterValue", "Reason: Dead letter target does not exist."},
	} {
		_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("q"), Attributes: tc.attrs})
		wantErr(t, err, tc.code, tc.msg)
	}
	// The limits themselves are valid.
	f.create("limits", map[string]string{"VisibilityTimeout": "43200", "DelaySeconds": "900", "MaximumMessageSize": "1024",
		"MessageRetentionPeriod": "60", "ReceiveMessageWaitTimeSeconds": "20", "FifoQueue": "false", "RedrivePolicy": ""})
}

func TestCreateQueueNames(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"a", strings.Repeat("x", 80), "A-b_9"} {
		f.create(name, nil)
	}
	for _, name := range []string{"", strings.Repeat("x", 81), "a.b", "a b", "q.fifo", "ü"} {
		_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: &name})
		wantErr(t, err, "InvalidParameterValue", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
}

func TestCreateQueueIsIdempotent(t *testing.T) {
	f := newFixture(t)
	url := f.create("jobs", map[string]string{"VisibilityTimeout": "60"})
	// The same attributes, a subset of them, defaults named explicitly, or
	// none: the existing queue's URL.
	for _, attrs := range []map[string]string{{"VisibilityTimeout": "60"}, nil, {"DelaySeconds": "0", "VisibilityTimeout": "060"}} {
		if got := f.create("jobs", attrs); got != url {
			t.Fatalf("%v: %s", attrs, got)
		}
	}
	_, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("jobs"), Attributes: map[string]string{"VisibilityTimeout": "30"}})
	wantErr(t, err, "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute VisibilityTimeout")
}

func TestDeleteQueueAndRecreate(t *testing.T) {
	f := newFixture(t)
	url := f.create("gone", nil)
	f.send(url, "hello")
	if err := f.svc.DeleteQueue(f.ctx(), &sqsapi.DeleteQueueRequest{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("x")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	err = f.svc.DeleteQueue(f.ctx(), &sqsapi.DeleteQueueRequest{QueueUrl: &url})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")

	f.advance(59 * time.Second)
	_, err = f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: shape.Ptr("gone")})
	wantErr(t, err, "AWS.SimpleQueueService.QueueDeletedRecently", "You must wait 60 seconds after deleting a queue")
	f.advance(time.Second)
	url2 := f.create("gone", nil)
	if url2 != url {
		t.Fatalf("url %s", url2)
	}
	// The new queue starts empty: the old one's message went with it.
	if got := f.receive(url2, 10); len(got) != 0 {
		t.Fatalf("new queue has %v", bodies(got))
	}
}

func TestQueueURLsAndAccounts(t *testing.T) {
	f := newFixture(t)
	url := f.create("shared", nil)
	for _, u := range []string{
		url,
		"https://sqs.us-east-1.amazonaws.com/000000000000/shared",
		"http://localhost:4566/000000000000/shared",
		"/000000000000/shared",
	} {
		if got := f.attrs(u, "QueueArn"); got["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:shared" {
			t.Errorf("%s: %v", u, got)
		}
	}
	for _, u := range []string{"shared", "http://h/000000000000", "http://h/111111111111/shared", "http://h/000000000000/shared/x", ""} {
		_, err := f.svc.GetQueueAttributes(f.ctx(), &sqsapi.GetQueueAttributesRequest{QueueUrl: &u, AttributeNames: []string{"All"}})
		wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
	}
	// GetQueueUrl, another account's and another region's view.
	out, err := f.svc.GetQueueUrl(f.ctx(), &sqsapi.GetQueueUrlRequest{QueueName: shape.Ptr("shared")})
	if err != nil || *out.QueueUrl != url {
		t.Fatalf("GetQueueUrl: %v %v", out, err)
	}
	_, err = f.svc.GetQueueUrl(f.ctx(), &sqsapi.GetQueueUrlRequest{QueueName: shape.Ptr("shared"), QueueOwnerAWSAccountId: shape.Ptr("111111111111")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
	_, err = f.svc.GetQueueUrl(f.ctxAs("111111111111", "us-east-1"), &sqsapi.GetQueueUrlRequest{QueueName: shape.Ptr("shared")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
	_, err = f.svc.GetQueueUrl(f.ctxAs(testAccount, "eu-west-1"), &sqsapi.GetQueueUrlRequest{QueueName: shape.Ptr("shared")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
}

func TestListQueuesPrefixAndPaging(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"b2", "a1", "b1", "c1", "b3"} {
		f.create(n, nil)
	}
	list := func(prefix string, max int32, token string) ([]string, string) {
		in := &sqsapi.ListQueuesRequest{}
		if prefix != "" {
			in.QueueNamePrefix = &prefix
		}
		if max > 0 {
			in.MaxResults = &max
		}
		if token != "" {
			in.NextToken = &token
		}
		out, err := f.svc.ListQueues(f.ctx(), in)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range out.QueueUrls {
			names = append(names, u[strings.LastIndexByte(u, '/')+1:])
		}
		return names, shape.Value(out.NextToken)
	}
	if got, tok := list("", 0, ""); fmt.Sprint(got) != "[a1 b1 b2 b3 c1]" || tok != "" {
		t.Fatalf("all: %v %q", got, tok)
	}
	if got, _ := list("b", 0, ""); fmt.Sprint(got) != "[b1 b2 b3]" {
		t.Fatalf("prefix: %v", got)
	}
	page1, tok := list("b", 2, "")
	page2, tok2 := list("b", 2, tok)
	if fmt.Sprint(page1, page2) != "[b1 b2] [b3]" || tok == "" || tok2 != "" {
		t.Fatalf("pages: %v %v %q %q", page1, page2, tok, tok2)
	}
	_, err := f.svc.ListQueues(f.ctx(), &sqsapi.ListQueuesRequest{NextToken: shape.Ptr("garbage!")})
	wantErr(t, err, "InvalidParameterValue", "Invalid NextToken value.")
	_, err = f.svc.ListQueues(f.ctx(), &sqsapi.ListQueuesRequest{MaxResults: shape.Ptr(int32(1001))})
	wantErr(t, err, "InvalidParameterValue", "MaxResults")
	// Another region's list is its own.
	out, err := f.svc.ListQueues(f.ctxAs(testAccount, "eu-west-1"), &sqsapi.ListQueuesRequest{})
	if err != nil || len(out.QueueUrls) != 0 {
		t.Fatalf("eu-west-1: %v %v", out, err)
	}
}

func TestSetQueueAttributes(t *testing.T) {
	f := newFixture(t)
	url := f.create("settable", nil)
	f.advance(time.Minute)
	err := f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &url, Attributes: map[string]string{
		"VisibilityTimeout": "5", "DelaySeconds": "2", "Policy": `{"Version":"2012-10-17","Statement":[]}`, "KmsMasterKeyId": "alias/aws/sqs"}})
	if err != nil {
		t.Fatal(err)
	}
	got := f.attrs(url, "All")
	for k, v := range map[string]string{"VisibilityTimeout": "5", "DelaySeconds": "2", "Policy": `{"Version":"2012-10-17","Statement":[]}`,
		"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "300", "SqsManagedSseEnabled": "false",
		"LastModifiedTimestamp": fmt.Sprint(t0.Add(time.Minute).Unix()), "CreatedTimestamp": fmt.Sprint(t0.Unix())} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for attrs, code := range map[string]string{"FifoQueue": "InvalidAttributeValue", "ApproximateNumberOfMessages": "InvalidAttributeName"} {
		err := f.svc.SetQueueAttributes(f.ctx(), &sqsapi.SetQueueAttributesRequest{QueueUrl: &url, Attributes: map[string]string{attrs: "true"}})
		wantErr(t, err, code, attrs)
	}
	// The change survives a restart (SQLite), and the bad ones changed nothing.
	f.reopen()
	if got := f.attrs(url, "VisibilityTimeout", "DelaySeconds"); got["VisibilityTimeout"] != "5" || got["DelaySeconds"] != "2" {
		t.Fatalf("after restart: %v", got)
	}
}

func TestTags(t *testing.T) {
	f := newFixture(t)
	name := "tagged"
	out, err := f.svc.CreateQueue(f.ctx(), &sqsapi.CreateQueueRequest{QueueName: &name, Tags: map[string]string{"team": "core"}})
	if err != nil {
		t.Fatal(err)
	}
	url := *out.QueueUrl
	tags := func() map[string]string {
		out, err := f.svc.ListQueueTags(f.ctx(), &sqsapi.ListQueueTagsRequest{QueueUrl: &url})
		if err != nil {
			t.Fatal(err)
		}
		return out.Tags
	}
	if err := f.svc.TagQueue(f.ctx(), &sqsapi.TagQueueRequest{QueueUrl: &url, Tags: map[string]string{"team": "edge", "env": "prod"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.UntagQueue(f.ctx(), &sqsapi.UntagQueueRequest{QueueUrl: &url, TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tags()); got != "map[team:edge]" {
		t.Fatalf("tags %s", got)
	}
	f.reopen()
	if got := fmt.Sprint(tags()); got != "map[team:edge]" {
		t.Fatalf("tags after restart %s", got)
	}
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprint("k", i)] = "v"
	}
	err = f.svc.TagQueue(f.ctx(), &sqsapi.TagQueueRequest{QueueUrl: &url, Tags: many})
	wantErr(t, err, "InvalidParameterValue", "Too many tags added for queue tagged.")
	err = f.svc.TagQueue(f.ctx(), &sqsapi.TagQueueRequest{QueueUrl: &url, Tags: map[string]string{strings.Repeat("k", 129): "v"}})
	wantErr(t, err, "InvalidParameterValue", "Tag keys")
	err = f.svc.TagQueue(f.ctx(), &sqsapi.TagQueueRequest{QueueUrl: &url, Tags: map[string]string{"aws:x": "v"}})
	wantErr(t, err, "InvalidParameterValue", "aws:")
	// Overwriting the one tag there is plus 49 new ones is 50: allowed.
	delete(many, "k0")
	many["team"] = "x"
	if err := f.svc.TagQueue(f.ctx(), &sqsapi.TagQueueRequest{QueueUrl: &url, Tags: many}); err != nil {
		t.Fatal(err)
	}
}

func TestPurgeQueueOncePerMinute(t *testing.T) {
	f := newFixture(t)
	url := f.create("purged", nil)
	f.send(url, "a")
	f.send(url, "b")
	f.receive(url, 1) // one in flight: purged too
	purge := func() error { return f.svc.PurgeQueue(f.ctx(), &sqsapi.PurgeQueueRequest{QueueUrl: &url}) }
	if err := purge(); err != nil {
		t.Fatal(err)
	}
	if got := f.attrs(url, "All"); got["ApproximateNumberOfMessages"] != "0" || got["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("after purge: %v", got)
	}
	f.advance(59 * time.Second)
	wantErr(t, purge(), "AWS.SimpleQueueService.PurgeQueueInProgress", "Only one PurgeQueue operation on purged is allowed every 60 seconds.")
	f.send(url, "c")
	f.advance(time.Second)
	if err := purge(); err != nil {
		t.Fatal(err)
	}
	f.reopen() // purged messages stay purged
	f.advance(time.Hour)
	if got := f.receive(url, 10); len(got) != 0 {
		t.Fatalf("after restart: %v", bodies(got))
	}
}

// A dev reset wipes the data directory; Reset then forgets every queue, and
// calls on queues held from before answer QueueDoesNotExist.
func TestReset(t *testing.T) {
	f := newFixture(t)
	url := f.create("wiped", nil)
	f.send(url, "x")
	if err := f.st.Reset(f.ctx()); err != nil {
		t.Fatal(err)
	}
	f.svc.Reset()
	_, err := f.svc.SendMessage(f.ctx(), &sqsapi.SendMessageRequest{QueueUrl: &url, MessageBody: shape.Ptr("y")})
	wantErr(t, err, "AWS.SimpleQueueService.NonExistentQueue", "")
	url = f.create("wiped", nil) // no 60-second wait after a reset
	f.reopen()
	if got := f.receive(url, 10); len(got) != 0 {
		t.Fatalf("after reset and restart: %v", bodies(got))
	}
}
