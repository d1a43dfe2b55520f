package sqs

import (
	"errors"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

func TestDeliverIsDurableAndChecked(t *testing.T) {
	f := newFixture(t)
	url := f.create("inbox", nil)
	fifo := f.create("inbox.fifo", map[string]string{"FifoQueue": "true"})
	const arn = "arn:aws:sqs:us-east-1:000000000000:"
	attrs := map[string]sqsapi.MessageAttributeValue{"kind": {DataType: shape.Ptr("String"), StringValue: shape.Ptr("order")}}
	if err := f.svc.Deliver(f.ctx(), arn+"inbox", Delivery{Body: "hello", Attrs: attrs, Sender: "sns", Now: t0}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"a", "b", "a"} { // the second "a" is a duplicate
		d := Delivery{Body: body, GroupID: "g", DedupID: "id-" + body, Sender: "sns", Now: t0}
		if err := f.svc.Deliver(f.ctx(), arn+"inbox.fifo", d); err != nil {
			t.Fatal(err)
		}
	}
	f.reopen()
	got := f.receive(url, 10, func(in *sqsapi.ReceiveMessageRequest) {
		in.MessageAttributeNames = []string{"All"}
		in.MessageSystemAttributeNames = []string{"SenderId"}
	})
	if len(got) != 1 || *got[0].Body != "hello" || *got[0].MessageAttributes["kind"].StringValue != "order" || got[0].Attributes["SenderId"] != "sns" {
		t.Fatalf("standard queue got %+v", got)
	}
	if b := bodies(f.receive(fifo, 10)); len(b) != 2 || b[0] != "a" || b[1] != "b" {
		t.Fatalf("fifo queue got %v", b)
	}
	for name, err := range map[string]error{
		"no queue":       f.svc.Deliver(f.ctx(), arn+"absent", Delivery{Body: "x", Now: t0}),
		"not an arn":     f.svc.Deliver(f.ctx(), "inbox", Delivery{Body: "x", Now: t0}),
		"no group":       f.svc.Deliver(f.ctx(), arn+"inbox.fifo", Delivery{Body: "x", DedupID: "d", Now: t0}),
		"bad characters": f.svc.Deliver(f.ctx(), arn+"inbox", Delivery{Body: "\x01", Now: t0}),
	} {
		if err == nil || !Rejected(err) {
			t.Errorf("%s: %v is not a rejection", name, err)
		}
	}
	if Rejected(errors.New("disk full")) {
		t.Error("a storage error counts as a rejection")
	}
}

// DeliverAll stores the acceptable messages, to several queues in one
// write, and answers each refused one with its own error.
func TestDeliverAllRefusesOneByOne(t *testing.T) {
	f := newFixture(t)
	url := f.create("inbox", nil)
	const arn = "arn:aws:sqs:us-east-1:000000000000:"
	other := f.create("other.fifo", map[string]string{"FifoQueue": "true"})
	msg := func(queue, body string) Message {
		m := Message{Queue: arn + queue, Delivery: Delivery{Body: body, Now: t0}}
		if queue == "other.fifo" {
			m.GroupID, m.DedupID = "g", body
		}
		return m
	}
	errs := f.svc.DeliverAll(f.ctx(), []Message{msg("inbox", "a"), msg("other.fifo", "1"), msg("inbox", "\x01"), msg("absent", "x"),
		msg("inbox", "c"), msg("other.fifo", "2"), msg("other.fifo", "1")})
	if errs[0] != nil || errs[1] != nil || !Rejected(errs[2]) || !Rejected(errs[3]) || errs[4] != nil || errs[5] != nil || errs[6] != nil {
		t.Fatalf("errors %v", errs)
	}
	f.reopen()
	if b := bodies(f.receive(url, 10)); len(b) != 2 || !(b[0] == "a" && b[1] == "c" || b[0] == "c" && b[1] == "a") {
		t.Fatalf("queue got %v", b)
	}
	// The FIFO queue keeps the order of the call and drops the duplicate.
	if b := bodies(f.receive(other, 10)); len(b) != 2 || b[0] != "1" || b[1] != "2" {
		t.Fatalf("fifo queue got %v", b)
	}
}
