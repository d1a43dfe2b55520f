package sns

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

func TestCreateTopicNameRules(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		attrs map[string]string
		err   string // "" when the name is valid
	}{
		{name: "orders"},
		{name: "A-z_09"},
		{name: strings.Repeat("a", 256)},
		{name: strings.Repeat("a", 251) + ".fifo", attrs: map[string]string{"FifoTopic": "true"}},
		{name: strings.Repeat("a", 257), err: "Invalid parameter: Topic Name"},
		{name: "has.dot", err: "Invalid parameter: Topic Name"},
		{name: "has space", err: "Invalid parameter: Topic Name"},
		{name: "plain.fifo", err: "Fifo Topic names must end with .fifo"},
		{name: "nofifo", attrs: map[string]string{"FifoTopic": "true"}, err: "Fifo Topic names must end with .fifo"},
		{name: ".fifo", attrs: map[string]string{"FifoTopic": "true"}, err: "Fifo Topic names"},
		{name: "", err: "Invalid parameter: Name"},
	} {
		_, err := f.svc.CreateTopic(f.ctx(), &snsapi.CreateTopicInput{Name: shape.Ptr(tc.name), Attributes: tc.attrs})
		if tc.err == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.name, err)
			}
			continue
		}
		wantErr[*snsapi.InvalidParameterException](t, tc.name, err, tc.err)
	}
}

