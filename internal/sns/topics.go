package sns

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
)

const topicSchema = `CREATE TABLE IF NOT EXISTS sns_topics (
	arn      TEXT PRIMARY KEY,
	attrs    TEXT NOT NULL,
	tags     TEXT NOT NULL,
	unsubs   INTEGER NOT NULL
)`

// topic is one topic. Its fields change only under Service.mu.
type topic struct {
	arn    string
	attrs  map[string]string // the attributes set by the user (and FifoTopic)
	tags   map[string]string
	unsubs int // subscriptions removed by Unsubscribe: SubscriptionsDeleted
}

func (t *topic) fifo() bool { return t.attrs["FifoTopic"] == "true" }

// arnParts splits arn:aws:sns:region:account:name[:subscription-id].
func arnParts(arn string) (region, account, rest string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "sns" || p[3] == "" || p[4] == "" || p[5] == "" {
		return "", "", "", false
	}
	return p[3], p[4], p[5], true
}

// topicByARN finds a topic of the caller. Callers hold s.mu. A malformed
// ARN is InvalidParameter (as AWS answers); another account's or region's
// topic does not exist for the caller (topic policies are not enforced).
func (s *Service) topicByARN(c call, arn, param string) (*topic, error) {
	if arn == "" {
		return nil, missingParameter(param)
	}
	region, account, name, ok := arnParts(arn)
	if !ok || strings.Contains(name, ":") {
		return nil, invalidParameter(param, "An ARN must have at least 6 elements, not "+strconv.Itoa(len(strings.Split(arn, ":"))))
	}
	t := s.topics[arn]
	if t == nil || region != c.region || account != c.account {
		return nil, errNoTopic()
	}
	return t, nil
}

