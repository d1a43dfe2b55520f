package events

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"strconv"
	"time"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/events/transform"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/sqs"
)

// eventsSenderID is the SenderId SQS receivers see on messages EventBridge
// sends. Our decision: a fixed principal id, like SNS's.
const eventsSenderID = "AIDAIEVENTBRIDGEVIGIL"

// Backoff between attempts: exponential from backoffBase, capped at
// backoffMax, with jitter (AWS: "exponential back off and jitter"; the
// constants are our decision).
const (
	backoffBase = time.Second
	backoffMax  = 5 * time.Minute
)

// deliveryError is a failed attempt: the DLQ's ERROR_CODE and ERROR_MESSAGE,
// and whether retrying could help.
type deliveryError struct {
	code, msg string
	permanent bool
	// retryAfter is the least wait before the next attempt (an API
	// destination's Retry-After, apiinvoke.go).
	retryAfter time.Duration
}

func (e *deliveryError) Error() string { return e.code + ": " + e.msg }

// Deliver makes one attempt at delivering an event to a target (the
// outbox's Deliverer for KindTarget).
func (s *Service) Deliver(ctx context.Context, e outbox.Entry) outbox.Outcome {
	var j job
	if err := json.Unmarshal(e.Payload, &j); err != nil {
		s.log.Error("events: undecodable delivery dropped", "id", e.ID, "err", err)
		return outbox.Outcome{Done: true}
	}
	p := partition{account: j.Account, region: j.Region}
	s.mu.RLock()
	var r *rule
	var t *target
	if b := s.lookupBus(p, j.Bus); b != nil {
		if r = b.rules[j.Rule]; r != nil {
			t = r.target(j.Target)
		}
	}
	s.mu.RUnlock()
	if t == nil {
		// Our decision: the user removed the rule or target after the
		// event matched; its pending deliveries go with it.
		s.log.Info("events: delivery dropped: its rule or target was removed", "bus", j.Bus, "rule", j.Rule, "target", j.Target, "event", j.ID)
		return outbox.Outcome{Done: true}
	}
	now := s.clock.Now()
	if out, ok := s.admitAPI(p, r, t, &j, now); !ok {
		return out
	}
	if de := hopLimit(t, &j); de != nil {
		// The target is not invoked at all: AWS counts these in
		// DeadLetterInvocations, not in Invocations or FailedInvocations
		// ("This includes invocations that would result in running the
		// same rule again, causing an infinite loop", user guide,
		// Monitoring).
		s.met.notInvoked(p, j.Bus, r.name, now)
		return s.deadLetter(ctx, r, t, &j, de, "", e.Attempts, now)
	}
	err := s.attempt(ctx, p, r, t, &j, now)
	s.met.attempted(p, &j, r, e.Attempts, now, err == nil)
	if err == nil {
		return outbox.Outcome{Done: true}
	}
	return s.afterAttempt(ctx, p, r, t, &j, e.Attempts, now, err)
}

// afterAttempt decides what follows a failed attempt, retries being the
// attempts made before it: a retry at its backoff, or, when retrying
// cannot help or the retry policy is exhausted, the dead-letter queue.
func (s *Service) afterAttempt(ctx context.Context, p partition, r *rule, t *target, j *job, retries int, now time.Time, err error) outbox.Outcome {
	de := classify(err)
	cond := ""
	switch {
	case de.permanent:
		// Not retried: the target does not exist or refuses the event.
	case retries >= t.attempts:
		cond = "MaximumRetryAttempts"
	default:
		next := now.Add(max(backoff(j.ID, retries), de.retryAfter))
		if next.Sub(time.UnixMilli(j.Ingest)) > t.maxAge {
			cond = "MaximumEventAgeInSeconds"
			break
		}
		s.log.Debug("events: delivery failed; retrying", "rule", r.arn, "target", j.Target, "err", de, "at", next)
		return outbox.Outcome{RetryAt: next}
	}
	s.met.failed(p, j.Bus, r.name, now)
	return s.deadLetter(ctx, r, t, j, de, cond, retries, now)
}

