package events

import (
	"context"
	"errors"
	"strings"
	"time"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/events/transform"
)

// maxTargets is AWS's limit of targets per rule.
const maxTargets = 5

// RetryPolicy defaults (API reference, RetryPolicy; user guide: "By
// default, EventBridge retries sending the event for 24 hours and up to
// 185 times").
const (
	defaultRetryAttempts = 185
	defaultEventAge      = 86400
)

type targetKind uint8

const (
	targetSQS targetKind = iota + 1
	targetSNS
	targetLogs
	targetBus
	targetAPI // an API destination (apiinvoke.go)
)

// target is a compiled target: where it delivers and how.
type target struct {
	spec     eventsapi.Target
	kind     targetKind
	dest     string    // queue or topic ARN, log group name, bus name
	destP    partition // the destination's account and region
	groupID  string    // SQS FIFO MessageGroupId
	tf       *transform.Transform
	attempts int           // MaximumRetryAttempts
	maxAge   time.Duration // MaximumEventAgeInSeconds
	dlq      string
}

// compileTarget validates t as PutTargets does for a rule of account and
// region p.
func compileTarget(p partition, t *eventsapi.Target) (*target, error) {
	arn := shape.Value(t.Arn)
	id := shape.Value(t.Id)
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || !strings.HasPrefix(f[1], "aws") || f[2] == "" || f[5] == "" {
		return nil, validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", arn)
	}
	svc, reg, acct, res := f[2], f[3], f[4], f[5]
	ct := &target{spec: *t, destP: partition{account: acct, region: reg}, attempts: defaultRetryAttempts, maxAge: defaultEventAge * time.Second}
	if acct != p.account && !(svc == "events" && (strings.HasPrefix(res, "api-destination/") || strings.HasPrefix(res, "event-bus/"))) {
		// Another account's bus is a target; it takes the events its
		// policy allows (forward). Other kinds of resource stay within
		// their account.
		return nil, validation("Target %s: %s is in account %s; Vigil delivers to another account's event bus (as its policy allows), not to its other resources.", id, arn, acct)
	}
	sameRegion := func() error {
		if reg != p.region {
			return validation("Target %s: %s is in region %s; only event bus targets may be in another region than the rule (%s).", id, arn, reg, p.region)
		}
		return nil
	}
	switch svc {
	case "sqs":
		if !sqsARNPattern.MatchString(arn) {
			return nil, validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", arn)
		}
		if err := sameRegion(); err != nil {
			return nil, err
		}
		ct.kind, ct.dest = targetSQS, arn
		if strings.HasSuffix(res, ".fifo") {
			if t.SqsParameters == nil || shape.Value(t.SqsParameters.MessageGroupId) == "" {
				return nil, validation("Parameter(s) SqsParameters must be specified for FIFO queues.")
			}
			ct.groupID = *t.SqsParameters.MessageGroupId
		}
	case "sns":
		if err := sameRegion(); err != nil {
			return nil, err
		}
		if strings.HasSuffix(res, ".fifo") {
			// Publishing to a FIFO topic needs a MessageGroupId, and
			// PutTargets has no parameter that gives one.
			return nil, validation("Target %s: SNS FIFO topics are not supported as targets (a publish needs a MessageGroupId that PutTargets cannot give); use a standard topic or an SQS FIFO queue.", id)
		}
		ct.kind, ct.dest = targetSNS, arn
	case "logs":
		name, ok := strings.CutPrefix(res, "log-group:")
		name = strings.TrimSuffix(name, ":*")
		if !ok || name == "" || strings.Contains(name, ":") {
			return nil, validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", arn)
		}
		if err := sameRegion(); err != nil {
			return nil, err
		}
		ct.kind, ct.dest = targetLogs, name
	case "events":
		switch {
		case strings.HasPrefix(res, "event-bus/") && len(res) > len("event-bus/"):
			ct.kind, ct.dest = targetBus, strings.TrimPrefix(res, "event-bus/")
			if t.Input != nil || t.InputPath != nil || t.InputTransformer != nil {
				// Our decision: the receiving bus matches the event itself,
				// so a changed input could not be an event; refuse it
				// rather than drop the setting.
				return nil, validation("Target %s: Input, InputPath and InputTransformer are not supported by Vigil for event bus targets.", id)
			}
		case strings.HasPrefix(res, "api-destination/"):
			if err := checkAPITarget(p, ct, t); err != nil {
				return nil, err
			}
		default:
			return nil, validation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", arn)
		}
	default:
		// Lambda, Kinesis, Step Functions, ECS, ... : accepting them would
		// drop every event silently.
		return nil, validation("Target %s: Vigil has no %s resources, so %s cannot receive events. Supported targets are SQS queues, SNS topics, CloudWatch Logs log groups, event buses and API destinations.", id, svc, arn)
	}
	var tr *transform.Transformer
	if it := t.InputTransformer; it != nil {
		tr = &transform.Transformer{PathsMap: it.InputPathsMap, Template: shape.Value(it.InputTemplate)}
	}
	tf, err := transform.Compile(t.Input, t.InputPath, tr)
	if err != nil {
		var se *shape.Error
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, validation("%s", err.Error())
	}
	ct.tf = tf
	if rp := t.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil {
			ct.attempts = int(*rp.MaximumRetryAttempts)
		}
		if rp.MaximumEventAgeInSeconds != nil {
			ct.maxAge = time.Duration(*rp.MaximumEventAgeInSeconds) * time.Second
		}
	}
	if ct.dlq, err = checkDLQ(t.DeadLetterConfig); err != nil {
		return nil, err
	}
	if ct.dlq != "" {
		if f := strings.SplitN(ct.dlq, ":", 6); f[4] != p.account {
			return nil, validation("Target %s: the dead-letter queue %s is in another account; Vigil keeps accounts isolated.", id, ct.dlq)
		}
	}
	return ct, nil
}

