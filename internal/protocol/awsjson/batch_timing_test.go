package awsjson

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/protocol"
)

// The batch calls of the SQS and EventBridge load goals, as the Go SDK
// writes them: the generic decoder's cost per call of 10 entries.

func putEventsBody() string {
	var b strings.Builder
	b.WriteString(`{"Entries":[`)
	for i := range 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Detail":"{\"order\":%d,\"customer\":\"c-%d\",\"amount\":%d.5,\"region\":\"us-east-1\",\"tier\":\"gold\",\"ip\":\"10.1.2.%d\"}","DetailType":"OrderPlaced","EventBusName":"default","Resources":["arn:aws:s3:::bucket-%d"],"Source":"app.orders"}`, i, i, 1000+i, i, i)
	}
	b.WriteString(`]}`)
	return b.String()
}

func sendMessageBatchBody() string {
	var b strings.Builder
	b.WriteString(`{"Entries":[`)
	for i := range 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Id":"m%d","MessageBody":"{\"order\":%d,\"item\":\"widget\",\"quantity\":3,\"note\":\"a typical small JSON message body\"}"}`, i, i)
	}
	b.WriteString(`],"QueueUrl":"http://127.0.0.1:4566/000000000000/bench"}`)
	return b.String()
}

func BenchmarkDecodePutEvents(b *testing.B) {
	body := []byte(putEventsBody())
	r := &protocol.Request{Service: events.Model, Op: events.Model.Operation("PutEvents"), Body: body}
	benchDecode(b, r, func() any { return new(events.PutEventsRequest) })
}

func BenchmarkDecodeSendMessageBatch(b *testing.B) {
	body := []byte(sendMessageBatchBody())
	r := &protocol.Request{Service: sqs.Model, Op: sqs.Model.Operation("SendMessageBatch"), Body: body}
	benchDecode(b, r, func() any { return new(sqs.SendMessageBatchRequest) })
}

func benchDecode(b *testing.B, r *protocol.Request, in func() any) {
	c := New("1.0")
	b.ReportAllocs()
	b.SetBytes(int64(len(r.Body)))
	for b.Loop() {
		if err := c.Decode(r, in()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePutEventsHot is BenchmarkDecodePutEvents through the
// hand-tuned decoder.
func BenchmarkDecodePutEventsHot(b *testing.B) {
	body := []byte(putEventsBody())
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !DecodePutEvents(body, new(events.PutEventsRequest)) {
			b.Fatal("declined")
		}
	}
}
