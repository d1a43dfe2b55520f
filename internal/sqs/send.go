package sqs

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// outgoing is one message to send, from SendMessage or a batch entry.
type outgoing struct {
	body     string
	delay    *int32
	attrs    map[string]sqsapi.MessageAttributeValue
	sysAttrs map[string]sqsapi.MessageSystemAttributeValue
	dedupID  *string
	groupID  *string
}

// prepared is a checked message, ready to store.
type prepared struct {
	rec        record
	encoded    []byte
	attrsMD5   string
	sysAttrMD5 string
	seqNum     string // SequenceNumber, FIFO queues only; set by enqueue
	size       int    // body and attributes: SentMessageSize
}

// SendMessage stores one message; it answers once the message is on disk.
func (s *Service) SendMessage(ctx context.Context, in *sqsapi.SendMessageRequest) (*sqsapi.SendMessageResult, error) {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	p := new(prepared)
	err = s.prepare(c, q.settings.Load(), outgoing{body: shape.Value(in.MessageBody), delay: in.DelaySeconds,
		attrs: in.MessageAttributes, sysAttrs: in.MessageSystemAttributes, dedupID: in.MessageDeduplicationId, groupID: in.MessageGroupId}, p, nil)
	if err != nil {
		return nil, err
	}
	ps := []*prepared{p}
	encodeRecords(ps, nil)
	if err := s.enqueue(q, ps); err != nil {
		return nil, err
	}
	return &sqsapi.SendMessageResult{MessageId: shape.Ptr(p.rec.ID), MD5OfMessageBody: shape.Ptr(md5Hex(p.rec.BodyMD5)),
		MD5OfMessageAttributes: optional(p.attrsMD5), MD5OfMessageSystemAttributes: optional(p.sysAttrMD5), SequenceNumber: optional(p.seqNum)}, nil
}

// SendMessageBatch stores up to 10 messages with one write; entries that
// break a rule are reported in Failed and the others are sent.
func (s *Service) SendMessageBatch(ctx context.Context, in *sqsapi.SendMessageBatchRequest) (*sqsapi.SendMessageBatchResult, error) {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = shape.Value(e.Id)
	}
	if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	entries := make([]outgoing, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		entries[i] = outgoing{body: shape.Value(e.MessageBody), delay: e.DelaySeconds, attrs: e.MessageAttributes,
			sysAttrs: e.MessageSystemAttributes, dedupID: e.MessageDeduplicationId, groupID: e.MessageGroupId}
		total += entries[i].size()
	}
	if total > maxMessageSize {
		return nil, &sqsapi.BatchRequestTooLong{Message: shape.Ptr(
			"Batch requests cannot be longer than 1048576 bytes. You have sent " + strconv.Itoa(total) + " bytes.")}
	}
	st := q.settings.Load()
	out := &sqsapi.SendMessageBatchResult{}
	all := make([]prepared, len(entries)) // one allocation for the batch
	ok := make([]*prepared, 0, len(entries))
	okIDs := make([]string, 0, len(entries))
	var sc bodyCache
	for i, o := range entries {
		p := &all[i]
		if err := s.prepare(c, st, o, p, &sc); err != nil {
			out.Failed = append(out.Failed, failure(ids[i], err))
			continue
		}
		ok, okIDs = append(ok, p), append(okIDs, ids[i])
	}
	if len(ok) > 0 {
		encodeRecords(ok, nil)
		if err := s.enqueue(q, ok); err != nil {
			return nil, err
		}
		out.Successful = make([]sqsapi.SendMessageBatchResultEntry, 0, len(ok))
	}
	var ptrs stringPtrs
	ptrs.grow(3 * len(ok))
	for i, p := range ok {
		out.Successful = append(out.Successful, sqsapi.SendMessageBatchResultEntry{Id: ptrs.to(okIDs[i]),
			MessageId: ptrs.to(p.rec.ID), MD5OfMessageBody: ptrs.to(md5Hex(p.rec.BodyMD5)),
			MD5OfMessageAttributes: optional(p.attrsMD5), MD5OfMessageSystemAttributes: optional(p.sysAttrMD5), SequenceNumber: optional(p.seqNum)})
	}
	return out, nil
}

