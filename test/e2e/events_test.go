package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// ebEvent is an event as EventBridge delivers it.
type ebEvent struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

func queueARN(name string) string { return "arn:aws:sqs:us-east-1:000000000000:" + name }

// ebRule creates a rule on the default bus with targets.
func ebRule(t *testing.T, c *clients, name, pattern string, targets ...ebtypes.Target) {
	t.Helper()
	ctx := ctxT(t)
	if _, err := c.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: &name, EventPattern: &pattern}); err != nil {
		t.Fatalf("PutRule %s: %v", name, err)
	}
	out, err := c.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: &name, Targets: targets})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets %s: %v %+v", name, err, out)
	}
}

// waitMessages receives from url until n messages arrived (deleting them).
func waitMessages(t *testing.T, c *clients, url string, n int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	eventually(t, "messages in "+url, func() (bool, string) {
		out, err := c.sqs.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
		if err != nil {
			return false, err.Error()
		}
		for _, m := range out.Messages {
			got = append(got, m)
			c.sqs.DeleteMessage(ctxT(t), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		}
		return len(got) >= n, fmt.Sprintf("%d of %d", len(got), n)
	})
	return got
}

func TestEventBridgeToSQS(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "eb-target", nil)
	fifo := sqsQueue(t, c, "eb-target.fifo", map[string]string{"FifoQueue": "true"})
	ebRule(t, c, "orders", `{"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}`,
		ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("eb-target"))},
		ebtypes.Target{Id: aws.String("f"), Arn: aws.String(queueARN("eb-target.fifo")), SqsParameters: &ebtypes.SqsParameters{MessageGroupId: aws.String("orders")}})

	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	out, err := c.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"total": 250, "id": "o-1"}`),
			Resources: []string{"arn:aws:s3:::shop"}, Time: &at},
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"total": 5}`)},
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`[1]`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedEntryCount != 1 || aws.ToString(out.Entries[2].ErrorCode) != "MalformedDetail" || out.Entries[0].EventId == nil {
		t.Fatalf("PutEvents: %+v", out)
	}
	id := aws.ToString(out.Entries[0].EventId)

	msgs := waitMessages(t, c, url, 1)
	var ev ebEvent
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != "0" || ev.ID != id || ev.DetailType != "Order Placed" || ev.Source != "shop" || ev.Account != "000000000000" ||
		ev.Time != "2026-11-25T09:30:00Z" || ev.Region != "us-east-1" || len(ev.Resources) != 1 || string(ev.Detail) != `{"total":250,"id":"o-1"}` {
		t.Fatalf("event %s", aws.ToString(msgs[0].Body))
	}
	fm := waitMessages(t, c, fifo, 1)
	if a := fm[0].Attributes; a["MessageGroupId"] != "orders" || a["MessageDeduplicationId"] != id {
		t.Fatalf("FIFO attributes %v", a)
	}
	if len(waitMessagesNone(t, c, url)) != 0 {
		t.Fatal("the unmatched event arrived")
	}

	// Lambda targets cannot be accepted: Vigil has no functions.
	_, err = c.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders"),
		Targets: []ebtypes.Target{{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")}}})
	wantAPIError(t, "lambda target", err, "ValidationException", 400)
	_, err = c.eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("orders")})
	wantAPIError(t, "delete with targets", err, "ValidationException", 400)
}

// waitMessagesNone is one short receive.
func waitMessagesNone(t *testing.T, c *clients, url string) []sqstypes.Message {
	out, err := c.sqs.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// TestEventBridgeToSNSAndLogs: an SNS topic target (raw delivery into a
// subscribed queue) and a log group target (a stream named after the
// event id), both with the whole event.
func TestEventBridgeToSNSAndLogs(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	topic, url, _ := snsSetup(t, c, "eb-topic", "eb-topic-q", nil, nil, map[string]string{"RawMessageDelivery": "true"})
	mkLogs(t, c, "/aws/events/app")
	ebRule(t, c, "fanout", `{"detail-type": ["ping"]}`,
		ebtypes.Target{Id: aws.String("sns"), Arn: aws.String(topic)},
		ebtypes.Target{Id: aws.String("logs"), Arn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/app:*")})
	out, err := c.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app"), DetailType: aws.String("ping"), Detail: aws.String(`{"x": true}`)}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
	id := aws.ToString(out.Entries[0].EventId)
	msgs := waitMessages(t, c, url, 1)
	var ev ebEvent
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev); err != nil || ev.ID != id || string(ev.Detail) != `{"x":true}` {
		t.Fatalf("SNS delivery %s", aws.ToString(msgs[0].Body))
	}
	eventually(t, "the log stream "+id, func() (bool, string) {
		got, err := c.logs.GetLogEvents(ctxT(t), &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/aws/events/app"),
			LogStreamName: aws.String(id), StartFromHead: aws.Bool(true)})
		if err != nil {
			return false, err.Error()
		}
		if len(got.Events) != 1 {
			return false, fmt.Sprintf("%d events", len(got.Events))
		}
		return strings.Contains(aws.ToString(got.Events[0].Message), `"id":"`+id+`"`), aws.ToString(got.Events[0].Message)
	})
}

func TestEventBridgeDeadLetterQueue(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	dlq := sqsQueue(t, c, "eb-dlq", nil)
	ebRule(t, c, "to-nowhere", `{"source": ["app"]}`,
		ebtypes.Target{Id: aws.String("gone"), Arn: aws.String(queueARN("does-not-exist")),
			RetryPolicy:      &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(1), MaximumEventAgeInSeconds: aws.Int32(60)},
			DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN("eb-dlq"))}})
	out, err := c.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("app"), DetailType: aws.String("d"), Detail: aws.String(`{"k": "v"}`)}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
	msgs := waitMessages(t, c, dlq, 1)
	attr := func(n string) string { return aws.ToString(msgs[0].MessageAttributes[n].StringValue) }
	if attr("RULE_ARN") != "arn:aws:events:us-east-1:000000000000:rule/to-nowhere" || attr("TARGET_ARN") != queueARN("does-not-exist") ||
		attr("ERROR_CODE") != "NO_RESOURCE" || attr("ERROR_MESSAGE") == "" || attr("RETRY_ATTEMPTS") != "0" {
		t.Fatalf("DLQ attributes %+v", msgs[0].MessageAttributes)
	}
	var ev ebEvent
	if err := json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &ev); err != nil || ev.ID != aws.ToString(out.Entries[0].EventId) {
		t.Fatalf("DLQ body %s", aws.ToString(msgs[0].Body))
	}
}

