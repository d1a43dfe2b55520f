package sns

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/eventpattern"
)

// subscription is one subscription. Its fields change only under Service.mu.
type subscription struct {
	arn, topic, protocol, endpoint, owner string
	attrs                                 map[string]string     // the attributes set by the user
	filter                                *eventpattern.Pattern // compiled FilterPolicy, nil without one
	state                                 subState              // confirmation state (confirm.go)
}

// compile checks and compiles the subscription's filter policy.
func (sub *subscription) compile() error {
	sub.filter = nil
	policy, ok := sub.attrs["FilterPolicy"]
	if !ok {
		return nil
	}
	p, err := compileFilter(policy, sub.attrs["FilterPolicyScope"])
	if err != nil {
		return err
	}
	sub.filter = p
	return nil
}

func (sub *subscription) raw() bool {
	return strings.EqualFold(sub.attrs["RawMessageDelivery"], "true")
}

// knownProtocols are the protocols AWS accepts; Vigil delivers sqs (here),
// http, https, email and email-json (confirm.go, delivery.go).
var knownProtocols = map[string]bool{
	"http": true, "https": true, "email": true, "email-json": true, "sms": true,
	"sqs": true, "application": true, "lambda": true, "firehose": true,
}

// settableSubscriptionAttributes are those AWS accepts in Subscribe and
// SetSubscriptionAttributes.
var settableSubscriptionAttributes = map[string]bool{
	"DeliveryPolicy": true, "FilterPolicy": true, "FilterPolicyScope": true, "RawMessageDelivery": true,
	"RedrivePolicy": true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

func checkSubscriptionAttribute(name, value string) error {
	if !settableSubscriptionAttributes[name] {
		return invalidParameter("AttributeName", "Unknown attribute "+name)
	}
	switch name {
	case "RawMessageDelivery":
		_, err := parseBool(name, value)
		return err
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return invalidParameter("FilterPolicyScope", "FilterPolicyScope must be MessageAttributes or MessageBody")
		}
	case "DeliveryPolicy":
		if value != "" {
			return checkSubscriptionDeliveryPolicy(value)
		}
	case "FilterPolicy", "ReplayPolicy":
		// A filter policy's operators are checked by compile, once the
		// scope it applies to is known.
		var obj map[string]any
		if value != "" && json.Unmarshal([]byte(value), &obj) != nil {
			return invalidParameter(name, name+": failed to parse JSON")
		}
	case "RedrivePolicy":
		var p struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		}
		if value != "" && (json.Unmarshal([]byte(value), &p) != nil || !strings.HasPrefix(p.DeadLetterTargetArn, "arn:aws:sqs:")) {
			return invalidParameter("RedrivePolicy", "RedrivePolicy: deadLetterTargetArn must be the ARN of an SQS queue")
		}
	}
	return nil
}

// validQueueARN: arn:aws:sqs:region:account:name.
func validQueueARN(arn string) bool {
	p := strings.Split(arn, ":")
	return len(p) == 6 && p[0] == "arn" && p[2] == "sqs" && p[3] != "" && p[4] != "" && p[5] != ""
}