// size is what a message counts towards its size limits: its body and its
// attributes' names, types and values.
func (o *outgoing) size() int {
	n := len(o.body)
	for name, v := range o.attrs {
		n += len(name) + len(shape.Value(v.DataType)) + len(shape.Value(v.StringValue)) + len(v.BinaryValue)
	}
	return n
}

// prepare checks one message in the order SQS reports problems and builds
// its record into p (not yet encoded: encodeRecords). sc, if not nil,
// remembers checks of bodies and attributes repeated across the call's
// messages (a topic's fan-out sends one body to every queue).
func (s *Service) prepare(c call, st *settings, o outgoing, p *prepared, sc *bodyCache) error {
	if st.Fifo {
		if err := checkFifoMessage(st, &o); err != nil {
			return err
		}
	} else if o.dedupID != nil {
		return invalidParameter("The request include parameter that is not valid for this queue type")
	}
	if o.groupID != nil && !validGroupID(*o.groupID) {
		return invalidParameter("Value %s for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.", *o.groupID)
	}
	delay := st.DelaySeconds
	if o.delay != nil {
		if delay = *o.delay; delay < 0 || delay > maxDelay {
			return invalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", delay)
		}
	}
	bodyMD5, err := sc.checkBody(o.body)
	if err != nil {
		return err
	}
	attrs, attrSize, attrsMD5, err := sc.attributes(o.attrs)
	if err != nil {
		return err
	}
	trace, err := systemAttributes(o.sysAttrs)
	if err != nil {
		return err
	}
	if len(o.body)+attrSize > int(st.MaximumMessageSize) {
		return invalidParameter("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", st.MaximumMessageSize)
	}
	sent := c.now.UnixMilli()
	*p = prepared{size: len(o.body) + attrSize, attrsMD5: attrsMD5, rec: record{ID: s.ids.UUID(), Sent: sent, Visible: sent + int64(delay)*1000, Sender: c.principal,
		GroupID: shape.Value(o.groupID), DedupID: shape.Value(o.dedupID), Trace: trace, BodyMD5: bodyMD5, Body: o.body, Attrs: attrs}}
	if trace != "" {
		p.sysAttrMD5 = md5OfAttributes([]attr{{Name: "AWSTraceHeader", DataType: "String", Value: trace}})
	}
	return nil
}

// enqueue stores prepared messages and indexes them; it returns once they
// are on disk. Sequence numbers are taken under the queue's lock, so the
// index and the store see sends in the same order. On a FIFO queue a
// duplicate within the deduplication interval is accepted but not stored:
// it takes the first message's id and sequence number. (Our decision: when
// every message is such a duplicate the answer does not wait for the first
// message's fsync, which its own sender is waiting for.)
func (s *Service) enqueue(q *queue, ps []*prepared) error {
	sc := getSendScratch()
	defer sc.release()
	b := []*batch{{q: q, ps: ps}}
	s.enqueueAll(b, sc)
	return b[0].err
}

// batch is messages for one queue, and what became of them.
type batch struct {
	q    *queue
	ps   []*prepared
	seqs []uint64 // parallel to ps; 0 for a duplicate not stored
	// added are the deduplication keys this write added, forgotten if it
	// fails.
	added []string
	err   error
}

