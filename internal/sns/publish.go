package sns

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/sqs"
)

// Queues delivers messages into SQS queues in one durable write;
// *sqs.Service implements it. errs[i] is ms[i]'s error: one for which
// sqs.Rejected is true is the queue's refusal.
type Queues interface {
	DeliverAll(ctx context.Context, ms []sqs.Message) (errs []error)
}

// maxPublishSize is SNS's limit on a message and its attributes: 256 KiB.
const maxPublishSize = 262144

// snsSenderID is the SenderId an SQS receiver sees on a message SNS
// delivered. Our decision: the principal id AWS's SNS shows, so consumers
// that check it keep working.
const snsSenderID = "AIDAIT2UOQQY3AUEKVGXU"

// message is one checked publish.
type message struct {
	id, subject, body string
	perProtocol       map[string]string // MessageStructure=json: the message per protocol
	attrs             map[string]snsapi.MessageAttributeValue
	groupID, dedupID  string
	seq               string // FIFO topics
	size              int    // body and attributes, as the size limit counts them: PublishSize

	envMu sync.Mutex       // guards envs
	envs  []*envelopeParts // the envelope of each body delivered in one (envelope.go)
}

// bodyFor is the message a protocol's subscribers get.
func (m *message) bodyFor(protocol string) string {
	if m.perProtocol == nil {
		return m.body
	}
	if b, ok := m.perProtocol[protocol]; ok {
		return b
	}
	return m.perProtocol["default"]
}

// fifoState is a FIFO topic's publishing state. Its lock is held across a
// publish's deliveries, so every subscribed queue receives the topic's
// messages in sequence-number order.
type fifoState struct {
	mu      sync.Mutex
	lastSeq uint64
	dedup   map[string]published // by deduplication id, for five minutes
}

type published struct {
	id, seq string
	at      time.Time
}

const dedupWindow = 5 * time.Minute

func (s *Service) Publish(ctx context.Context, in *snsapi.PublishInput) (*snsapi.PublishResponse, error) {
	c := callOf(ctx)
	if shape.Value(in.PhoneNumber) != "" {
		return nil, invalidParameter("PhoneNumber", "SMS is not supported by Vigil yet")
	}
	arn := shape.Value(in.TopicArn)
	if arn == "" {
		arn = shape.Value(in.TargetArn)
	}
	if arn == "" {
		return nil, invalidParameter("TopicArn or TargetArn", "No endpoint found for the target arn specified")
	}
	m, err := checkMessage(shape.Value(in.Message), shape.Value(in.Subject), shape.Value(in.MessageStructure), in.MessageAttributes)
	if err != nil {
		return nil, err
	}
	m.groupID, m.dedupID = shape.Value(in.MessageGroupId), shape.Value(in.MessageDeduplicationId)
	t, subs, err := s.target(c, arn)
	if err != nil {
		return nil, err
	}
	if err := checkFifo(t, m); err != nil {
		return nil, err
	}
	if err := s.publish(ctx, c, t, subs, m); err != nil {
		return nil, err
	}
	s.met.published(t.arn, m.size, c.now)
	return &snsapi.PublishResponse{MessageId: &m.id, SequenceNumber: optional(m.seq)}, nil
}

// target finds the topic and a snapshot of it and its subscriptions.
func (s *Service) target(c call, arn string) (*topic, []*subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	live, err := s.topicByARN(c, arn, "TopicArn")
	if err != nil {
		return nil, nil, err
	}
	t := *live // SetTopicAttributes replaces the live topic's fields
	var subs []*subscription
	for _, sub := range s.subs {
		if sub.topic == t.arn {
			cp := *sub
			subs = append(subs, &cp)
		}
	}
	return &t, subs, nil
}

// checkMessage applies Publish's rules to one message, in SNS's order.
func checkMessage(body, subject, structure string, attrs map[string]snsapi.MessageAttributeValue) (*message, error) {
	if body == "" {
		return nil, invalidParameter("Empty message", "")
	}
	if subject != "" && !validSubject(subject) {
		return nil, invalidParameter("Subject", "Subject must be ASCII text that begins with a letter, number, or punctuation mark; must not include line breaks or control characters; and must be less than 100 characters long")
	}
	m := &message{body: body, subject: subject, attrs: attrs}
	switch structure {
	case "":
	case "json":
		var per map[string]any
		if err := json.Unmarshal([]byte(body), &per); err != nil {
			return nil, invalidParameter("Message Structure - JSON message body failed to parse", "")
		}
		d, ok := per["default"].(string)
		if !ok {
			return nil, invalidParameter("Message Structure - No default entry in JSON message body", "")
		}
		m.perProtocol = map[string]string{"default": d}
		for _, proto := range []string{"sqs", "http", "https", "email", "email-json"} {
			if q, ok := per[proto].(string); ok {
				m.perProtocol[proto] = q
			}
		}
	default:
		return nil, invalidParameter("MessageStructure", "Invalid value for MessageStructure, only json is allowed")
	}
	size := len(body)
	for name, v := range attrs {
		if err := checkAttribute(name, v); err != nil {
			return nil, err
		}
		size += len(name) + len(shape.Value(v.DataType)) + len(shape.Value(v.StringValue)) + len(v.BinaryValue)
	}
	if size > maxPublishSize {
		return nil, invalidParameter("Message too long", "")
	}
	m.size = size
	return m, nil
}

