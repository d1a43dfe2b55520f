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
	p := strings.Split(queueARN, ":")
	if len(p) != 6 || p[0] != "arn" || p[2] != "sqs" {
		return errNoQueue()
	}
	c := call{account: p[4], region: p[3], principal: d.Sender, now: d.Now}
	q, err := s.queueByName(c.key(p[5]))
	if err != nil {
		return err
	}
	o := outgoing{body: d.Body, attrs: d.Attrs}
	if d.GroupID != "" {
		o.groupID = &d.GroupID
	}
	if d.DedupID != "" && q.settings.Load().Fifo {
		o.dedupID = &d.DedupID
	}
	m, err := s.prepare(c, q.settings.Load(), o)
	if err != nil {
		return err
	}
	return s.enqueue(q, []*prepared{m})
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