// attempt delivers the event to t once.
func (s *Service) attempt(ctx context.Context, p partition, r *rule, t *target, j *job, now time.Time) error {
	if t.kind == targetBus {
		return s.forward(ctx, t, j, now)
	}
	payload, err := s.payload(r, t, j)
	if err != nil {
		return err
	}
	switch t.kind {
	case targetSQS:
		if s.queues == nil {
			return &deliveryError{code: "INTERNAL_ERROR", msg: "no SQS service"}
		}
		return s.queues.DeliverAll(ctx, []sqs.Message{{Queue: t.dest, Delivery: s.sqsMessage(t, j, payload, now)}})[0]
	case targetSNS:
		if s.topics == nil {
			return &deliveryError{code: "INTERNAL_ERROR", msg: "no SNS service"}
		}
		return s.topics.NotifyTopic(ctx, t.destP.account, t.destP.region, t.dest, "", string(payload))
	case targetAPI:
		return s.invokeAPI(ctx, t, payload)
	case targetLogs:
		if s.logs == nil {
			return &deliveryError{code: "INTERNAL_ERROR", msg: "no CloudWatch Logs service"}
		}
		// EventBridge writes each event into a stream named after the
		// event's id, at the event's time.
		at, msg := time.UnixMilli(j.Time).UTC(), string(payload)
		if customInput(&t.spec) {
			var err error
			if at, msg, err = logRecord(payload, at); err != nil {
				return err
			}
		}
		return s.logs.PutTargetEvent(ctx, t.destP.account, t.destP.region, t.dest, j.ID, at, msg)
	}
	return &deliveryError{code: "INTERNAL_ERROR", msg: "unknown target kind", permanent: true}
}

// payload is what t receives of the event: the event, or its input
// transformation.
func (s *Service) payload(r *rule, t *target, j *job) ([]byte, error) {
	if t.tf == nil || t.tf.Whole() {
		// The event was built by appendEvent (or read back from the
		// outbox or an archive it was stored in): valid JSON, which
		// Apply would only check again and copy.
		return j.Event, nil
	}
	payload, err := t.tf.Apply(j.Event, transform.Vars{RuleArn: r.arn, RuleName: r.name, IngestionTime: time.UnixMilli(j.Ingest).UTC()})
	if err != nil {
		return nil, &deliveryError{code: "INVALID_JSON", msg: err.Error(), permanent: true}
	}
	return payload, nil
}

// sqsMessage is the message an SQS target receives.
func (s *Service) sqsMessage(t *target, j *job, payload []byte, now time.Time) sqs.Delivery {
	d := sqs.Delivery{Body: string(payload), Sender: eventsSenderID, Now: now}
	if t.groupID != "" {
		// The event id deduplicates a repeat after a crash.
		d.GroupID, d.DedupID = t.groupID, j.ID
	}
	return d
}

// hopLimit is the error of a delivery to a bus target that would take the
// event to a third bus, or nil: EventBridge routes an event over one
// bus-to-bus hop at most.
func hopLimit(t *target, j *job) *deliveryError {
	if t.kind != targetBus || j.Hops < 1 {
		return nil
	}
	code := "INVALID_PARAMETER"
	switch {
	case t.destP.account != j.Account:
		code = "THIRD_ACCOUNT_HOP_DETECTED"
	case t.destP.region != j.Region:
		code = "THIRD_REGION_HOP_DETECTED"
	}
	return &deliveryError{code: code, msg: "EventBridge can't route events received from a sender event bus to a third event bus.", permanent: true}
}

