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
	scr := getSendScratch()
	defer scr.release()
	all := sized(scr.all, len(ms))
	kOf := sized(scr.kOf, len(ms)) // the batch of ms[i], -1 for none
	batches := sized(scr.batches, len(ms))[:0]
	counts := sized(scr.counts, len(ms))[:0] // parallel to batches: their messages
	scr.all, scr.kOf = all, kOf
	var byQueue map[*queue]int // index in batches, once there are many
	var sc bodyCache
	n := 0
	for i := range ms {
		kOf[i] = -1
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
		if err := s.prepare(call{account: q.key.account, region: q.key.region, principal: d.Sender, now: d.Now}, st, o, &all[i], &sc); err != nil {
			errs[i] = err
			continue
		}
		k := batchOf(batches, byQueue, q)
		if k < 0 {
			k = len(batches)
			batches, counts = append(batches, batch{q: q}), append(counts, 0)
			if byQueue == nil && len(batches) > 16 { // a linear search stays short
				byQueue = make(map[*queue]int, 2*len(batches))
				for j := range batches {
					byQueue[batches[j].q] = j
				}
			} else if byQueue != nil {
				byQueue[q] = k
			}
		}
		kOf[i] = k
		counts[k]++
		n++
	}
	scr.batches, scr.counts = batches, counts
	if n == 0 {
		return errs
	}
	// Each batch's messages, in ms's order, carved out of one array.
	ps := sized(scr.ps, n)
	scr.ps = ps
	off := 0
	for k := range batches {
		batches[k].ps, off = ps[off:off:off+counts[k]], off+counts[k]
	}
	for i, k := range kOf {
		if k >= 0 {
			batches[k].ps = append(batches[k].ps, &all[i])
		}
	}
	scr.records = encodeRecords(ps, scr.records)
	bs := sized(scr.bs, len(batches))
	scr.bs = bs
	for k := range batches {
		bs[k] = &batches[k]
	}
	s.enqueueAll(bs, scr) // reorders bs, not batches
	for i, k := range kOf {
		if k >= 0 && batches[k].err != nil {
			errs[i] = batches[k].err
		}
	}
	return errs
}

// batchOf finds q's batch in bs (through byQueue when not nil); -1 if none.
func batchOf(bs []batch, byQueue map[*queue]int, q *queue) int {
	if byQueue != nil {
		if k, ok := byQueue[q]; ok {
			return k
		}
		return -1
	}
	for k := range bs {
		if bs[k].q == q {
			return k
		}
	}
	return -1
}

// queueByARN finds a queue by its ARN.
func (s *Service) queueByARN(arn string) (*queue, error) {
	// arn:partition:sqs:region:account:name, split without allocating:
	// every delivery of a fan-out looks its queue up.
	var p [6]string
	rest := arn
	for i := range 5 {
		var found bool
		if p[i], rest, found = strings.Cut(rest, ":"); !found {
			return nil, errNoQueue()
		}
	}
	p[5] = rest
	if p[0] != "arn" || p[2] != "sqs" || strings.Contains(rest, ":") {
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