func TestCreateTopicIsIdempotent(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("orders", map[string]string{"DisplayName": "Orders"})
	if want := "arn:aws:sns:us-east-1:000000000000:orders"; arn != want {
		t.Fatalf("arn %s, want %s", arn, want)
	}
	if again := f.topic("orders", map[string]string{"DisplayName": "Orders"}); again != arn {
		t.Fatalf("second create %s, want %s", again, arn)
	}
	if again := f.topic("orders", nil); again != arn {
		t.Fatalf("create without attributes %s, want %s", again, arn)
	}
	_, err := f.svc.CreateTopic(f.ctx(), &snsapi.CreateTopicInput{Name: shape.Ptr("orders"), Attributes: map[string]string{"DisplayName": "Other"}})
	wantErr[*snsapi.InvalidParameterException](t, "different attributes", err, "Topic already exists with different attributes")
	tags := []snsapi.Tag{{Key: shape.Ptr("team"), Value: shape.Ptr("a")}}
	if _, err := f.svc.TagResource(f.ctx(), &snsapi.TagResourceRequest{ResourceArn: &arn, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateTopic(f.ctx(), &snsapi.CreateTopicInput{Name: shape.Ptr("orders"), Tags: tags}); err != nil {
		t.Fatalf("same tags: %v", err)
	}
	_, err = f.svc.CreateTopic(f.ctx(), &snsapi.CreateTopicInput{Name: shape.Ptr("orders"), Tags: []snsapi.Tag{{Key: shape.Ptr("team"), Value: shape.Ptr("b")}}})
	wantErr[*snsapi.InvalidParameterException](t, "different tags", err, "Topic already exists with different tags")
}

func TestTopicAttributes(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("orders", nil)
	got := f.topicAttrs(arn)
	want := map[string]string{
		"TopicArn": arn, "Owner": testAccount, "Policy": defaultPolicy(arn, testAccount), "DisplayName": "",
		"SubscriptionsConfirmed": "0", "SubscriptionsPending": "0", "SubscriptionsDeleted": "0",
		"EffectiveDeliveryPolicy": defaultDeliveryPolicy,
	}
	if !maps.Equal(got, want) {
		t.Fatalf("attributes\n got %v\nwant %v", got, want)
	}
	set := func(name, value string) error {
		return f.svc.SetTopicAttributes(f.ctx(), &snsapi.SetTopicAttributesInput{TopicArn: &arn, AttributeName: &name, AttributeValue: &value})
	}
	for name, value := range map[string]string{
		"DisplayName": "Orders", "Policy": `{"Version":"2012-10-17"}`, "DeliveryPolicy": `{"http":{}}`,
		"SignatureVersion": "2", "TracingConfig": "Active", "KmsMasterKeyId": "alias/aws/sns",
	} {
		if err := set(name, value); err != nil {
			t.Fatalf("set %s: %v", name, err)
		}
	}
	f.reopen()
	got = f.topicAttrs(arn)
	for name, value := range map[string]string{
		"DisplayName": "Orders", "Policy": `{"Version":"2012-10-17"}`, "DeliveryPolicy": `{"http":{}}`,
		"EffectiveDeliveryPolicy": `{"http":{}}`, "SignatureVersion": "2", "TracingConfig": "Active", "KmsMasterKeyId": "alias/aws/sns",
	} {
		if got[name] != value {
			t.Errorf("%s = %q after restart, want %q", name, got[name], value)
		}
	}
	if err := set("DisplayName", ""); err != nil {
		t.Fatal(err)
	}
	if got := f.topicAttrs(arn)["DisplayName"]; got != "" {
		t.Errorf("DisplayName after clearing = %q", got)
	}
	for _, tc := range []struct{ name, value, msg string }{
		{"Nope", "x", "Unknown attribute Nope"},
		{"FifoTopic", "true", "FifoTopic can be set only when the topic is created"},
		{"ContentBasedDeduplication", "true", "can only be set for FIFO topics"},
		{"Policy", "{", "Policy is not valid JSON"},
		{"DisplayName", strings.Repeat("x", 101), "at most 100"},
		{"SignatureVersion", "3", "SignatureVersion must be 1 or 2"},
	} {
		wantErr[*snsapi.InvalidParameterException](t, tc.name, set(tc.name, tc.value), tc.msg)
	}
}

func TestFifoTopicAttributes(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	got := f.topicAttrs(arn)
	if got["FifoTopic"] != "true" || got["ContentBasedDeduplication"] != "true" || got["FifoThroughputScope"] != "Topic" {
		t.Fatalf("fifo attributes %v", got)
	}
	err := f.svc.SetTopicAttributes(f.ctx(), &snsapi.SetTopicAttributesInput{TopicArn: &arn,
		AttributeName: shape.Ptr("ContentBasedDeduplication"), AttributeValue: shape.Ptr("false")})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.topicAttrs(arn)["ContentBasedDeduplication"]; got != "false" {
		t.Fatalf("ContentBasedDeduplication %q", got)
	}
	_, err = f.svc.CreateTopic(f.ctx(), &snsapi.CreateTopicInput{Name: shape.Ptr("std"), Attributes: map[string]string{"ContentBasedDeduplication": "true"}})
	wantErr[*snsapi.InvalidParameterException](t, "dedup on standard", err, "can only be set for FIFO topics")
	_, err = f.svc.CreateTopic(f.ctx(), &snsapi.CreateTopicInput{Name: shape.Ptr("x.fifo"), Attributes: map[string]string{"FifoTopic": "yes"}})
	wantErr[*snsapi.InvalidParameterException](t, "FifoTopic yes", err, "FifoTopic must be true or false")
}

func TestTopicNotFound(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("orders", nil)
	_, err := f.svc.GetTopicAttributes(f.ctx(), &snsapi.GetTopicAttributesInput{TopicArn: shape.Ptr(arn + "x")})
	wantErr[*snsapi.NotFoundException](t, "unknown topic", err, "Topic does not exist")
	_, err = f.svc.GetTopicAttributes(f.ctxAs("111111111111", "us-east-1"), &snsapi.GetTopicAttributesInput{TopicArn: &arn})
	wantErr[*snsapi.NotFoundException](t, "other account", err, "Topic does not exist")
	_, err = f.svc.GetTopicAttributes(f.ctx(), &snsapi.GetTopicAttributesInput{TopicArn: shape.Ptr("orders")})
	wantErr[*snsapi.InvalidParameterException](t, "not an arn", err, "Invalid parameter: TopicArn")
	_, err = f.svc.GetTopicAttributes(f.ctx(), &snsapi.GetTopicAttributesInput{})
	wantErr[*snsapi.InvalidParameterException](t, "missing", err, "TopicArn")
}

func TestDeleteTopic(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("orders", nil)
	sub := f.subscribe(arn, "arn:aws:sqs:us-east-1:000000000000:q", nil)
	if err := f.svc.DeleteTopic(f.ctx(), &snsapi.DeleteTopicInput{TopicArn: &arn}); err != nil {
		t.Fatal(err)
	}
	// Idempotent, as AWS documents.
	if err := f.svc.DeleteTopic(f.ctx(), &snsapi.DeleteTopicInput{TopicArn: &arn}); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	f.reopen()
	_, err := f.svc.GetTopicAttributes(f.ctx(), &snsapi.GetTopicAttributesInput{TopicArn: &arn})
	wantErr[*snsapi.NotFoundException](t, "deleted topic", err, "Topic does not exist")
	_, err = f.svc.GetSubscriptionAttributes(f.ctx(), &snsapi.GetSubscriptionAttributesInput{SubscriptionArn: &sub})
	wantErr[*snsapi.NotFoundException](t, "subscription of a deleted topic", err, "Subscription does not exist")
}

func TestListTopicsPages(t *testing.T) {
	f := newFixture(t)
	for i := range 205 {
		f.topic(fmt.Sprintf("t%03d", i), nil)
	}
	// Another region's and account's topics are not listed.
	if _, err := f.svc.CreateTopic(f.ctxAs(testAccount, "eu-west-1"), &snsapi.CreateTopicInput{Name: shape.Ptr("far")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateTopic(f.ctxAs("111111111111", "us-east-1"), &snsapi.CreateTopicInput{Name: shape.Ptr("other")}); err != nil {
		t.Fatal(err)
	}
	var got []string
	var pages []int
	var token *string
	for {
		out, err := f.svc.ListTopics(f.ctx(), &snsapi.ListTopicsInput{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(out.Topics))
		for _, tp := range out.Topics {
			got = append(got, *tp.TopicArn)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if fmt.Sprint(pages) != "[100 100 5]" {
		t.Fatalf("pages %v", pages)
	}
	for i, arn := range got {
		if want := fmt.Sprintf("arn:aws:sns:us-east-1:000000000000:t%03d", i); arn != want {
			t.Fatalf("topic %d: %s, want %s", i, arn, want)
		}
	}
	_, err := f.svc.ListTopics(f.ctx(), &snsapi.ListTopicsInput{NextToken: shape.Ptr("garbage")})
	wantErr[*snsapi.InvalidParameterException](t, "bad token", err, "Invalid parameter: NextToken")
}

func TestTags(t *testing.T) {
	f := newFixture(t)
	arn := f.topic("orders", nil)
	tag := func(kv ...string) error {
		var tags []snsapi.Tag
		for i := 0; i < len(kv); i += 2 {
			tags = append(tags, snsapi.Tag{Key: shape.Ptr(kv[i]), Value: shape.Ptr(kv[i+1])})
		}
		_, err := f.svc.TagResource(f.ctx(), &snsapi.TagResourceRequest{ResourceArn: &arn, Tags: tags})
		return err
	}
	list := func() string {
		out, err := f.svc.ListTagsForResource(f.ctx(), &snsapi.ListTagsForResourceRequest{ResourceArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, tg := range out.Tags {
			fmt.Fprintf(&b, "%s=%s ", *tg.Key, *tg.Value)
		}
		return b.String()
	}
	if err := tag("team", "a", "env", "prod"); err != nil {
		t.Fatal(err)
	}
	if err := tag("team", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UntagResource(f.ctx(), &snsapi.UntagResourceRequest{ResourceArn: &arn, TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	f.reopen()
	if got := list(); got != "team=b " {
		t.Fatalf("tags %q", got)
	}
	wantErr[*snsapi.InvalidParameterException](t, "aws: prefix", tag("aws:x", "1"), "must not start with aws:")
	wantErr[*snsapi.InvalidParameterException](t, "long key", tag(strings.Repeat("k", 129), "1"), "between 1 and 128")
	var many []string
	for i := range 50 {
		many = append(many, fmt.Sprintf("k%d", i), "v")
	}
	wantErr[*snsapi.TagLimitExceededException](t, "51 tags", tag(many...), "tag quota")
	_, err := f.svc.ListTagsForResource(f.ctx(), &snsapi.ListTagsForResourceRequest{ResourceArn: shape.Ptr(arn + "x")})
	wantErr[*snsapi.ResourceNotFoundException](t, "unknown resource", err, "Resource does not exist")
}
