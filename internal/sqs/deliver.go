package sqs

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// Delivery is one message another Vigil service (SNS) sends to a queue in
// process, as SendMessage would with these fields.
type Delivery struct {
	Body    string
	Attrs   map[string]sqsapi.MessageAttributeValue
	GroupID string // FIFO queues only
	DedupID string // FIFO queues only
	// Sender is the SenderId receivers see (AWS shows SNS's principal).
	Sender string
	Now    time.Time
}

// Message is a Delivery to the queue named by the ARN Queue.
type Message struct {
	Queue string
	Delivery
}

// Deliver sends d to the queue named by queueARN through SendMessage's
// checks and store; it returns once the message is on disk. A queue that
// does not exist, or refuses the message by SQS's rules, answers an error
// for which Rejected is true; any other error is the store's.
func (s *Service) Deliver(ctx context.Context, queueARN string, d Delivery) error {
	return s.DeliverAll(ctx, []Message{{Queue: queueARN, Delivery: d}})[0]
}

// DeliverAll is Deliver for several messages, to one queue or many, in one
// durable write (one fsync however many there are): a topic's fan-out, or
// an event's targets. errs[i] is ms[i]'s error, as Deliver answers it.
func (s *Service) DeliverAll(ctx context.Context, ms []Message) (errs []error) {
	errs = make([]error, len(ms))
	byQueue := map[*queue]int{} // index in bs
	var bs []*batch
	var owners [][]int // owners[k][j]: the index in ms of bs[k].ps[j]
	for i := range ms {
		q, err := s.queueByARN(ms[i].Queue)
		if err != nil {
			errs[i] = err
			continue
		}
		d := &ms[i].Delivery
		st := q.settings.Load()
		o := outgoing{body: d.Body, attrs: d.Attrs}
		if d.GroupID != "" {
			o.groupID = &d.GroupID
		}
		if d.DedupID != "" && st.Fifo {
			o.dedupID = &d.DedupID
		}
		p, err := s.prepare(call{account: q.key.account, region: q.key.region, principal: d.Sender, now: d.Now}, st, o)
		if err != nil {
			errs[i] = err
			continue
		}
		k, ok := byQueue[q]
		if !ok {
			k = len(bs)
			byQueue[q] = k
			bs = append(bs, &batch{q: q})
			owners = append(owners, nil)
		}
		bs[k].ps = append(bs[k].ps, p)
		owners[k] = append(owners[k], i)
	}
	if len(bs) == 0 {
		return errs
	}
	done := slices.Clone(bs) // enqueueAll reorders bs
	s.enqueueAll(bs)
	for k, b := range done {
		if b.err != nil {
			for _, i := range owners[k] {
				errs[i] = b.err
			}
		}
	}
	return errs
}

// queueByARN finds a queue by its ARN.
func (s *Service) queueByARN(arn string) (*queue, error) {
	p := strings.Split(arn, ":")
	if len(p) != 6 || p[0] != "arn" || p[2] != "sqs" {
		return nil, errNoQueue()
	}
	return s.queueByName(call{account: p[4], region: p[3]}.key(p[5]))
}

// Rejected reports whether a Deliver error is the queue's refusal (it does
// not exist, or the message breaks a rule) rather than a storage failure:
// retrying a refusal cannot succeed.
func Rejected(err error) bool {
	var (
		se *shape.Error
		me shape.ModeledError
	)
	return errors.As(err, &me) || errors.As(err, &se) && se.Sender
}