func (s *Service) PutTargets(ctx context.Context, in *eventsapi.PutTargetsRequest) (*eventsapi.PutTargetsResponse, error) {
	c := callOf(ctx)
	seen := map[string]bool{}
	for i := range in.Targets {
		id := shape.Value(in.Targets[i].Id)
		if seen[id] {
			return nil, validation("Target id %s is given more than once.", id)
		}
		seen[id] = true
		if _, err := compileTarget(c.p, &in.Targets[i]); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, r, err := s.ruleFor(c, in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if r.doc.ManagedBy != "" {
		return nil, &eventsapi.ManagedRuleException{Message: shape.Ptr("Rule " + r.name + " is managed by " + r.doc.ManagedBy + " and cannot be modified.")}
	}
	d := cloneDoc(r.doc)
	for _, t := range in.Targets {
		replaced := false
		for i := range d.Targets {
			if shape.Value(d.Targets[i].Id) == shape.Value(t.Id) {
				d.Targets[i], replaced = t, true
				break
			}
		}
		if !replaced {
			d.Targets = append(d.Targets, t)
		}
	}
	if len(d.Targets) > maxTargets {
		return nil, limitExceeded("The requested resource exceeds the maximum number allowed.")
	}
	if err := s.replaceRule(ctx, c, b, r, d); err != nil {
		return nil, err
	}
	return &eventsapi.PutTargetsResponse{FailedEntryCount: shape.Ptr(int32(0)), FailedEntries: []eventsapi.PutTargetsResultEntry{}}, nil
}

// RemoveTargets removes the targets named; an id the rule does not have is
// ignored, as on AWS. Deliveries already enqueued for a removed target are
// dropped when they come due (delivery.go).
func (s *Service) RemoveTargets(ctx context.Context, in *eventsapi.RemoveTargetsRequest) (*eventsapi.RemoveTargetsResponse, error) {
	c := callOf(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, r, err := s.ruleFor(c, in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	if r.doc.ManagedBy != "" && !shape.Value(in.Force) {
		return nil, &eventsapi.ManagedRuleException{Message: shape.Ptr("Rule " + r.name + " is managed by " + r.doc.ManagedBy + "; use Force to remove its targets.")}
	}
	drop := map[string]bool{}
	for _, id := range in.Ids {
		drop[id] = true
	}
	d := cloneDoc(r.doc)
	kept := d.Targets[:0]
	for _, t := range d.Targets {
		if !drop[shape.Value(t.Id)] {
			kept = append(kept, t)
		}
	}
	if len(kept) != len(r.doc.Targets) {
		d.Targets = kept
		if err := s.replaceRule(ctx, c, b, r, d); err != nil {
			return nil, err
		}
	}
	return &eventsapi.RemoveTargetsResponse{FailedEntryCount: shape.Ptr(int32(0)), FailedEntries: []eventsapi.RemoveTargetsResultEntry{}}, nil
}

func (s *Service) ListTargetsByRule(ctx context.Context, in *eventsapi.ListTargetsByRuleRequest) (*eventsapi.ListTargetsByRuleResponse, error) {
	c := callOf(ctx)
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, r, err := s.ruleFor(c, in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	byID := map[string]eventsapi.Target{}
	ids := make([]string, 0, len(r.doc.Targets))
	for _, t := range r.doc.Targets {
		byID[shape.Value(t.Id)] = t
		ids = append(ids, shape.Value(t.Id))
	}
	got, next, err := page(ids, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &eventsapi.ListTargetsByRuleResponse{Targets: []eventsapi.Target{}, NextToken: next}
	for _, id := range got {
		out.Targets = append(out.Targets, byID[id])
	}
	return out, nil
}
