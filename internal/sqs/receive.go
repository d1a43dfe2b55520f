package sqs

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// ReceiveMessage returns up to MaxNumberOfMessages visible messages and
// hides them for the visibility timeout. With a wait time (the request's
// WaitTimeSeconds, else the queue's ReceiveMessageWaitTimeSeconds) and no
// message visible, it waits until a send, a visibility change or an
// expiring timeout makes one visible, the wait ends, the client goes away
// or the server shuts down. It never sleeps in a loop: it waits on the
// queue's wake channel and on a timer set to the next moment a message
// becomes visible.
func (s *Service) ReceiveMessage(ctx context.Context, in *sqsapi.ReceiveMessageRequest) (*sqsapi.ReceiveMessageResult, error) {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	st := q.settings.Load()
	n, err := rangeParam("MaxNumberOfMessages", in.MaxNumberOfMessages, 1, 1, maxBatch)
	if err != nil {
		return nil, err
	}
	vt, err := rangeParam("VisibilityTimeout", in.VisibilityTimeout, st.VisibilityTimeout, 0, maxVisibility)
	if err != nil {
		return nil, err
	}
	wait, err := rangeParam("WaitTimeSeconds", in.WaitTimeSeconds, st.ReceiveMessageWaitTimeSeconds, 0, maxWait)
	if err != nil {
		return nil, err
	}
	sel := newSelection(in.AttributeNames, in.MessageSystemAttributeNames, in.MessageAttributeNames)
	// ReceiveRequestAttemptId applies to FIFO queues only (fifo.go).
	attemptID := shape.Value(in.ReceiveRequestAttemptId)
	if q.dedup == nil {
		attemptID = ""
	}
	if attemptID != "" {
		got, err := s.retryAttempt(q, attemptID, vt, s.clock.Now().UnixMilli())
		if err != nil {
			return nil, err
		}
		if msgs, err := s.messages(q, got, sel); err != nil || len(msgs) > 0 {
			return q.received(msgs, err)
		}
	}
	deadline := c.now.Add(time.Duration(wait) * time.Second)
	for {
		now := s.clock.Now()
		got, wake, next, err := s.take(q, int(n), vt, now.UnixMilli())
		if err != nil {
			return nil, err
		}
		if len(got) > 0 {
			if attemptID != "" {
				q.rememberAttempt(attemptID, got, now.UnixMilli())
			}
			msgs, err := s.messages(q, got, sel)
			if err != nil || len(msgs) > 0 {
				return q.received(msgs, err)
			}
			continue // purged or deleted meanwhile: look again
		}
		if !now.Before(deadline) {
			return q.received(nil, nil)
		}
		until := deadline
		if next > 0 && next < until.UnixMilli() {
			until = time.UnixMilli(next)
		}
		if !s.sleep(ctx, wake, until) {
			return q.received(nil, nil)
		}
	}
}

// rangeParam is an optional integer parameter with its default and range.
func rangeParam(name string, v *int32, def, lo, hi int32) (int32, error) {
	if v == nil {
		return def, nil
	}
	if *v < lo || *v > hi {
		return 0, invalidParameter("Value %d for parameter %s is invalid. Reason: Must be between %d and %d, if provided.", *v, name, lo, hi)
	}
	return *v, nil
}

// sleep waits until wake is closed or the clock reaches until; false means
// the wait was cut short (the client left, or the server is shutting down).
func (s *Service) sleep(ctx context.Context, wake <-chan struct{}, until time.Time) bool {
	d := until.Sub(s.clock.Now())
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-wake:
		return true
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// taken is one receive of one message.
type taken struct {
	seq uint64
	state
}

// take hides up to n visible messages for vt seconds, dropping expired
// ones on the way (the change is handed to the store unsynced). With none
// visible it returns the queue's wake channel and the time (unix ms) the
// next message becomes visible (0: none), read under the same lock, so a
// send right after cannot be missed. Messages this receive would take past
// the queue's maxReceiveCount are moved to its dead-letter queue instead.
func (s *Service) take(q *queue, n int, vt int32, now int64) ([]taken, <-chan struct{}, int64, error) {
	expiry := now - int64(q.settings.Load().MessageRetentionPeriod)*1000
	dlq, redrive := s.deadLetterQueue(q)
	w := Writes{ops: make([]writeOp, 0, n)}
	got := make([]taken, 0, n)
	popped := make([]*msg, 0, n)
	var moving []*msg
	states := make([]byte, 0, n*24) // the encoded states, one buffer (about 20 bytes each)
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		return nil, nil, 0, errNoQueue()
	}
	if q.idx.groups != nil { // a FIFO queue takes by group; the loop is a standard queue's
		got, moving = q.takeFifo(&w, n, vt, now, expiry, redrive)
	}
	for q.idx.groups == nil && len(popped) < n {
		m := q.idx.popVisible(now)
		if m == nil {
			break
		}
		if m.sent <= expiry {
			q.idx.remove(m)
			w.Delete(q.id, m)
			continue
		}
		if redrive != nil && m.Count >= redrive.MaxReceiveCount {
			// This receive would exceed maxReceiveCount: out of the
			// index now, moved to the dead-letter queue below.
			q.idx.remove(m)
			moving = append(moving, m)
			continue
		}
		m.Count++
		if m.First == 0 {
			m.First = now
		}
		m.LastRecv = now
		m.Visible = now + int64(vt)*1000
		popped = append(popped, m)
		got = append(got, taken{seq: m.seq, state: m.state})
		start := len(states)
		states = m.state.encode(states)
		w.PutState(q.id, m, states[start:len(states):len(states)])
	}
	// Back into the heap only now, so that a zero visibility timeout does
	// not hand the same message out twice in one answer.
	for _, m := range popped {
		q.idx.push(m)
	}
	var wake <-chan struct{}
	var next int64
	if len(got) == 0 {
		wake = q.waitChan()
		next, _ = q.idx.next()
	}
	var wait func() error
	var err error
	if w.Len() > 0 {
		wait, err = s.store.Apply(&w, unsynced)
	}
	q.mu.Unlock()
	if err == nil && wait != nil {
		err = wait()
	}
	if err == nil && len(moving) > 0 {
		err = s.redrive(q, dlq, moving)
	}
	if err != nil {
		return nil, nil, 0, err
	}
	return got, wake, next, nil
}

