package sns

import (
	"maps"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

const queueARN = "arn:aws:sqs:us-east-1:000000000000:inbox"

func TestSubscribeSQS(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	sub := f.subscribe(topic, queueARN, map[string]string{"RawMessageDelivery": "true"})
	if want := topic + ":00000000-0000-4000-8000-000000000001"; sub != want {
		t.Fatalf("subscription arn %s, want %s", sub, want)
	}
	// Subscribing the same queue again returns the same subscription.
	if again := f.subscribe(topic, queueARN, nil); again != sub {
		t.Fatalf("resubscribe %s, want %s", again, sub)
	}
	_, err := f.svc.Subscribe(f.ctx(), &snsapi.SubscribeInput{TopicArn: &topic, Protocol: shape.Ptr("sqs"), Endpoint: shape.Ptr(queueARN),
		Attributes: map[string]string{"RawMessageDelivery": "false"}})
	wantErr[*snsapi.InvalidParameterException](t, "different attributes", err, "Subscription already exists with different attributes")
	f.reopen()
	out, err := f.svc.GetSubscriptionAttributes(f.ctx(), &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"SubscriptionArn": sub, "TopicArn": topic, "Owner": testAccount, "Protocol": "sqs", "Endpoint": queueARN,
		"ConfirmationWasAuthenticated": "true", "PendingConfirmation": "false", "RawMessageDelivery": "true",
		"SubscriptionPrincipal": "arn:aws:iam::000000000000:root",
	}
	if !maps.Equal(out.Attributes, want) {
		t.Fatalf("attributes\n got %v\nwant %v", out.Attributes, want)
	}
	if got := f.topicAttrs(topic)["SubscriptionsConfirmed"]; got != "1" {
		t.Fatalf("SubscriptionsConfirmed %s", got)
	}
}

func TestSubscribeRefusals(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	fifo := f.topic("orders.fifo", map[string]string{"FifoTopic": "true"})
	subscribe := func(topic, protocol, endpoint string, attrs map[string]string) error {
		_, err := f.svc.Subscribe(f.ctx(), &snsapi.SubscribeInput{TopicArn: &topic, Protocol: &protocol, Endpoint: &endpoint, Attributes: attrs})
		return err
	}
	for _, tc := range []struct{ protocol, endpoint, msg string }{
		{"http", "x", "Endpoint must be a valid URL"},
		{"https", "http://example.com/", "Endpoint must match the specified protocol"},
		{"email", "not an address", "Invalid parameter: Email address"},
		{"email-json", "ops@example.com", "--smtp-relay"}, // the fixture has no relay
		{"lambda", "arn:aws:lambda:us-east-1:000000000000:function:f", "Lambda functions do not exist in Vigil"},
		{"sms", "+15555550100", "The sms protocol is not supported by Vigil"},
		{"application", "arn:aws:sns:us-east-1:000000000000:endpoint/APNS/a/b", "The application protocol is not supported by Vigil"},
		{"firehose", "arn:aws:firehose:us-east-1:000000000000:deliverystream/d", "The firehose protocol is not supported by Vigil"},
	} {
		err := subscribe(topic, tc.protocol, tc.endpoint, nil)
		wantErr[*snsapi.InvalidParameterException](t, tc.protocol, err, tc.msg)
	}
	wantErr[*snsapi.InvalidParameterException](t, "http on a FIFO topic", subscribe(fifo, "http", "http://example.com/", nil), "FIFO topics only support the sqs protocol")
	for _, tc := range []struct {
		topic, protocol, endpoint string
		attrs                     map[string]string
		msg                       string
	}{
		{topic, "carrier-pigeon", queueARN, nil, "Invalid protocol type: carrier-pigeon"},
		{topic, "sqs", "https://sqs.us-east-1.amazonaws.com/000000000000/inbox", nil, "Invalid parameter: SQS endpoint ARN"},
		{topic, "sqs", queueARN + ".fifo", nil, "FIFO SQS Queues can not be subscribed to standard SNS topics"},
		{fifo, "sqs", queueARN, nil, "Please use FIFO SQS queue"},
		{topic, "sqs", queueARN, map[string]string{"Bogus": "1"}, "Unknown attribute Bogus"},
		{topic, "sqs", queueARN, map[string]string{"RawMessageDelivery": "yes"}, "RawMessageDelivery must be true or false"},
		{topic, "sqs", queueARN, map[string]string{"FilterPolicy": "[1]"}, "FilterPolicy: failed to parse JSON"},
		{topic, "sqs", queueARN, map[string]string{"FilterPolicyScope": "Body"}, "MessageAttributes or MessageBody"},
		{topic, "sqs", queueARN, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"x"}`}, "deadLetterTargetArn"},
	} {
		wantErr[*snsapi.InvalidParameterException](t, tc.msg, subscribe(tc.topic, tc.protocol, tc.endpoint, tc.attrs), tc.msg)
	}
	wantErr[*snsapi.NotFoundException](t, "no topic", subscribe(topic+"x", "sqs", queueARN, nil), "Topic does not exist")
	if err := subscribe(fifo, "sqs", queueARN+".fifo", nil); err != nil {
		t.Fatalf("fifo to fifo: %v", err)
	}
}

func TestSetSubscriptionAttributes(t *testing.T) {
	f := newFixture(t)
	sub := f.subscribe(f.topic("orders", nil), queueARN, nil)
	set := func(name, value string) error {
		return f.svc.SetSubscriptionAttributes(f.ctx(), &snsapi.SetSubscriptionAttributesInput{SubscriptionArn: &sub, AttributeName: &name, AttributeValue: &value})
	}
	get := func() map[string]string {
		out, err := f.svc.GetSubscriptionAttributes(f.ctx(), &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attributes
	}
	const policy = `{"store":["example_corp"]}`
	const redrive = `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}`
	for name, value := range map[string]string{"FilterPolicy": policy, "RawMessageDelivery": "true", "RedrivePolicy": redrive} {
		if err := set(name, value); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	f.reopen()
	got := get()
	if got["FilterPolicy"] != policy || got["FilterPolicyScope"] != "MessageAttributes" || got["RawMessageDelivery"] != "true" || got["RedrivePolicy"] != redrive {
		t.Fatalf("attributes %v", got)
	}
	if err := set("FilterPolicyScope", "MessageBody"); err != nil {
		t.Fatal(err)
	}
	if err := set("FilterPolicy", ""); err != nil {
		t.Fatal(err)
	}
	got = get()
	if _, ok := got["FilterPolicy"]; ok || got["FilterPolicyScope"] != "MessageBody" {
		t.Fatalf("after removing the policy: %v", got)
	}
	wantErr[*snsapi.InvalidParameterException](t, "unknown", set("Protocol", "http"), "Unknown attribute Protocol")
	other := sub + "x"
	err := f.svc.SetSubscriptionAttributes(f.ctx(), &snsapi.SetSubscriptionAttributesInput{SubscriptionArn: &other,
		AttributeName: shape.Ptr("RawMessageDelivery"), AttributeValue: shape.Ptr("true")})
	wantErr[*snsapi.NotFoundException](t, "unknown subscription", err, "Subscription does not exist")
}

func TestUnsubscribeAndLists(t *testing.T) {
	f := newFixture(t)
	a, b := f.topic("a", nil), f.topic("b", nil)
	sa1 := f.subscribe(a, queueARN, nil)
	sa2 := f.subscribe(a, queueARN+"2", nil)
	sb := f.subscribe(b, queueARN, nil)
	list := func(topic string) string {
		var subs []snsapi.Subscription
		if topic == "" {
			out, err := f.svc.ListSubscriptions(f.ctx(), &snsapi.ListSubscriptionsInput{})
			if err != nil {
				t.Fatal(err)
			}
			subs = out.Subscriptions
		} else {
			out, err := f.svc.ListSubscriptionsByTopic(f.ctx(), &snsapi.ListSubscriptionsByTopicInput{TopicArn: &topic})
			if err != nil {
				t.Fatal(err)
			}
			subs = out.Subscriptions
		}
		var arns []string
		for _, s := range subs {
			if *s.Owner != testAccount || *s.Protocol != "sqs" || !strings.HasPrefix(*s.SubscriptionArn, *s.TopicArn+":") {
				t.Fatalf("subscription %+v", s)
			}
			arns = append(arns, *s.SubscriptionArn+" "+*s.Endpoint)
		}
		return strings.Join(arns, ",")
	}
	if got, want := list(a), sa1+" "+queueARN+","+sa2+" "+queueARN+"2"; got != want {
		t.Fatalf("by topic a: %s, want %s", got, want)
	}
	if got := strings.Count(list(""), ","); got != 2 {
		t.Fatalf("all subscriptions: %s", list(""))
	}
	if err := f.svc.Unsubscribe(f.ctx(), &snsapi.UnsubscribeInput{SubscriptionArn: &sa1}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Unsubscribe(f.ctx(), &snsapi.UnsubscribeInput{SubscriptionArn: &sa1}); err != nil {
		t.Fatalf("second unsubscribe: %v", err)
	}
	err := f.svc.Unsubscribe(f.ctx(), &snsapi.UnsubscribeInput{SubscriptionArn: shape.Ptr("nope")})
	wantErr[*snsapi.InvalidParameterException](t, "malformed", err, "SubscriptionArn")
	f.reopen()
	if got, want := list(""), sa2+" "+queueARN+"2,"+sb+" "+queueARN; got != want {
		t.Fatalf("after unsubscribe: %s, want %s", got, want)
	}
	attrs := f.topicAttrs(a)
	if attrs["SubscriptionsConfirmed"] != "1" || attrs["SubscriptionsDeleted"] != "1" {
		t.Fatalf("counts %v", attrs)
	}
}