// enqueueAll is enqueue for several queues, each at most once in bs, in one
// durable write; each batch's err says what became of its messages. The
// queues are locked in id order; no other code holds two queue locks. Its
// working memory comes from sc.
func (s *Service) enqueueAll(bs []*batch, sc *sendScratch) {
	slices.SortFunc(bs, func(a, b *batch) int { return cmp.Compare(a.q.id, b.q.id) })
	n := 0
	for _, b := range bs {
		n += len(b.ps)
	}
	sc.ops, sc.live, sc.seqs = sized(sc.ops, n)[:0], sized(sc.live, len(bs))[:0], sized(sc.seqs, n)
	w := Writes{ops: sc.ops}
	live := sc.live // locked, not gone
	seqs := sc.seqs // every batch's seqs, carved out of one array
	for _, b := range bs {
		q := b.q
		q.mu.Lock()
		if q.gone {
			q.mu.Unlock()
			b.err = errNoQueue()
			continue
		}
		live = append(live, b)
		st := q.settings.Load()
		b.seqs, seqs = seqs[:len(b.ps):len(b.ps)], seqs[len(b.ps):]
		for i, p := range b.ps {
			if q.dedup != nil {
				key := dedupKey(st, &p.rec)
				if first, dup := q.dedup.lookup(key, p.rec.Sent); dup {
					p.rec.ID, p.seqNum = first.id, sequenceNumber(first.seq)
					q.met.deduplicated++
					continue
				}
				b.seqs[i] = s.seq.Add(1)
				q.dedup.add(key, p.rec.ID, b.seqs[i], p.rec.Sent)
				b.added = append(b.added, key)
				p.seqNum = sequenceNumber(b.seqs[i])
			} else {
				b.seqs[i] = s.seq.Add(1)
			}
			w.PutMessage(q.id, b.seqs[i], p.encoded)
		}
	}
	unlock := func() {
		for _, b := range live {
			b.q.mu.Unlock()
		}
	}
	if w.Len() == 0 {
		unlock()
		return
	}
	wait, err := s.store.Apply(&w, synced)
	if err != nil {
		for _, b := range live {
			b.err = err
			for _, key := range b.added {
				b.q.dedup.forget(key)
			}
		}
		unlock()
		return
	}
	for _, b := range live {
		for i, p := range b.ps {
			if b.seqs[i] != 0 {
				b.q.idx.add(&msg{seq: b.seqs[i], sent: p.rec.Sent, group: p.rec.GroupID, state: state{Visible: p.rec.Visible}, hi: -1})
				b.q.met.sentOne(p.size)
			}
		}
		// Long polls wake now; a receive may thus return a message a few
		// milliseconds before its sender's fsync ends (at-least-once
		// either way: an unacknowledged send may be retried).
		b.q.notify()
	}
	unlock()
	if err := wait(); err != nil {
		for _, b := range live {
			b.err = err
		}
	}
}

// validGroupID: 1 to 128 alphanumeric or punctuation characters.
func validGroupID(id string) bool {
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

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// --- batches ----------------------------------------------------------------------

const maxBatch = 10

// checkBatch applies the rules every batch operation shares, in SQS's
// order: not empty, at most 10 entries, valid ids, distinct ids.
func checkBatch(ids []string, entryShape string) error {
	switch {
	case len(ids) == 0:
		return &sqsapi.EmptyBatchRequest{Message: shape.Ptr("There should be at least one " + entryShape + " in the request.")}
	case len(ids) > maxBatch:
		return &sqsapi.TooManyEntriesInBatchRequest{Message: shape.Ptr(
			"Maximum number of entries per request are 10. You have sent " + strconv.Itoa(len(ids)) + ".")}
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !validQueueName(id) { // the same alphabet and length: A-Z a-z 0-9 - _, 1 to 80
			return &sqsapi.InvalidBatchEntryId{Message: shape.Ptr(
				"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")}
		}
	}
	for _, id := range ids {
		if seen[id] {
			return &sqsapi.BatchEntryIdsNotDistinct{Message: shape.Ptr("Id " + id + " repeated.")}
		}
		seen[id] = true
	}
	return nil
}

// failure is a batch entry's error as BatchResultErrorEntry reports it:
// the awsQuery code and whose fault it is.
func failure(id string, err error) sqsapi.BatchResultErrorEntry {
	code, sender, msg := "InternalError", false, "We encountered an internal error. Please try again."
	var se *shape.Error
	var me shape.ModeledError
	switch {
	case errors.As(err, &se):
		code, sender, msg = se.Code, se.Sender, se.Message
	case errors.As(err, &me):
		sh := me.ErrorShape()
		code, sender = sh.Name, true
		if sh.Exception != nil {
			sender = sh.Exception.SenderFault
			if sh.Exception.Code != "" {
				code = sh.Exception.Code
			}
		}
		msg = modeledMessage(err)
	}
	return sqsapi.BatchResultErrorEntry{Id: shape.Ptr(id), Code: shape.Ptr(code), SenderFault: shape.Ptr(sender), Message: shape.Ptr(msg)}
}

// modeledMessage is the message of one of the package's modeled errors.
func modeledMessage(err error) string {
	switch e := err.(type) {
	case *sqsapi.InvalidMessageContents:
		return shape.Value(e.Message)
	case *sqsapi.ReceiptHandleIsInvalid:
		return shape.Value(e.Message)
	case *sqsapi.MessageNotInflight:
		return shape.Value(e.Message)
	}
	return err.Error()
}