// messages reads the bodies of received messages and builds the answer;
// a message deleted meanwhile is left out.
func (s *Service) messages(q *queue, got []taken, sel selection) ([]sqsapi.Message, error) {
	out := make([]sqsapi.Message, 0, len(got))
	recs := make([]record, len(got)) // one allocation for the answer
	var ptrs stringPtrs
	ptrs.grow(4 * len(got))
	for i, t := range got {
		rec := &recs[i]
		found, err := s.store.View(q.id, t.seq, func(b []byte) error {
			return decodeRecordInto(rec, b)
		})
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, sel.message(rec, t, q.id, &ptrs))
		}
	}
	return out, nil
}

// selection is what a receive asked to see besides the body.
type selection struct {
	system      map[string]bool // nil: none; contains "All": all
	allAttrs    bool
	attrNames   map[string]bool
	attrPrefix  []string // "prefix." of "prefix.*"
	anyMsgAttrs bool
}

func newSelection(attrNames, sysNames, msgAttrNames []string) selection {
	var sel selection
	for _, names := range [][]string{attrNames, sysNames} {
		for _, n := range names {
			if sel.system == nil {
				sel.system = map[string]bool{}
			}
			sel.system[n] = true
		}
	}
	for _, n := range msgAttrNames {
		sel.anyMsgAttrs = true
		switch {
		case n == "All" || n == ".*":
			sel.allAttrs = true
		case strings.HasSuffix(n, ".*"):
			sel.attrPrefix = append(sel.attrPrefix, strings.TrimSuffix(n, "*"))
		default:
			if sel.attrNames == nil {
				sel.attrNames = map[string]bool{}
			}
			sel.attrNames[n] = true
		}
	}
	return sel
}

func (sel selection) wantsSystem(name string) bool { return sel.system["All"] || sel.system[name] }

func (sel selection) wantsAttr(name string) bool {
	if sel.allAttrs || sel.attrNames[name] {
		return true
	}
	for _, p := range sel.attrPrefix {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// message builds one received message. Unknown names among the requested
// system attributes are ignored (our decision: AttributeNames takes queue
// attribute names in the model, which mean nothing here). The attribute
// MD5 covers the attributes returned, which is what SDKs that check it
// recompute.
func (sel selection) message(rec *record, t taken, queue int64, ptrs *stringPtrs) sqsapi.Message {
	m := sqsapi.Message{MessageId: ptrs.to(rec.ID), Body: ptrs.to(rec.Body), MD5OfBody: ptrs.to(md5Hex(rec.BodyMD5)),
		ReceiptHandle: ptrs.to(receipt{queue: queue, seq: t.seq, count: t.Count}.String())}
	if sel.system != nil {
		sys := map[string]string{}
		put := func(name, v string) {
			if v != "" && sel.wantsSystem(name) {
				sys[name] = v
			}
		}
		put("SenderId", rec.Sender)
		put("SentTimestamp", strconv.FormatInt(rec.Sent, 10))
		put("ApproximateReceiveCount", strconv.Itoa(int(t.Count)))
		put("ApproximateFirstReceiveTimestamp", strconv.FormatInt(t.First, 10))
		put("AWSTraceHeader", rec.Trace)
		put("MessageGroupId", rec.GroupID)
		put("MessageDeduplicationId", rec.DedupID)
		if rec.DedupID != "" { // only FIFO messages have one
			put("SequenceNumber", sequenceNumber(t.seq))
		}
		put("DeadLetterQueueSourceArn", rec.DLQSource)
		if len(sys) > 0 {
			m.Attributes = sys
		}
	}
	if sel.anyMsgAttrs && len(rec.Attrs) > 0 {
		var picked []attr
		for _, a := range rec.Attrs {
			if sel.wantsAttr(a.Name) {
				picked = append(picked, a)
			}
		}
		if len(picked) > 0 {
			m.MessageAttributes = make(map[string]sqsapi.MessageAttributeValue, len(picked))
			for _, a := range picked {
				v := sqsapi.MessageAttributeValue{DataType: shape.Ptr(a.DataType)}
				if a.binary() {
					v.BinaryValue = []byte(a.Value)
				} else {
					v.StringValue = shape.Ptr(a.Value)
				}
				m.MessageAttributes[a.Name] = v
			}
			m.MD5OfMessageAttributes = shape.Ptr(md5OfAttributes(picked))
		}
	}
	return m
}
