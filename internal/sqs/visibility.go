package sqs

import (
	"context"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// DeleteMessage deletes the message a receipt handle names. Our decision
// where AWS says an old handle "might not" delete: any handle of the
// message deletes it, and a message already gone is not an error.
func (s *Service) DeleteMessage(ctx context.Context, in *sqsapi.DeleteMessageRequest) error {
	q, err := s.queueByURL(callOf(ctx), shape.Value(in.QueueUrl))
	if err != nil {
		return err
	}
	r, err := receiptFor(q, shape.Value(in.ReceiptHandle))
	if err != nil {
		return err
	}
	return s.deleteMessages(q, []receipt{r})
}

// DeleteMessageBatch deletes up to 10 messages with one write.
func (s *Service) DeleteMessageBatch(ctx context.Context, in *sqsapi.DeleteMessageBatchRequest) (*sqsapi.DeleteMessageBatchResult, error) {
	q, err := s.queueByURL(callOf(ctx), shape.Value(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = shape.Value(e.Id)
	}
	if err := checkBatch(ids, "DeleteMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &sqsapi.DeleteMessageBatchResult{}
	rs := make([]receipt, 0, len(in.Entries))
	okIDs := make([]string, 0, len(in.Entries))
	for i, e := range in.Entries {
		r, err := receiptFor(q, shape.Value(e.ReceiptHandle))
		if err != nil {
			out.Failed = append(out.Failed, failure(ids[i], err))
			continue
		}
		rs, okIDs = append(rs, r), append(okIDs, ids[i])
	}
	if len(rs) > 0 {
		if err := s.deleteMessages(q, rs); err != nil {
			return nil, err
		}
		out.Successful = make([]sqsapi.DeleteMessageBatchResultEntry, 0, len(okIDs))
	}
	for i := range okIDs {
		out.Successful = append(out.Successful, sqsapi.DeleteMessageBatchResultEntry{Id: &okIDs[i]})
	}
	return out, nil
}

func (s *Service) deleteMessages(q *queue, rs []receipt) error {
	w := Writes{ops: make([]writeOp, 0, len(rs))}
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		return errNoQueue()
	}
	for _, r := range rs {
		if m := q.idx.get(r.seq); m != nil {
			q.idx.remove(m)
			w.Delete(q.id, m)
		}
	}
	var wait func() error
	var err error
	if w.Len() > 0 {
		wait, err = s.store.Apply(&w, unsynced)
	}
	if err == nil {
		// "For every successful deletion operation that uses a valid
		// receipt handle, including duplicate deletions."
		q.met.deleted += int64(len(rs))
	}
	q.mu.Unlock()
	if err != nil || wait == nil {
		return err
	}
	return wait()
}

// ChangeMessageVisibility sets a received message's remaining invisibility,
// counted from now, within 12 hours of the receive.
func (s *Service) ChangeMessageVisibility(ctx context.Context, in *sqsapi.ChangeMessageVisibilityRequest) error {
	q, err := s.queueByURL(callOf(ctx), shape.Value(in.QueueUrl))
	if err != nil {
		return err
	}
	handle := shape.Value(in.ReceiptHandle)
	r, err := receiptFor(q, handle)
	if err != nil {
		return err
	}
	errs, err := s.changeVisibility(q, []visibilityChange{{r: r, handle: handle, timeout: shape.Value(in.VisibilityTimeout)}})
	if err != nil {
		return err
	}
	return errs[0]
}

// ChangeMessageVisibilityBatch changes up to 10 messages' visibility with
// one write.
func (s *Service) ChangeMessageVisibilityBatch(ctx context.Context, in *sqsapi.ChangeMessageVisibilityBatchRequest) (*sqsapi.ChangeMessageVisibilityBatchResult, error) {
	q, err := s.queueByURL(callOf(ctx), shape.Value(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = shape.Value(e.Id)
	}
	if err := checkBatch(ids, "ChangeMessageVisibilityBatchRequestEntry"); err != nil {
		return nil, err
	}
	out := &sqsapi.ChangeMessageVisibilityBatchResult{}
	var changes []visibilityChange
	var changeIDs []string
	for i, e := range in.Entries {
		handle := shape.Value(e.ReceiptHandle)
		r, err := receiptFor(q, handle)
		if err != nil {
			out.Failed = append(out.Failed, failure(ids[i], err))
			continue
		}
		changes = append(changes, visibilityChange{r: r, handle: handle, timeout: shape.Value(e.VisibilityTimeout)})
		changeIDs = append(changeIDs, ids[i])
	}
	errs, err := s.changeVisibility(q, changes)
	if err != nil {
		return nil, err
	}
	for i, id := range changeIDs {
		if errs[i] != nil {
			out.Failed = append(out.Failed, failure(id, errs[i]))
		} else {
			out.Successful = append(out.Successful, sqsapi.ChangeMessageVisibilityBatchResultEntry{Id: shape.Ptr(id)})
		}
	}
	return out, nil
}

type visibilityChange struct {
	r       receipt
	handle  string
	timeout int32
}

// changeVisibility applies changes with one write; errs[i] is change i's
// own error, err a failure of the whole.
func (s *Service) changeVisibility(q *queue, changes []visibilityChange) (errs []error, err error) {
	if len(changes) == 0 {
		return nil, nil
	}
	errs = make([]error, len(changes))
	now := s.clock.Now().UnixMilli()
	var w Writes
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		return nil, errNoQueue()
	}
	for i, ch := range changes {
		m, err := inflight(q, ch, now)
		if err != nil {
			errs[i] = err
			continue
		}
		m.Visible = now + int64(ch.timeout)*1000
		q.idx.fix(m)
		w.PutState(q.id, m, m.state.encode(nil))
	}
	var wait func() error
	if w.Len() > 0 {
		wait, err = s.store.Apply(&w, unsynced)
		q.notify() // a message may now be visible sooner than long polls expect
	}
	q.mu.Unlock()
	if err == nil && wait != nil {
		err = wait()
	}
	return errs, err
}

// inflight finds the message a visibility change is for and checks that
// the change is allowed. Callers hold q.mu.
func inflight(q *queue, ch visibilityChange, now int64) (*msg, error) {
	if ch.timeout < 0 || ch.timeout > maxVisibility {
		return nil, invalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", ch.timeout)
	}
	m := q.idx.get(ch.r.seq)
	switch {
	case m == nil:
		return nil, invalidParameter("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", ch.handle)
	case m.Count != ch.r.count:
		return nil, invalidParameter("Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", ch.handle)
	case m.Visible <= now:
		return nil, &sqsapi.MessageNotInflight{Message: shape.Ptr("The message referred to isn't in flight.")}
	case now+int64(ch.timeout)*1000-m.LastRecv > maxVisibility*1000:
		return nil, invalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]", ch.timeout)
	}
	return m, nil
}