// validTopicName: 1 to 256 of A-Z a-z 0-9 - _, and for a FIFO topic the
// same followed by ".fifo" (within the 256).
func validTopicName(name string, fifo bool) bool {
	if len(name) == 0 || len(name) > 256 {
		return false
	}
	if fifo {
		var ok bool
		if name, ok = strings.CutSuffix(name, ".fifo"); !ok || name == "" {
			return false
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Service) CreateTopic(ctx context.Context, in *snsapi.CreateTopicInput) (*snsapi.CreateTopicResponse, error) {
	c := callOf(ctx)
	name := shape.Value(in.Name)
	if name == "" {
		return nil, missingParameter("Name")
	}
	attrs := map[string]string{}
	fifo := false
	for k, v := range in.Attributes {
		if k == "FifoTopic" {
			b, err := parseBool("FifoTopic", v)
			if err != nil {
				return nil, err
			}
			fifo = b
			continue
		}
		if err := checkTopicAttribute(k, v, true); err != nil {
			return nil, err
		}
		attrs[k] = v
	}
	if !validTopicName(name, fifo) {
		if fifo || strings.HasSuffix(name, ".fifo") {
			return nil, invalidParameter("Topic Name", "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
		}
		return nil, invalidParameter("Topic Name", "")
	}
	if fifo {
		attrs["FifoTopic"] = "true"
	} else if err := standardOnly(attrs); err != nil {
		return nil, err
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	arn := c.topicARN(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.topics[arn]; t != nil {
		// Creating a topic again is idempotent; AWS refuses a repeat whose
		// attributes or (given) tags differ from the topic's.
		if !maps.Equal(t.attrs, attrs) && len(in.Attributes) > 0 {
			return nil, invalidParameter("Attributes", "Topic already exists with different attributes")
		}
		if len(tags) > 0 && !maps.Equal(t.tags, tags) {
			return nil, invalidParameter("Tags", "Topic already exists with different tags")
		}
		return &snsapi.CreateTopicResponse{TopicArn: &arn}, nil
	}
	t := &topic{arn: arn, attrs: attrs, tags: tags}
	if err := s.saveTopic(ctx, t); err != nil {
		return nil, err
	}
	s.topics[arn] = t
	return &snsapi.CreateTopicResponse{TopicArn: &arn}, nil
}

// DeleteTopic is idempotent as AWS documents: a topic that does not exist
// is no error. Its subscriptions go with it.
func (s *Service) DeleteTopic(ctx context.Context, in *snsapi.DeleteTopicInput) error {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicByARN(c, shape.Value(in.TopicArn), "TopicArn")
	if err != nil {
		if _, ok := err.(*snsapi.NotFoundException); ok {
			return nil
		}
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrapDB("delete topic", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sns_subscriptions WHERE topic = ?`, t.arn); err != nil {
		return wrapDB("delete topic", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sns_topics WHERE arn = ?`, t.arn); err != nil {
		return wrapDB("delete topic", err)
	}
	if err := tx.Commit(); err != nil {
		return wrapDB("delete topic", err)
	}
	delete(s.topics, t.arn)
	delete(s.fifos, t.arn)
	for arn, sub := range s.subs {
		if sub.topic == t.arn {
			delete(s.subs, arn)
		}
	}
	return nil
}

func (s *Service) ListTopics(ctx context.Context, in *snsapi.ListTopicsInput) (*snsapi.ListTopicsResponse, error) {
	c := callOf(ctx)
	prefix := c.topicARN("")
	s.mu.Lock()
	var arns []string
	for arn := range s.topics {
		if strings.HasPrefix(arn, prefix) {
			arns = append(arns, arn)
		}
	}
	s.mu.Unlock()
	got, next, err := page(arns, shape.Value(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &snsapi.ListTopicsResponse{Topics: []snsapi.Topic{}, NextToken: next}
	for _, arn := range got {
		out.Topics = append(out.Topics, snsapi.Topic{TopicArn: shape.Ptr(arn)})
	}
	return out, nil
}

func (s *Service) GetTopicAttributes(ctx context.Context, in *snsapi.GetTopicAttributesInput) (*snsapi.GetTopicAttributesResponse, error) {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicByARN(c, shape.Value(in.TopicArn), "TopicArn")
	if err != nil {
		return nil, err
	}
	confirmed, pending := 0, 0
	for _, sub := range s.subs {
		switch {
		case sub.topic != t.arn:
		case sub.state.Pending:
			pending++
		default:
			confirmed++
		}
	}
	out := map[string]string{
		"TopicArn":                t.arn,
		"Owner":                   c.account,
		"Policy":                  defaultPolicy(t.arn, c.account),
		"DisplayName":             "",
		"SubscriptionsConfirmed":  strconv.Itoa(confirmed),
		"SubscriptionsPending":    strconv.Itoa(pending),
		"SubscriptionsDeleted":    strconv.Itoa(t.unsubs),
		"EffectiveDeliveryPolicy": defaultDeliveryPolicy,
	}
	if t.fifo() {
		out["ContentBasedDeduplication"] = "false"
		out["FifoThroughputScope"] = "Topic"
	}
	maps.Copy(out, t.attrs)
	if p, ok := t.attrs["DeliveryPolicy"]; ok {
		out["EffectiveDeliveryPolicy"] = p
	}
	return &snsapi.GetTopicAttributesResponse{Attributes: out}, nil
}

func (s *Service) SetTopicAttributes(ctx context.Context, in *snsapi.SetTopicAttributesInput) error {
	c := callOf(ctx)
	name, value := shape.Value(in.AttributeName), shape.Value(in.AttributeValue)
	if name == "" {
		return missingParameter("AttributeName")
	}
	if name == "FifoTopic" {
		return invalidParameter("AttributeName", "FifoTopic can be set only when the topic is created")
	}
	if err := checkTopicAttribute(name, value, false); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicByARN(c, shape.Value(in.TopicArn), "TopicArn")
	if err != nil {
		return err
	}
	if !t.fifo() {
		if err := standardOnly(map[string]string{name: value}); err != nil {
			return err
		}
	}
	next := *t
	next.attrs = maps.Clone(t.attrs)
	// Our decision: setting an attribute to "" removes it, so the default
	// shows again in GetTopicAttributes.
	if value == "" {
		delete(next.attrs, name)
	} else {
		next.attrs[name] = value
	}
	if err := s.saveTopic(ctx, &next); err != nil {
		return err
	}
	*t = next
	return nil
}

// settableTopicAttributes are the attributes AWS accepts in CreateTopic and
// SetTopicAttributes. Vigil stores and returns them; only FIFO ones change
// behaviour today.
var settableTopicAttributes = map[string]bool{
	"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "KmsMasterKeyId": true,
	"SignatureVersion": true, "TracingConfig": true, "DataProtectionPolicy": true,
	"ContentBasedDeduplication": true, "ArchivePolicy": true, "FifoThroughputScope": true,
	"ApplicationSuccessFeedbackRoleArn": true, "ApplicationSuccessFeedbackSampleRate": true, "ApplicationFailureFeedbackRoleArn": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true, "HTTPFailureFeedbackRoleArn": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaSuccessFeedbackSampleRate": true, "LambdaFailureFeedbackRoleArn": true,
	"SQSSuccessFeedbackRoleArn": true, "SQSSuccessFeedbackSampleRate": true, "SQSFailureFeedbackRoleArn": true,
	"FirehoseSuccessFeedbackRoleArn": true, "FirehoseSuccessFeedbackSampleRate": true, "FirehoseFailureFeedbackRoleArn": true,
}

// checkTopicAttribute validates one attribute's value by AWS's rules.
func checkTopicAttribute(name, value string, creating bool) error {
	param := "AttributeName"
	if creating {
		param = "Attributes"
	}
	if !settableTopicAttributes[name] {
		return invalidParameter(param, "Unknown attribute "+name)
	}
	switch name {
	case "DisplayName":
		if len(value) > 100 {
			return invalidParameter("DisplayName", "DisplayName must be at most 100 characters")
		}
	case "Policy", "DeliveryPolicy", "TracingConfig", "DataProtectionPolicy", "ArchivePolicy":
		if value != "" && !json.Valid([]byte(value)) && name != "TracingConfig" {
			return invalidParameter(name, name+" is not valid JSON")
		}
		if name == "TracingConfig" && value != "" && value != "Active" && value != "PassThrough" {
			return invalidParameter("TracingConfig", "TracingConfig must be Active or PassThrough")
		}
		if name == "DeliveryPolicy" && value != "" {
			return checkTopicDeliveryPolicy(value)
		}
	case "SignatureVersion":
		if value != "" && value != "1" && value != "2" {
			return invalidParameter("SignatureVersion", "SignatureVersion must be 1 or 2")
		}
	case "ContentBasedDeduplication":
		if _, err := parseBool(name, value); err != nil {
			return err
		}
	case "FifoThroughputScope":
		if value != "" && value != "Topic" && value != "MessageGroup" {
			return invalidParameter("FifoThroughputScope", "FifoThroughputScope must be Topic or MessageGroup")
		}
	}
	return nil
}

// standardOnly refuses attributes that only FIFO topics have.
func standardOnly(attrs map[string]string) error {
	for _, k := range []string{"ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope"} {
		if _, ok := attrs[k]; ok {
			return invalidParameter(k, "The "+k+" attribute can only be set for FIFO topics")
		}
	}
	return nil
}

func parseBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalidParameter(name, name+" must be true or false")
}

// defaultPolicy is the access policy AWS gives a new topic: the owner's
// account may do everything.
func defaultPolicy(arn, account string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` +
		arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + account + `"}}}]}`
}

// defaultDeliveryPolicy is AWS's EffectiveDeliveryPolicy of a topic with no
// DeliveryPolicy.
const defaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`