// Subscribe subscribes an SQS queue, confirmed at once as AWS does for a
// queue. Our decision, as AWS: the queue need not exist yet (only its ARN's
// form is checked); the queue's policy is not consulted. Subscribing the
// same endpoint again returns the existing subscription.
func (s *Service) Subscribe(ctx context.Context, in *snsapi.SubscribeInput) (*snsapi.SubscribeResponse, error) {
	c := callOf(ctx)
	protocol, endpoint := shape.Value(in.Protocol), shape.Value(in.Endpoint)
	if protocol == "" {
		return nil, missingParameter("Protocol")
	}
	if !knownProtocols[protocol] {
		return nil, invalidParameter("Protocol", "Invalid protocol type: "+protocol)
	}
	if protocol != "sqs" {
		if confirmable(protocol) {
			return s.subscribeConfirmable(ctx, c, in)
		}
		return nil, s.checkEndpoint(protocol, endpoint)
	}
	if !validQueueARN(endpoint) {
		return nil, invalidParameter("SQS endpoint ARN", "")
	}
	for k, v := range in.Attributes {
		if err := checkSubscriptionAttribute(k, v); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicByARN(c, shape.Value(in.TopicArn), "TopicArn")
	if err != nil {
		return nil, err
	}
	switch queueFifo := strings.HasSuffix(endpoint, ".fifo"); {
	case t.fifo() && !queueFifo:
		return nil, invalidParameter("Endpoint", "Please use FIFO SQS queue")
	case !t.fifo() && queueFifo:
		return nil, invalidParameter("Endpoint", "FIFO SQS Queues can not be subscribed to standard SNS topics")
	}
	for _, sub := range s.subs {
		if sub.topic == t.arn && sub.protocol == protocol && sub.endpoint == endpoint {
			if len(in.Attributes) > 0 && !maps.Equal(sub.attrs, in.Attributes) {
				return nil, invalidParameter("Attributes", "Subscription already exists with different attributes")
			}
			return &snsapi.SubscribeResponse{SubscriptionArn: shape.Ptr(sub.arn)}, nil
		}
	}
	sub := &subscription{arn: t.arn + ":" + s.ids.UUID(), topic: t.arn, protocol: protocol, endpoint: endpoint,
		owner: c.account, attrs: maps.Clone(nonNil(in.Attributes))}
	if err := sub.compile(); err != nil {
		return nil, err
	}
	if err := s.saveSubscription(ctx, sub); err != nil {
		return nil, err
	}
	s.subs[sub.arn] = sub
	return &snsapi.SubscribeResponse{SubscriptionArn: shape.Ptr(sub.arn)}, nil
}

// subscriptionByARN finds a subscription of the caller. Callers hold s.mu.
func (s *Service) subscriptionByARN(c call, arn string) (*subscription, error) {
	if arn == "" {
		return nil, missingParameter("SubscriptionArn")
	}
	region, account, rest, ok := arnParts(arn)
	if !ok || !strings.Contains(rest, ":") {
		return nil, invalidParameter("SubscriptionArn", "")
	}
	sub := s.subs[arn]
	if sub == nil || region != c.region || account != c.account {
		return nil, errNoSubscription()
	}
	return sub, nil
}

// Unsubscribe removes a subscription. Our decision: an unknown (but
// well-formed) subscription ARN is no error, as the call is idempotent in
// AWS's examples; a malformed one is InvalidParameter.
func (s *Service) Unsubscribe(ctx context.Context, in *snsapi.UnsubscribeInput) error {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.subscriptionByARN(c, shape.Value(in.SubscriptionArn))
	if err != nil {
		if _, ok := err.(*snsapi.NotFoundException); ok {
			return nil
		}
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrapDB("unsubscribe", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sns_subscriptions WHERE arn = ?`, sub.arn); err != nil {
		return wrapDB("unsubscribe", err)
	}
	t := s.topics[sub.topic]
	if t != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE sns_topics SET unsubs = unsubs + 1 WHERE arn = ?`, t.arn); err != nil {
			return wrapDB("unsubscribe", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return wrapDB("unsubscribe", err)
	}
	delete(s.subs, sub.arn)
	if t != nil {
		t.unsubs++
	}
	s.afterUnsubscribe(ctx, c, sub)
	return nil
}

func (s *Service) ListSubscriptions(ctx context.Context, in *snsapi.ListSubscriptionsInput) (*snsapi.ListSubscriptionsResponse, error) {
	c := callOf(ctx)
	subs, next, err := s.listSubscriptions(c, "", shape.Value(in.NextToken))
	if err != nil {
		return nil, err
	}
	return &snsapi.ListSubscriptionsResponse{Subscriptions: subs, NextToken: next}, nil
}

func (s *Service) ListSubscriptionsByTopic(ctx context.Context, in *snsapi.ListSubscriptionsByTopicInput) (*snsapi.ListSubscriptionsByTopicResponse, error) {
	c := callOf(ctx)
	s.mu.Lock()
	t, err := s.topicByARN(c, shape.Value(in.TopicArn), "TopicArn")
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	subs, next, err := s.listSubscriptions(c, t.arn, shape.Value(in.NextToken))
	if err != nil {
		return nil, err
	}
	return &snsapi.ListSubscriptionsByTopicResponse{Subscriptions: subs, NextToken: next}, nil
}

// listSubscriptions pages the caller's subscriptions (of one topic when
// topicARN is set), sorted by ARN.
func (s *Service) listSubscriptions(c call, topicARN, token string) ([]snsapi.Subscription, *string, error) {
	prefix := c.topicARN("")
	s.mu.Lock()
	var arns []string
	byARN := map[string]snsapi.Subscription{}
	for arn, sub := range s.subs {
		if !strings.HasPrefix(arn, prefix) || topicARN != "" && sub.topic != topicARN {
			continue
		}
		arns = append(arns, arn)
		listed := sub.arn
		if sub.state.Pending {
			listed = pendingListedARN
		}
		byARN[arn] = snsapi.Subscription{SubscriptionArn: shape.Ptr(listed), Owner: shape.Ptr(sub.owner),
			Protocol: shape.Ptr(sub.protocol), Endpoint: shape.Ptr(sub.endpoint), TopicArn: shape.Ptr(sub.topic)}
	}
	s.mu.Unlock()
	got, next, err := page(arns, token)
	if err != nil {
		return nil, nil, err
	}
	out := make([]snsapi.Subscription, 0, len(got))
	for _, arn := range got {
		out = append(out, byARN[arn])
	}
	return out, next, nil
}

func (s *Service) GetSubscriptionAttributes(ctx context.Context, in *snsapi.GetSubscriptionAttributesInput) (*snsapi.GetSubscriptionAttributesResponse, error) {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.subscriptionByARN(c, shape.Value(in.SubscriptionArn))
	if err != nil {
		return nil, err
	}
	out := map[string]string{
		"SubscriptionArn":              sub.arn,
		"TopicArn":                     sub.topic,
		"Owner":                        sub.owner,
		"Protocol":                     sub.protocol,
		"Endpoint":                     sub.endpoint,
		"ConfirmationWasAuthenticated": strconv.FormatBool(sub.protocol == "sqs" || sub.state.Authenticated),
		"PendingConfirmation":          strconv.FormatBool(sub.state.Pending),
		"RawMessageDelivery":           "false",
		"SubscriptionPrincipal":        "arn:aws:iam::" + sub.owner + ":root",
	}
	if sub.protocol == "http" || sub.protocol == "https" {
		if t := s.topics[sub.topic]; t != nil {
			out["EffectiveDeliveryPolicy"] = effectiveDeliveryPolicyJSON(effectivePolicy(t.attrs, sub.attrs))
		}
	}
	maps.Copy(out, sub.attrs)
	if _, ok := sub.attrs["FilterPolicy"]; ok {
		if _, ok := sub.attrs["FilterPolicyScope"]; !ok {
			out["FilterPolicyScope"] = "MessageAttributes"
		}
	}
	return &snsapi.GetSubscriptionAttributesResponse{Attributes: out}, nil
}

func (s *Service) SetSubscriptionAttributes(ctx context.Context, in *snsapi.SetSubscriptionAttributesInput) error {
	c := callOf(ctx)
	name, value := shape.Value(in.AttributeName), shape.Value(in.AttributeValue)
	if name == "" {
		return missingParameter("AttributeName")
	}
	if err := checkSubscriptionAttribute(name, value); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.subscriptionByARN(c, shape.Value(in.SubscriptionArn))
	if err != nil {
		return err
	}
	if name == "RawMessageDelivery" && isEmail(sub.protocol) {
		return invalidParameter("AttributeName", "Delivery protocol ["+sub.protocol+"] does not support raw message delivery")
	}
	next := *sub
	next.attrs = maps.Clone(nonNil(sub.attrs))
	// As AWS: an empty FilterPolicy (or other policy) removes it.
	if value == "" {
		delete(next.attrs, name)
	} else {
		next.attrs[name] = value
	}
	if err := next.compile(); err != nil {
		return err
	}
	if err := s.saveSubscription(ctx, &next); err != nil {
		return err
	}
	*sub = next
	return nil
}
