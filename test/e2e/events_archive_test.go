package e2e

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// TestEventBridgeArchiveReplay: a bus's events are archived as they are
// put; a replay re-delivers them to the rule's SQS queue with
// "replay-name", and DescribeReplay reports it COMPLETED.
func TestEventBridgeArchiveReplay(t *testing.T) {
	p := startVigil(t, "")
	c := newClients(p.URL, "test", "test", "us-east-1")
	ctx := ctxT(t)
	url := sqsQueue(t, c, "eb-replay", nil)
	ebRule(t, c, "orders", `{"source": ["shop"]}`, ebtypes.Target{Id: aws.String("q"), Arn: aws.String(queueARN("eb-replay"))})

	bus := "arn:aws:events:us-east-1:000000000000:event-bus/default"
	arc, err := c.eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("shop"), EventSourceArn: &bus,
		EventPattern: aws.String(`{"detail-type": ["Order Placed"]}`), RetentionDays: aws.Int32(7)})
	if err != nil {
		t.Fatalf("CreateArchive: %v", err)
	}
	if arc.State != ebtypes.ArchiveStateEnabled {
		t.Fatalf("CreateArchive state %s", arc.State)
	}
	_, err = c.eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("shop"), EventSourceArn: &bus})
	wantAPIError(t, "duplicate archive", err, "ResourceAlreadyExistsException", 400)

	now := time.Now().UTC().Truncate(time.Second)
	at := []time.Time{now.Add(-30 * time.Minute), now.Add(-20 * time.Minute)}
	out, err := c.eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"n": 1}`), Time: &at[0]},
		{Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"n": 2}`), Time: &at[1]},
		{Source: aws.String("shop"), DetailType: aws.String("Order Viewed"), Detail: aws.String(`{"n": 3}`)},
	}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
	waitMessages(t, c, url, 3) // the live deliveries

	d, err := c.eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("shop")})
	if err != nil {
		t.Fatal(err)
	}
	if d.EventCount != 2 || d.SizeBytes == 0 || aws.ToInt32(d.RetentionDays) != 7 {
		t.Fatalf("DescribeArchive: %d events, %d bytes, retention %d", d.EventCount, d.SizeBytes, aws.ToInt32(d.RetentionDays))
	}

	start, end := now.Add(-time.Hour), now.Add(time.Minute)
	rp, err := c.eb.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String("again"), EventSourceArn: d.ArchiveArn,
		EventStartTime: &start, EventEndTime: &end,
		Destination: &ebtypes.ReplayDestination{Arn: &bus, FilterArns: []string{"arn:aws:events:us-east-1:000000000000:rule/orders"}}})
	if err != nil {
		t.Fatalf("StartReplay: %v", err)
	}
	if rp.State != ebtypes.ReplayStateStarting || rp.ReplayArn == nil {
		t.Fatalf("StartReplay: %+v", rp)
	}

	msgs := waitMessages(t, c, url, 2)
	var got []string
	for _, m := range msgs {
		var ev struct {
			ReplayName string          `json:"replay-name"`
			Time       string          `json:"time"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %s", ev.ReplayName, ev.Time, ev.Detail))
	}
	sort.Strings(got)
	want := []string{
		"again " + at[0].Format(time.RFC3339) + ` {"n":1}`,
		"again " + at[1].Format(time.RFC3339) + ` {"n":2}`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("replayed events:\n%q\nwant\n%q", got, want)
	}

	eventually(t, "replay completed", func() (bool, string) {
		r, err := c.eb.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("again")})
		if err != nil {
			return false, err.Error()
		}
		return r.State == ebtypes.ReplayStateCompleted && r.ReplayEndTime != nil && r.EventLastReplayedTime.Equal(at[1]), string(r.State)
	})
	// Replayed events are not archived again.
	d, err = c.eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("shop")})
	if err != nil || d.EventCount != 2 {
		t.Fatalf("DescribeArchive after the replay: %v %d events", err, d.EventCount)
	}
	_, err = c.eb.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("again")})
	wantAPIError(t, "cancel a completed replay", err, "IllegalStatusException", 400)

	list, err := c.eb.ListReplays(ctx, &eventbridge.ListReplaysInput{EventSourceArn: d.ArchiveArn})
	if err != nil || len(list.Replays) != 1 || aws.ToString(list.Replays[0].ReplayName) != "again" {
		t.Fatalf("ListReplays: %v %+v", err, list)
	}
	if _, err := c.eb.DeleteArchive(ctx, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("shop")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("shop")})
	wantAPIError(t, "deleted archive", err, "ResourceNotFoundException", 400)
}
