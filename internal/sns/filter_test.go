package sns

import (
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

// TestFilterPolicyOperators runs every operator SNS documents against
// attribute-scope policies.
func TestFilterPolicyOperators(t *testing.T) {
	attrs := map[string]snsapi.MessageAttributeValue{
		"store":    str("example_corp"),
		"price":    num("100"),
		"customer": str("Mary"),
		"source":   str("10.0.0.7"),
		"tags":     {DataType: shape.Ptr("String.Array"), StringValue: shape.Ptr(`["red","blue"]`)},
		"bin":      {DataType: shape.Ptr("Binary"), BinaryValue: []byte("x")},
	}
	for _, tc := range []struct {
		policy string
		want   bool
	}{
		{`{"store":["example_corp"]}`, true},
		{`{"store":["other"]}`, false},
		{`{"store":[{"prefix":"example"}]}`, true},
		{`{"store":[{"suffix":"_corp"}]}`, true},
		{`{"customer":[{"equals-ignore-case":"MARY"}]}`, true},
		{`{"store":[{"anything-but":["example_corp"]}]}`, false},
		{`{"store":[{"anything-but":{"prefix":"x"}}]}`, true},
		{`{"missing":[{"anything-but":"x"}]}`, false},
		{`{"price":[{"numeric":[">",50,"<=",100]}]}`, true},
		{`{"price":[{"numeric":["<",50]}]}`, false},
		{`{"price":[100]}`, true},
		{`{"price":["100"]}`, false}, // a string never matches a Number attribute
		{`{"store":[{"exists":true}]}`, true},
		{`{"missing":[{"exists":false}]}`, true},
		{`{"bin":[{"exists":true}]}`, false}, // Binary attributes are not filterable
		{`{"source":[{"cidr":"10.0.0.0/24"}]}`, true},
		{`{"source":[{"cidr":"10.1.0.0/24"}]}`, false},
		{`{"tags":["blue"]}`, true},
		{`{"tags":["green"]}`, false},
		{`{"store":["other"],"$or":[{"price":[100]},{"customer":["Bob"]}]}`, false},
		{`{"$or":[{"store":["other"]},{"price":[100]}]}`, true},
		{`{"store":["example_corp"],"customer":["Bob"]}`, false},
	} {
		p, err := compileFilter(tc.policy, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if got := matches(p, "MessageAttributes", "ignored", attrs); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.policy, got, tc.want)
		}
	}
}

func TestFilterPolicyMessageBody(t *testing.T) {
	p, err := compileFilter(`{"order":{"state":["paid"],"total":[{"numeric":[">=",10]}]}}`, "MessageBody")
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]bool{
		`{"order":{"state":"paid","total":12}}`:    true,
		`{"order":{"state":"paid","total":5}}`:     false,
		`{"order":{"state":"pending","total":12}}`: false,
		`not json`: false,
	} {
		if got := matches(p, "MessageBody", body, nil); got != want {
			t.Errorf("%s: got %v, want %v", body, got, want)
		}
	}
}

func TestFilterPolicyRefusals(t *testing.T) {
	for policy, msg := range map[string]string{
		`{"a":{"b":["x"]}}`:                                 "does not support nested filter policy",
		`{"a":[{"wildcard":"x*"}]}`:                         "Unrecognized match type wildcard",
		`{"a":[1],"b":[1],"c":[1],"d":[1],"e":[1],"f":[1]}`: "more than 5 keys",
		`{"a":[{"numeric":[">"]}]}`:                         "Invalid parameter: FilterPolicy",
		`{"a":"x"}`:                                         "Invalid parameter: FilterPolicy",
	} {
		_, err := compileFilter(policy, "MessageAttributes")
		wantErr[*snsapi.InvalidParameterException](t, policy, err, msg)
	}
}

// TestPublishFilters checks filtering end to end through Publish, and that
// a policy's scope can change after the fact.
func TestPublishFilters(t *testing.T) {
	f := newFixture(t)
	topic := f.topic("orders", nil)
	sub := f.subscribe(topic, queueARN, map[string]string{"FilterPolicy": `{"kind":["order"]}`})
	f.subscribe(topic, queueARN+"-all", nil)
	pub := func(body string, kind string) []delivered {
		in := &snsapi.PublishInput{TopicArn: &topic, Message: &body}
		if kind != "" {
			in.MessageAttributes = map[string]snsapi.MessageAttributeValue{"kind": str(kind)}
		}
		f.publish(in)
		return f.q.take()
	}
	if got := pub("m", "order"); len(got) != 2 {
		t.Fatalf("matching message reached %d queues", len(got))
	}
	if got := pub("m", "refund"); len(got) != 1 || got[0].queue != queueARN+"-all" {
		t.Fatalf("filtered message reached %+v", got)
	}
	set := func(name, value string) error {
		return f.svc.SetSubscriptionAttributes(f.ctx(), &snsapi.SetSubscriptionAttributesInput{SubscriptionArn: &sub, AttributeName: &name, AttributeValue: &value})
	}
	if err := set("FilterPolicyScope", "MessageBody"); err != nil {
		t.Fatal(err)
	}
	f.reopen() // the compiled policy is rebuilt at start
	if got := pub(`{"kind":"order"}`, ""); len(got) != 2 {
		t.Fatalf("body-scope match reached %d queues", len(got))
	}
	if got := pub(`{"kind":"refund"}`, "order"); len(got) != 1 {
		t.Fatalf("body-scope mismatch reached %d queues", len(got))
	}
	// A nested policy is refused while the scope is MessageAttributes.
	if err := set("FilterPolicy", `{"a":{"b":["x"]}}`); err != nil {
		t.Fatalf("nested body policy: %v", err)
	}
	wantErr[*snsapi.InvalidParameterException](t, "scope back to attributes", set("FilterPolicyScope", "MessageAttributes"), "does not support nested")
}