// TestEventBridgeRestartLosesNothing kills the server right after many
// events were accepted (some deliveries are still pending) and checks that
// every event arrives after the restart.
func TestEventBridgeRestartLosesNothing(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "eb-durable", nil)
	ebRule(t, c, "all", `{"source": ["bulk"]}`, ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("eb-durable"))})
	want := map[string]bool{}
	for call := range 40 {
		entries := make([]ebtypes.PutEventsRequestEntry, 10)
		for i := range entries {
			entries[i] = ebtypes.PutEventsRequestEntry{Source: aws.String("bulk"), DetailType: aws.String("n"),
				Detail: aws.String(fmt.Sprintf(`{"n": %d}`, call*10+i))}
		}
		out, err := c.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v", err)
		}
		for _, e := range out.Entries {
			want[aws.ToString(e.EventId)] = true
		}
	}
	p.Kill9()

	p2 := startVigil(t, p.DataDir)
	c2 := newClients(p2.URL, "test", "test", "us-east-1")
	got := map[string]bool{}
	eventually(t, "every event after restart", func() (bool, string) {
		out, err := c2.sqs.ReceiveMessage(ctxT(t), &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
		if err != nil {
			return false, err.Error()
		}
		for _, m := range out.Messages {
			var ev ebEvent
			if json.Unmarshal([]byte(aws.ToString(m.Body)), &ev) == nil {
				got[ev.ID] = true
			}
			c2.sqs.DeleteMessage(ctxT(t), &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle})
		}
		return len(got) >= len(want), fmt.Sprintf("%d of %d events", len(got), len(want))
	})
	for id := range want {
		if !got[id] {
			t.Fatalf("event %s lost", id)
		}
	}
	// The rule and its target survived too.
	tg, err := c2.eb.ListTargetsByRule(ctxT(t), &eventbridge.ListTargetsByRuleInput{Rule: aws.String("all")})
	if err != nil || len(tg.Targets) != 1 {
		t.Fatalf("ListTargetsByRule after restart: %v %+v", err, tg)
	}
}

func TestEventBridgeAWSCLI(t *testing.T) {
	needTool(t, "aws")
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	url := sqsQueue(t, c, "eb-cli", nil)
	run := func(args ...string) string {
		t.Helper()
		out, stderr, err := awsCLI(t, p.URL, args...)
		if err != nil {
			t.Fatalf("aws %s: %v %s", strings.Join(args, " "), err, stderr)
		}
		return out
	}
	run("events", "put-rule", "--name", "cli-rule", "--event-pattern", `{"source":["cli"]}`)
	out := run("events", "put-targets", "--rule", "cli-rule", "--targets", `[{"Id":"q","Arn":"`+queueARN("eb-cli")+`","InputPath":"$.detail"}]`)
	if !strings.Contains(out, `"FailedEntryCount": 0`) {
		t.Fatalf("put-targets: %s", out)
	}
	out = run("events", "put-events", "--entries", `[{"Source":"cli","DetailType":"t","Detail":"{\"a\":1}"}]`)
	var res struct {
		FailedEntryCount int
		Entries          []struct{ EventId string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.FailedEntryCount != 0 || res.Entries[0].EventId == "" {
		t.Fatalf("put-events: %s", out)
	}
	msgs := waitMessages(t, c, url, 1)
	body := aws.ToString(msgs[0].Body)
	if body != `{"a":1}` {
		t.Fatalf("message %s", body)
	}
	_, stderr, err := awsCLI(t, p.URL, "events", "put-rule", "--name", "bad", "--event-pattern", `{"source":"x"}`)
	if err == nil || !strings.Contains(stderr, "(InvalidEventPatternException)") {
		t.Fatalf("bad pattern: %v %s", err, stderr)
	}
	out = run("events", "list-event-buses")
	if !strings.Contains(out, `"Name": "default"`) {
		t.Fatalf("list-event-buses: %s", out)
	}
}
