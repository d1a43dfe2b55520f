package sns

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

func (f *fixture) publish(in *snsapi.PublishInput) *snsapi.PublishResponse {
	f.t.Helper()
	out, err := f.svc.Publish(f.ctx(), in)
	if err != nil {
		f.t.Fatalf("Publish: %v", err)
	}
	return out
}

func str(s string) snsapi.MessageAttributeValue {
	return snsapi.MessageAttributeValue{DataType: shape.Ptr("String"), StringValue: &s}
}

func num(s string) snsapi.MessageAttributeValue {
	return snsapi.MessageAttributeValue{DataType: shape.Ptr("Number"), StringValue: &s}
}

func TestPublishEnvelope(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	sub := f.subscribe(topic, queueARN, nil)
	out := f.publish(&snsapi.PublishInput{TopicArn: &topic, Message: shape.Ptr(`a <b> & "c"`), Subject: shape.Ptr("Hi"),
		MessageAttributes: map[string]snsapi.MessageAttributeValue{
			"kind":  str("order"),
			"total": num("12.5"),
			"blob":  {DataType: shape.Ptr("Binary"), BinaryValue: []byte{0, 1, 255}},
		}})
	if *out.MessageId != "00000000-0000-4000-8000-000000000002" || out.SequenceNumber != nil {
		t.Fatalf("response %+v", out)
	}
	got := f.q.take()
	if len(got) != 1 || got[0].queue != queueARN {
		t.Fatalf("deliveries %+v", got)
	}
	d := got[0].d
	var n notification
	if err := json.Unmarshal([]byte(d.Body), &n); err != nil {
		t.Fatal(err)
	}
	verify(t, f, &n)
	want := `{"Type":"Notification","MessageId":"00000000-0000-4000-8000-000000000002","TopicArn":"` + topic +
		`","Subject":"Hi","Message":"a <b> & \"c\"","Timestamp":"2026-11-25T12:00:00.000Z","SignatureVersion":"1","Signature":"` + n.Signature + `",` +
		`"SigningCertURL":"http://127.0.0.1:4566/SimpleNotificationService-vigil.pem",` +
		`"UnsubscribeURL":"http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=` + sub + `",` +
		`"MessageAttributes":{"blob":{"Type":"Binary","Value":"AAH/"},"kind":{"Type":"String","Value":"order"},"total":{"Type":"Number","Value":"12.5"}}}`
	if d.Body != want {
		t.Fatalf("envelope\n got %s\nwant %s", d.Body, want)
	}
	if d.Attrs != nil || d.Sender != snsSenderID || !d.Now.Equal(t0) || d.GroupID != "" || d.DedupID != "" {
		t.Fatalf("delivery %+v", d)
	}
	// No subject, no attributes: both keys are left out.
	f.publish(&snsapi.PublishInput{TopicArn: &topic, Message: shape.Ptr("plain")})
	if b := f.q.take()[0].d.Body; strings.Contains(b, "Subject") || strings.Contains(b, "MessageAttributes") {
		t.Fatalf("envelope without subject and attributes: %s", b)
	}
}

func TestPublishRawAndStructured(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	f.subscribe(topic, queueARN, map[string]string{"RawMessageDelivery": "true"})
	f.subscribe(topic, queueARN+"2", nil)
	f.publish(&snsapi.PublishInput{TopicArn: &topic, Message: shape.Ptr("hello"), Subject: shape.Ptr("S"),
		MessageAttributes: map[string]snsapi.MessageAttributeValue{"kind": str("order"), "tags": {DataType: shape.Ptr("String.Array"), StringValue: shape.Ptr(`["a",1]`)}}})
	got := f.q.take()
	raw := got[0].d
	if raw.Body != "hello" || len(raw.Attrs) != 2 || *raw.Attrs["kind"].StringValue != "order" || *raw.Attrs["tags"].DataType != "String.Array" {
		t.Fatalf("raw delivery %+v", raw)
	}
	// MessageStructure=json: the sqs entry (else default); attributes are
	// not delivered with a structured message, as AWS documents.
	f.publish(&snsapi.PublishInput{TopicArn: &topic, MessageStructure: shape.Ptr("json"), Message: shape.Ptr(`{"default":"d","sqs":"for sqs","email":"e"}`),
		MessageAttributes: map[string]snsapi.MessageAttributeValue{"kind": str("order")}})
	got = f.q.take()
	if got[0].d.Body != "for sqs" || got[0].d.Attrs != nil {
		t.Fatalf("structured raw %+v", got[0].d)
	}
	if !strings.Contains(got[1].d.Body, `"Message":"for sqs"`) || strings.Contains(got[1].d.Body, "MessageAttributes") {
		t.Fatalf("structured envelope %s", got[1].d.Body)
	}
	f.publish(&snsapi.PublishInput{TopicArn: &topic, MessageStructure: shape.Ptr("json"), Message: shape.Ptr(`{"default":"d"}`)})
	if got := f.q.take(); got[0].d.Body != "d" {
		t.Fatalf("default entry %+v", got[0].d)
	}
}