// validSubject: under 100 printable ASCII characters, not starting with a
// space.
func validSubject(s string) bool {
	if len(s) >= 100 || s[0] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// checkAttribute applies SNS's message attribute rules: a name of up to 256
// of A-Z a-z 0-9 _ - . (no leading or trailing or doubled dot, no AWS. or
// Amazon. prefix), one of SNS's four data types, and a value of that type.
func checkAttribute(name string, v snsapi.MessageAttributeValue) error {
	bad := func(reason string) error {
		return &snsapi.InvalidParameterValueException{Message: shape.Ptr("The message attribute '" + name + "' " + reason)}
	}
	if name == "" || len(name) > 256 || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return bad("has an invalid name")
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return bad("has a reserved prefix")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return bad("has an invalid character")
		}
	}
	str := shape.Value(v.StringValue)
	switch shape.Value(v.DataType) {
	case "":
		return bad("must contain a non-empty attribute type")
	case "String":
		if v.StringValue == nil || str == "" {
			return bad("must contain non-empty message attribute value for message attribute type 'String'.")
		}
	case "Number":
		if _, err := strconv.ParseFloat(str, 64); err != nil {
			return bad("with type 'Number' must be a valid numeric value.")
		}
	case "String.Array":
		var arr []any
		if json.Unmarshal([]byte(str), &arr) != nil {
			return bad("with type 'String.Array' must be a JSON array of strings, numbers, true, false or null.")
		}
		for _, e := range arr {
			switch e.(type) {
			case map[string]any, []any:
				return bad("with type 'String.Array' must be a JSON array of strings, numbers, true, false or null.")
			}
		}
	case "Binary":
		if len(v.BinaryValue) == 0 {
			return bad("must contain non-empty message attribute value for message attribute type 'Binary'.")
		}
	default:
		return bad("has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.")
	}
	return nil
}

// checkFifo applies the FIFO rules: a FIFO topic needs a group id and a
// deduplication id (explicit or from the body when the topic has
// ContentBasedDeduplication); a standard topic takes no deduplication id.
func checkFifo(t *topic, m *message) error {
	if !t.fifo() {
		if m.dedupID != "" {
			return invalidParameter("MessageDeduplicationId", "The request includes MessageDeduplicationId parameter that is not valid for this topic type")
		}
		return nil
	}
	if m.groupID == "" {
		return invalidParameter("The MessageGroupId parameter is required for FIFO topics", "")
	}
	if !validID(m.groupID) {
		return invalidParameter("MessageGroupId", "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	if m.dedupID == "" {
		if !strings.EqualFold(t.attrs["ContentBasedDeduplication"], "true") {
			return invalidParameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly", "")
		}
		sum := sha256.Sum256([]byte(m.body))
		m.dedupID = hex.EncodeToString(sum[:])
	} else if !validID(m.dedupID) {
		return invalidParameter("MessageDeduplicationId", "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	return nil
}

// validID: 1 to 128 alphanumeric or punctuation characters.
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return false
		}
	}
	return true
}

// publish gives m its id (and, on a FIFO topic, its sequence number or the
// first copy's within the deduplication window) and delivers it.
func (s *Service) publish(ctx context.Context, c call, t *topic, subs []*subscription, m *message) error {
	if !t.fifo() {
		m.id = s.ids.UUID()
		return s.deliverAll(ctx, c, t, subs, m)
	}
	f := s.fifo(t.arn)
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, p := range f.dedup {
		if c.now.Sub(p.at) >= dedupWindow {
			delete(f.dedup, k)
		}
	}
	if p, dup := f.dedup[m.dedupID]; dup {
		m.id, m.seq = p.id, p.seq
		return nil
	}
	// Sequence numbers only grow, across restarts too: they start from the
	// clock in nanoseconds (our decision; AWS documents only that they
	// increase), padded to AWS's 20 digits.
	f.lastSeq = max(f.lastSeq+1, uint64(c.now.UnixNano()))
	m.id, m.seq = s.ids.UUID(), fmt.Sprintf("%020d", f.lastSeq)
	if err := s.deliverAll(ctx, c, t, subs, m); err != nil {
		return err
	}
	f.dedup[m.dedupID] = published{id: m.id, seq: m.seq, at: c.now}
	return nil
}

// fifo returns a FIFO topic's publishing state.
func (s *Service) fifo(arn string) *fifoState {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fifos[arn]
	if f == nil {
		f = &fifoState{dedup: map[string]published{}}
		s.fifos[arn] = f
	}
	return f
}

