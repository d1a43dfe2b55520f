package e2e

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// TestEventBridgeCrossAccountBus: a rule of one account forwards to
// another account's bus, which takes the event only once its policy
// (PutPermission) allows the sender; before that the event lands in the
// sender's DLQ as CROSS_ACCOUNT_INGESTION_FAILED, and PutEvents straight
// onto the bus answers AccessDeniedException for the entry. Two accounts of a --dev
// server, each with its own Go SDK clients.
func TestEventBridgeCrossAccountBus(t *testing.T) {
	p := startVigil(t, "", "--dev")
	ctx := ctxT(t)
	const sender, receiver = "111122223333", "444455556666"
	a := newClients(p.URL, sender, "x", "us-east-1")
	b := newClients(p.URL, receiver, "x", "us-east-1")

	inboxURL := sqsQueue(t, b, "inbox", nil)
	if _, err := b.eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("inbox")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("in"), EventBusName: aws.String("inbox"), EventPattern: aws.String(`{"source": ["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("in"), EventBusName: aws.String("inbox"),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + receiver + ":inbox")}}}); err != nil {
		t.Fatal(err)
	}

	dlqURL := sqsQueue(t, a, "dlq", nil)
	busARN := "arn:aws:events:us-east-1:" + receiver + ":event-bus/inbox"
	if _, err := a.eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("fwd"), EventPattern: aws.String(`{"source": ["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := a.eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("fwd"), Targets: []ebtypes.Target{{Id: aws.String("b"), Arn: &busARN,
		DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:" + sender + ":dlq")}}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %v %+v", err, out)
	}
	// The sender cannot reach the other account's bus by API.
	_, err = a.eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: &busARN})
	wantAPIError(t, "another account's bus", err, "ResourceNotFoundException", 400)

	put := func(n int) {
		t.Helper()
		out, err := a.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(fmt.Sprintf(`{"n": %d}`, n))}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v %+v", err, out)
		}
	}

	putDirect := func() ebtypes.PutEventsResultEntry {
		t.Helper()
		out, err := a.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("shop"), DetailType: aws.String("Direct"), Detail: aws.String(`{}`), EventBusName: &busARN}}})
		if err != nil || len(out.Entries) != 1 {
			t.Fatalf("PutEvents onto %s: %v %+v", busARN, err, out)
		}
		return out.Entries[0]
	}

	put(1)
	if e := putDirect(); aws.ToString(e.ErrorCode) != "AccessDeniedException" {
		t.Fatalf("PutEvents onto the other account's bus without permission: %+v", e)
	}
	dl := waitMessages(t, a, dlqURL, 1)
	if code := aws.ToString(dl[0].MessageAttributes["ERROR_CODE"].StringValue); code != "CROSS_ACCOUNT_INGESTION_FAILED" {
		t.Fatalf("DLQ ERROR_CODE %q", code)
	}

	if _, err := b.eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("inbox"), Action: aws.String("events:PutEvents"),
		Principal: aws.String(sender), StatementId: aws.String("shop")}); err != nil {
		t.Fatal(err)
	}
	put(2)
	got := waitMessages(t, b, inboxURL, 1)
	var ev ebEvent
	if err := json.Unmarshal([]byte(aws.ToString(got[0].Body)), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Account != sender || string(ev.Detail) != `{"n":2}` {
		t.Fatalf("received %s", aws.ToString(got[0].Body))
	}
	if e := putDirect(); e.ErrorCode != nil {
		t.Fatalf("PutEvents onto the other account's bus with permission: %+v", e)
	}
	got = waitMessages(t, b, inboxURL, 1)
	if err := json.Unmarshal([]byte(aws.ToString(got[0].Body)), &ev); err != nil || ev.Account != sender || ev.DetailType != "Direct" {
		t.Fatalf("received %s (%v)", aws.ToString(got[0].Body), err)
	}

	if _, err := b.eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("inbox"), StatementId: aws.String("shop")}); err != nil {
		t.Fatal(err)
	}
	put(3)
	waitMessages(t, a, dlqURL, 1)
	if extra := waitMessagesNone(t, b, inboxURL); len(extra) != 0 {
		t.Fatalf("the receiver got %d events after its permission was removed", len(extra))
	}
}