func TestPublishRefusals(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	pub := func(in snsapi.PublishInput) error {
		if in.TopicArn == nil {
			in.TopicArn = &topic
		}
		if in.Message == nil {
			in.Message = shape.Ptr("m")
		}
		_, err := f.svc.Publish(f.ctx(), &in)
		return err
	}
	attr := func(name string, v snsapi.MessageAttributeValue) snsapi.PublishInput {
		return snsapi.PublishInput{MessageAttributes: map[string]snsapi.MessageAttributeValue{name: v}}
	}
	for _, tc := range []struct {
		in  snsapi.PublishInput
		msg string
	}{
		{snsapi.PublishInput{Message: shape.Ptr("")}, "Invalid parameter: Empty message"},
		{snsapi.PublishInput{Message: shape.Ptr(strings.Repeat("x", maxPublishSize+1))}, "Message too long"},
		{snsapi.PublishInput{Subject: shape.Ptr("a\nb")}, "Invalid parameter: Subject"},
		{snsapi.PublishInput{Subject: shape.Ptr(strings.Repeat("s", 100))}, "Invalid parameter: Subject"},
		{snsapi.PublishInput{MessageStructure: shape.Ptr("json"), Message: shape.Ptr("{")}, "JSON message body failed to parse"},
		{snsapi.PublishInput{MessageStructure: shape.Ptr("json"), Message: shape.Ptr(`{"sqs":"x"}`)}, "No default entry in JSON message body"},
		{snsapi.PublishInput{MessageStructure: shape.Ptr("xml")}, "only json is allowed"},
		{snsapi.PublishInput{MessageDeduplicationId: shape.Ptr("d")}, "not valid for this topic type"},
		{snsapi.PublishInput{PhoneNumber: shape.Ptr("+15555550100")}, "SMS is not supported by Vigil yet"},
	} {
		wantErr[*snsapi.InvalidParameterException](t, tc.msg, pub(tc.in), tc.msg)
	}
	for _, tc := range []struct {
		in  snsapi.PublishInput
		msg string
	}{
		{attr("AWS.x", str("v")), "reserved prefix"},
		{attr("a..b", str("v")), "invalid name"},
		{attr("a b", str("v")), "invalid character"},
		{attr("a", str("")), "non-empty message attribute value"},
		{attr("a", num("ten")), "must be a valid numeric value"},
		{attr("a", snsapi.MessageAttributeValue{DataType: shape.Ptr("String.Array"), StringValue: shape.Ptr(`[{"a":1}]`)}), "must be a JSON array"},
		{attr("a", snsapi.MessageAttributeValue{DataType: shape.Ptr("Date"), StringValue: shape.Ptr("x")}), "invalid message attribute type"},
	} {
		wantErr[*snsapi.InvalidParameterValueException](t, tc.msg, pub(tc.in), tc.msg)
	}
	wantErr[*snsapi.NotFoundException](t, "no topic", pub(snsapi.PublishInput{TopicArn: shape.Ptr(topic + "x")}), "Topic does not exist")
}

func TestPublishDeliveryFailures(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	f.subscribe(topic, queueARN, nil)
	f.subscribe(topic, queueARN+"-gone", nil)
	f.q.refuse[queueARN+"-gone"] = true
	// A queue's refusal drops that delivery only.
	f.publish(&snsapi.PublishInput{TopicArn: &topic, Message: shape.Ptr("m")})
	if got := f.q.take(); len(got) != 1 || got[0].queue != queueARN {
		t.Fatalf("deliveries %+v", got)
	}
	// A storage failure fails the publish, so the publisher retries.
	f.q.fail[queueARN] = true
	_, err := f.svc.Publish(f.ctx(), &snsapi.PublishInput{TopicArn: &topic, Message: shape.Ptr("m")})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("storage failure: %v", err)
	}
}