// deliverAll delivers m to every subscription whose filter policy it
// passes, the sqs ones in one durable write, and returns once all are
// durable. A queue's refusal (it does not exist, or the message breaks one
// of its rules) sends the message to the subscription's dead-letter queue
// if it has one (AWS moves a message there at once on a client-side
// error), else it is logged and dropped, as AWS drops it; a storage
// failure fails the publish, so that the publisher retries (at-least-once:
// queues that already got the message may get it twice).
func (s *Service) deliverAll(ctx context.Context, c call, t *topic, subs []*subscription, m *message) error {
	var outbound []*subscription              // http, https and email: through the outbox (delivery.go)
	to := make([]*subscription, 0, len(subs)) // sqs, parallel to msgs
	msgs := make([]sqs.Message, 0, len(subs))
	var raw rawDelivery
	for _, sub := range subs {
		if !matches(sub.filter, sub.attrs["FilterPolicyScope"], m.bodyFor(sub.protocol), m.attrs) {
			s.met.filteredOut(t.arn, sub.attrs["FilterPolicyScope"], m.bodyFor(sub.protocol), m.attrs, c.now)
			continue
		}
		if sub.protocol != "sqs" {
			outbound = append(outbound, sub)
			continue
		}
		d, err := s.delivery(c, t, sub, m, &raw)
		if err != nil {
			return err
		}
		to, msgs = append(to, sub), append(msgs, sqs.Message{Queue: sub.endpoint, Delivery: d})
	}
	if len(msgs) > 0 {
		errs := s.queues.DeliverAll(ctx, msgs)
		var redrive []sqs.Message
		var redriven []int
		var moved []bool // parallel to errs: in the subscription's dead-letter queue
		for i, err := range errs {
			if err == nil {
				continue // no dead-letter queue to look up
			}
			if dlq := redriveTarget(to[i].attrs); dlq != "" && sqs.Rejected(err) {
				redrive = append(redrive, sqs.Message{Queue: dlq, Delivery: msgs[i].Delivery})
				redriven = append(redriven, i)
			}
		}
		if len(redrive) > 0 {
			moved = make([]bool, len(errs))
			for k, derr := range s.queues.DeliverAll(ctx, redrive) {
				if derr == nil || !sqs.Rejected(derr) {
					errs[redriven[k]] = derr
				}
				moved[redriven[k]] = derr == nil
			}
		}
		delivered := 0 // recorded at once: one statistic set of n ones
		for i, err := range errs {
			switch {
			case err == nil && moved != nil && moved[i]:
				s.met.failed(t.arn, c.now)
				s.met.redriven(t.arn, true, c.now)
			case err == nil:
				delivered++
			case sqs.Rejected(err):
				s.met.failed(t.arn, c.now)
				if redriveTarget(to[i].attrs) != "" {
					s.met.redriven(t.arn, false, c.now) // the dead-letter queue refused it too
				}
				s.log.Warn("sns: delivery refused by the queue; message dropped", "subscription", to[i].arn, "queue", to[i].endpoint, "err", err)
			default:
				s.met.deliveredN(t.arn, delivered, c.now)
				return fmt.Errorf("sns: deliver to %s: %w", to[i].endpoint, err)
			}
		}
		s.met.deliveredN(t.arn, delivered, c.now)
	}
	return s.enqueueDeliveries(ctx, c, t, outbound, m)
}

// rawDelivery is the delivery every raw sqs subscription of one publish
// receives, made by the first that needs it: the same body and the same
// attribute map, so the queues' checks of them run once (sqs.DeliverAll).
type rawDelivery struct {
	made bool
	d    sqs.Delivery
}

// delivery is the SQS message a subscription receives: the raw message
// (its attributes as SQS message attributes) or AWS's JSON envelope.
func (s *Service) delivery(c call, t *topic, sub *subscription, m *message, raw *rawDelivery) (sqs.Delivery, error) {
	if sub.raw() && raw.made {
		return raw.d, nil
	}
	d := sqs.Delivery{Sender: snsSenderID, Now: c.now, GroupID: m.groupID, DedupID: m.dedupID}
	body := m.bodyFor(sub.protocol)
	// As AWS documents, attributes travel only with a plain (not json
	// structured) message.
	attrs := m.attrs
	if m.perProtocol != nil {
		attrs = nil
	}
	if sub.raw() {
		d.Body = body
		if len(attrs) > 0 {
			d.Attrs = make(map[string]sqsapi.MessageAttributeValue, len(attrs))
			for name, v := range attrs {
				d.Attrs[name] = sqsapi.MessageAttributeValue{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue}
			}
		}
		raw.made, raw.d = true, d
		return d, nil
	}
	var err error
	d.Body, err = s.envelope(c, t, sub, m, body, attrs)
	return d, err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