// forward puts the event on another bus: it is archived there as that
// bus's archives say, matched, and its deliveries enqueued. A replayed
// event is not archived again. A bus of another account takes the event
// only when its policy allows the rule's account (acting as the target's
// execution role, if it names one) to put events on it.
func (s *Service) forward(ctx context.Context, t *target, j *job, now time.Time) error {
	s.mu.RLock()
	b := s.lookupBus(t.destP, t.dest)
	if t.destP.account != j.Account {
		if err := s.crossAccountCheck(b, t, j); err != nil {
			s.mu.RUnlock()
			return err
		}
	}
	if b == nil {
		s.mu.RUnlock()
		return &deliveryError{code: "NO_RESOURCE", msg: "Event bus " + t.dest + " does not exist.", permanent: true}
	}
	at := time.UnixMilli(j.Time)
	ds := s.route(s.met, nil, t.destP, b, j.Event, j.ID, at, j.Hops+1, now, false)
	var archived *archiveBatch
	if !j.Replay {
		archived = s.archiveEvent(&archiveBatch{again: true}, t.destP, b, j.Event, j.ID, at)
	}
	s.mu.RUnlock()
	if err := s.commitArchive(archived); err != nil {
		return &deliveryError{code: "INTERNAL_ERROR", msg: err.Error()}
	}
	if err := s.dispatch(ctx, s.met, ds); err != nil {
		return &deliveryError{code: "INTERNAL_ERROR", msg: err.Error()}
	}
	return nil
}

// crossAccountCheck refuses a forward from account j.Account to bus b of
// another account (nil: none by that name) unless b's policy allows it.
// Not retried: AWS sends events refused for missing permissions "directly
// to the DLQ".
func (s *Service) crossAccountCheck(b *bus, t *target, j *job) error {
	var ev struct {
		Source     string `json:"source"`
		DetailType string `json:"detail-type"`
	}
	_ = json.Unmarshal(j.Event, &ev) // built by appendEvent: valid
	// EventBridge acts as the target's execution role when it has one.
	if s.admitsAccount(b, j.Account, shape.Value(t.spec.RoleArn), ev.Source, ev.DetailType) {
		return nil
	}
	return &deliveryError{code: "CROSS_ACCOUNT_INGESTION_FAILED", permanent: true,
		msg: "Event bus " + shape.Value(t.spec.Arn) + " does not exist or its policy does not allow account " + j.Account + " to put events on it."}
}

// classify maps a target's error to the DLQ's ERROR_CODE.
func classify(err error) *deliveryError {
	var de *deliveryError
	if errors.As(err, &de) {
		return de
	}
	var (
		noQueue *sqsapi.QueueDoesNotExist
		noTopic *snsapi.NotFoundException
		me      shape.ModeledError
		se      *shape.Error
	)
	switch {
	case errors.As(err, &noQueue), errors.As(err, &noTopic):
		return &deliveryError{code: "NO_RESOURCE", msg: errText(err), permanent: true}
	case errors.As(err, &me):
		if name := me.ErrorShape().Name; name == "ResourceNotFoundException" {
			return &deliveryError{code: "NO_RESOURCE", msg: errText(err), permanent: true}
		}
		return &deliveryError{code: "INVALID_PARAMETER", msg: errText(err), permanent: true}
	case errors.As(err, &se) && se.Sender:
		return &deliveryError{code: "INVALID_PARAMETER", msg: se.Message, permanent: true}
	case errors.Is(err, context.DeadlineExceeded):
		return &deliveryError{code: "TIMEOUT", msg: err.Error()}
	}
	return &deliveryError{code: "INTERNAL_ERROR", msg: err.Error()}
}

// errText is a modeled error's message without its code prefix.
func errText(err error) string {
	s := err.Error()
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] == ' ' {
			return s[i+2:]
		}
	}
	return s
}

