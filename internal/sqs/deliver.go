package sqs

import (
	"context"
	"errors"
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

// Deliver sends d to the queue named by queueARN through SendMessage's
// checks and store; it returns once the message is on disk. A queue that
// does not exist, or refuses the message by SQS's rules, answers an error
// for which Rejected is true; any other error is the store's.
func (s *Service) Deliver(ctx context.Context, queueARN string, d Delivery) error {
	return s.DeliverAll(ctx, queueARN, []Delivery{d})[0]
}

// DeliverAll is Deliver for several messages to one queue, written in one
// durable batch (one fsync however many there are). errs[i] is ds[i]'s
// error, as Deliver answers it.
func (s *Service) DeliverAll(ctx context.Context, queueARN string, ds []Delivery) (errs []error) {
	errs = make([]error, len(ds))
	fail := func(err error) []error {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		return errs
	}
	p := strings.Split(queueARN, ":")
	if len(p) != 6 || p[0] != "arn" || p[2] != "sqs" {
		return fail(errNoQueue())
	}
	q, err := s.queueByName(call{account: p[4], region: p[3]}.key(p[5]))
	if err != nil {
		return fail(err)
	}
	st := q.settings.Load()
	ms := make([]*prepared, 0, len(ds))
	for i := range ds {
		d := &ds[i]
		o := outgoing{body: d.Body, attrs: d.Attrs}
		if d.GroupID != "" {
			o.groupID = &d.GroupID
		}
		if d.DedupID != "" && st.Fifo {
			o.dedupID = &d.DedupID
		}
		m, err := s.prepare(call{account: p[4], region: p[3], principal: d.Sender, now: d.Now}, st, o)
		if err != nil {
			errs[i] = err
			continue
		}
		ms = append(ms, m)
	}
	if len(ms) == 0 {
		return errs
	}
	if err := s.enqueue(q, ms); err != nil {
		return fail(err)
	}
	return errs
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