func TestPublishFifo(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders.fifo", map[string]string{"FifoTopic": "true"})
	f.subscribe(topic, queueARN+".fifo", nil)
	pub := func(body, group, dedup string) (*snsapi.PublishResponse, error) {
		return f.svc.Publish(f.ctx(), &snsapi.PublishInput{TopicArn: &topic, Message: &body, MessageGroupId: optional(group), MessageDeduplicationId: optional(dedup)})
	}
	_, err := pub("m", "", "d")
	wantErr[*snsapi.InvalidParameterException](t, "no group", err, "MessageGroupId parameter is required for FIFO topics")
	_, err = pub("m", "g", "")
	wantErr[*snsapi.InvalidParameterException](t, "no dedup", err, "ContentBasedDeduplication enabled or MessageDeduplicationId")
	first, err := pub("one", "g", "d1")
	if err != nil {
		t.Fatal(err)
	}
	second, err := pub("two", "g", "d2")
	if err != nil {
		t.Fatal(err)
	}
	again, err := pub("one", "g", "d1") // a duplicate within five minutes
	if err != nil {
		t.Fatal(err)
	}
	if len(*first.SequenceNumber) != 20 || *second.SequenceNumber <= *first.SequenceNumber {
		t.Fatalf("sequence numbers %s, %s", *first.SequenceNumber, *second.SequenceNumber)
	}
	if *again.MessageId != *first.MessageId || *again.SequenceNumber != *first.SequenceNumber {
		t.Fatalf("duplicate answered %s/%s, want %s/%s", *again.MessageId, *again.SequenceNumber, *first.MessageId, *first.SequenceNumber)
	}
	got := f.q.take()
	if len(got) != 2 || got[0].d.GroupID != "g" || got[0].d.DedupID != "d1" || got[1].d.DedupID != "d2" {
		t.Fatalf("deliveries %+v", got)
	}
	if !strings.Contains(got[0].d.Body, `"SequenceNumber":"`+*first.SequenceNumber+`"`) {
		t.Fatalf("fifo envelope %s", got[0].d.Body)
	}
	// After the window the same id is a new message.
	f.clk.Advance(5 * time.Minute)
	later, err := pub("one", "g", "d1")
	if err != nil {
		t.Fatal(err)
	}
	if *later.MessageId == *first.MessageId || len(f.q.take()) != 1 {
		t.Fatal("deduplicated after the window")
	}
	// Content-based deduplication: the body's SHA-256.
	err = f.svc.SetTopicAttributes(f.ctx(), &snsapi.SetTopicAttributesInput{TopicArn: &topic, AttributeName: shape.Ptr("ContentBasedDeduplication"), AttributeValue: shape.Ptr("true")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub("abc", "g", ""); err != nil {
		t.Fatal(err)
	}
	if d := f.q.take()[0].d; d.DedupID != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("content dedup id %s", d.DedupID)
	}
}

func TestPublishBatch(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	f.subscribe(topic, queueARN, map[string]string{"RawMessageDelivery": "true"})
	entry := func(id, msg string) snsapi.PublishBatchRequestEntry {
		return snsapi.PublishBatchRequestEntry{Id: &id, Message: &msg}
	}
	out, err := f.svc.PublishBatch(f.ctx(), &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: []snsapi.PublishBatchRequestEntry{
		entry("a", "one"), entry("b", ""), entry("c", "three"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Successful) != 2 || *out.Successful[0].Id != "a" || *out.Successful[1].Id != "c" {
		t.Fatalf("successful %+v", out.Successful)
	}
	if len(out.Failed) != 1 || *out.Failed[0].Id != "b" || *out.Failed[0].Code != "InvalidParameter" || !*out.Failed[0].SenderFault {
		t.Fatalf("failed %+v", out.Failed)
	}
	if got := f.q.take(); len(got) != 2 || got[0].d.Body != "one" || got[1].d.Body != "three" {
		t.Fatalf("deliveries %+v", got)
	}
	batch := func(entries ...snsapi.PublishBatchRequestEntry) error {
		_, err := f.svc.PublishBatch(f.ctx(), &snsapi.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: entries})
		return err
	}
	wantErr[*snsapi.EmptyBatchRequestException](t, "empty", batch(), "doesn't contain any entries")
	var eleven []snsapi.PublishBatchRequestEntry
	for i := range 11 {
		eleven = append(eleven, entry(fmt.Sprint(i), "m"))
	}
	wantErr[*snsapi.TooManyEntriesInBatchRequestException](t, "eleven", batch(eleven...), "more entries than permissible")
	wantErr[*snsapi.InvalidBatchEntryIdException](t, "bad id", batch(entry("a.b", "m")), "doesn't abide")
	wantErr[*snsapi.BatchEntryIdsNotDistinctException](t, "same ids", batch(entry("a", "m"), entry("a", "n")), "same Id")
	big := strings.Repeat("x", maxPublishSize/2+1)
	wantErr[*snsapi.BatchRequestTooLongException](t, "too long", batch(entry("a", big), entry("b", big)), "more than the limit")
}