// backoff is the delay after the n-th failed retry: base·2^n, capped, with
// half of it jittered by a hash of the event id (deterministic, so a test
// on a fake clock knows the bounds).
func backoff(id string, n int) time.Duration {
	d := backoffMax
	if n < 20 {
		d = min(backoffBase<<n, backoffMax)
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	h.Write([]byte{byte(n)})
	half := d / 2
	return (half + time.Duration(h.Sum32())%(half+1)).Truncate(time.Millisecond)
}

// deadLetter sends the event to the target's DLQ with AWS's attributes, or
// drops it with a log line when there is none.
func (s *Service) deadLetter(ctx context.Context, r *rule, t *target, j *job, de *deliveryError, cond string, retries int, now time.Time) outbox.Outcome {
	if t.dlq == "" || s.queues == nil {
		s.log.Warn("events: event dropped after failed delivery", "rule", r.arn, "target", shape.Value(t.spec.Arn), "event", j.ID,
			"error_code", de.code, "error", de.msg, "exhausted", cond, "retries", retries)
		return outbox.Outcome{Done: true}
	}
	str := func(v string) sqsapi.MessageAttributeValue {
		return sqsapi.MessageAttributeValue{DataType: shape.Ptr("String"), StringValue: shape.Ptr(v)}
	}
	attrs := map[string]sqsapi.MessageAttributeValue{
		"RULE_ARN":      str(r.arn),
		"TARGET_ARN":    str(shape.Value(t.spec.Arn)),
		"ERROR_CODE":    str(de.code),
		"ERROR_MESSAGE": str(de.msg),
		// Our decision: AWS names the attributes but not their data
		// types; the count is a Number, the rest Strings.
		"RETRY_ATTEMPTS": {DataType: shape.Ptr("Number"), StringValue: shape.Ptr(strconv.Itoa(retries))},
	}
	// EXHAUSTED_RETRY_CONDITION names the RetryPolicy limit reached; an
	// event sent without retries (the target does not exist or refused
	// it) exhausted none, so the attribute is left out (our decision).
	if cond != "" {
		attrs["EXHAUSTED_RETRY_CONDITION"] = str(cond)
	}
	err := s.queues.DeliverAll(ctx, []sqs.Message{{Queue: t.dlq, Delivery: sqs.Delivery{Body: string(j.Event), Attrs: attrs, Sender: eventsSenderID, Now: now}}})[0]
	switch {
	case err == nil:
		s.met.deadLettered(partition{j.Account, j.Region}, j.Bus, r.name, now, true)
		return outbox.Outcome{Done: true}
	case sqs.Rejected(err):
		s.met.deadLettered(partition{j.Account, j.Region}, j.Bus, r.name, now, false)
		s.log.Warn("events: dead-letter queue refused the event; dropped", "rule", r.arn, "dlq", t.dlq, "event", j.ID, "err", err)
		return outbox.Outcome{Done: true}
	default:
		// A storage failure: try the whole delivery again later.
		return outbox.Outcome{RetryAt: now.Add(backoffBase)}
	}
}

func customInput(t *eventsapi.Target) bool {
	return t.Input != nil || t.InputPath != nil || t.InputTransformer != nil
}

// logRecord reads a customized input for a log group target, which must be
// {"timestamp": <ms or ISO 8601>, "message": <string or JSON>} as AWS's
// log group targets expect (the message of a non-string is its JSON text;
// a missing timestamp is the event's time). Anything else is refused, not
// written as a garbled record (our decision on what AWS leaves unsaid).
func logRecord(payload []byte, at time.Time) (time.Time, string, error) {
	var rec struct {
		Timestamp json.RawMessage `json:"timestamp"`
		Message   json.RawMessage `json:"message"`
	}
	bad := &deliveryError{code: "INVALID_PARAMETER", permanent: true,
		msg: `The input for a CloudWatch Logs target must be a JSON object {"timestamp": ..., "message": ...}.`}
	if err := json.Unmarshal(payload, &rec); err != nil || len(rec.Message) == 0 {
		return at, "", bad
	}
	msg := string(rec.Message)
	var str string
	if json.Unmarshal(rec.Message, &str) == nil {
		msg = str
	}
	if len(rec.Timestamp) > 0 && string(rec.Timestamp) != "null" {
		var n int64
		var iso string
		switch {
		case json.Unmarshal(rec.Timestamp, &n) == nil:
			at = time.UnixMilli(n).UTC()
		case json.Unmarshal(rec.Timestamp, &iso) == nil:
			t, err := time.Parse(time.RFC3339Nano, iso)
			if err != nil {
				return at, "", bad
			}
			at = t.UTC()
		default:
			return at, "", bad
		}
	}
	return at, msg, nil
}
