package events

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/sqs"
)

// delivery is a matched event's delivery to one target of one rule, not
// yet attempted. r and t are the rule and target as they were when the
// event matched; like Deliver, dispatch uses them after releasing s.mu.
type delivery struct {
	job
	r *rule
	t *target
}

// appendDeliveries appends one delivery per target of rule r of bus b.
func appendDeliveries(dst []delivery, p partition, b *bus, r *rule, id string, at time.Time, hops int, ingest time.Time, ev []byte) []delivery {
	for _, t := range r.targets {
		dst = append(dst, delivery{
			job: job{Account: p.account, Region: p.region, Bus: b.name, Rule: r.name, Target: shape.Value(t.spec.Id),
				ID: id, Time: at.UnixMilli(), Hops: hops, Ingest: ingest.UnixMilli(), Event: ev},
			r: r, t: t,
		})
	}
	return dst
}

// dispatch makes the first attempt at every delivery to an SQS queue now,
// all in one durable write, and hands every other delivery, and those
// first attempts that are to be retried, to the outbox. When it returns
// nil each delivery is in its queue, dead-lettered or dropped as its
// target's policy says, or durable in the outbox.
//
// SQS queues live in this process and a write to one costs what the
// outbox's own record would, so attempting them at once skips the outbox's
// record, dispatch and done record, and puts the message in the queue
// before PutEvents answers. Other targets (topics fanning out, HTTP
// endpoints, other buses, log groups) may be slow or rate-limited and
// always go through the outbox.
func (s *Service) dispatch(ctx context.Context, met *Metrics, ds []delivery) error {
	if len(ds) == 0 {
		return nil
	}
	if s.out == nil {
		return fmt.Errorf("events: no outbox for target deliveries")
	}
	var later []outbox.Retry
	var direct []int // the deliveries attempted now
	var msgs []sqs.Message
	errs := make([]error, len(ds))
	now := s.clock.Now()
	for i := range ds {
		d := &ds[i]
		if d.t.kind != targetSQS || s.queues == nil {
			later = append(later, outbox.Retry{Payload: appendJob(nil, &d.job), Due: now})
			continue
		}
		direct = append(direct, i)
		payload, err := s.payload(d.r, d.t, &d.job)
		if err != nil {
			errs[i] = err
			continue
		}
		msgs = append(msgs, sqs.Message{Queue: d.t.dest, Delivery: s.sqsMessage(d.t, &d.job, payload, now)})
	}
	if len(msgs) > 0 {
		sent := s.queues.DeliverAll(ctx, msgs)
		k := 0
		for _, i := range direct {
			if errs[i] == nil { // its message was sent
				errs[i] = sent[k]
				k++
			}
		}
	}
	var att attempts // metrics_attempts.go
	for _, i := range direct {
		d := &ds[i]
		p := partition{account: d.Account, region: d.Region}
		att.add(met, p, d.r, d.Ingest, now, errs[i] == nil)
		if errs[i] == nil {
			continue
		}
		if out := s.afterAttempt(ctx, p, d.r, d.t, &d.job, 0, now, errs[i]); !out.Done {
			later = append(later, outbox.Retry{Payload: appendJob(nil, &d.job), Attempts: 1, Due: out.RetryAt})
		}
	}
	att.record(met, now)
	return s.out.EnqueueRetries(ctx, KindTarget, later...)
}
