package sqs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
)

// FIFO queues: names ending ".fifo", created with FifoQueue=true. Messages
// carry a MessageGroupId; a group's messages are received in send order and
// one batch at a time (no later message of a group is handed out while an
// earlier one is in flight); sends are deduplicated for five minutes by
// MessageDeduplicationId (or the SHA-256 of the body with
// ContentBasedDeduplication).

const (
	fifoSuffix    = ".fifo"
	dedupInterval = 5 * 60 * 1000 // ms
	scopeQueue    = "queue"
	scopeGroup    = "messageGroup"
	limitQueue    = "perQueue"
	limitGroup    = "perMessageGroupId"
)

// checkQueueName applies the naming rule of the queue's type: a FIFO name
// ends with ".fifo" (counted in the 80 characters) and only a FIFO queue
// may have one.
func checkQueueName(name string, fifo bool) error {
	base, isFifoName := strings.CutSuffix(name, fifoSuffix)
	switch {
	case fifo && (!isFifoName || len(name) > 80 || !validQueueName(base)):
		return invalidParameter("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	case !fifo && !validQueueName(name):
		return invalidParameter("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	return nil
}

// applyFifoAttribute sets one of the FIFO-only attributes; a standard queue
// does not know them (InvalidAttributeName, as SQS answers).
func applyFifoAttribute(st *settings, name, v string) error {
	if !st.Fifo {
		return unknownAttribute(name)
	}
	switch name {
	case "ContentBasedDeduplication":
		b, ok := parseBool(v)
		if !ok {
			return invalidAttributeValue(name, "")
		}
		st.ContentBasedDedup = b
	case "DeduplicationScope":
		if v != scopeQueue && v != scopeGroup {
			return invalidAttributeValue(name, "")
		}
		st.DedupScope = v
	case "FifoThroughputLimit":
		if v != limitQueue && v != limitGroup {
			return invalidAttributeValue(name, "")
		}
		st.ThroughputLimit = v
	}
	return nil
}

// checkFifoSettings: perMessageGroupId throughput is allowed only with
// message-group deduplication, as the CreateQueue reference says.
func checkFifoSettings(st *settings) error {
	if st.Fifo && st.ThroughputLimit == limitGroup && st.DedupScope != scopeGroup {
		return invalidAttributeValue("FifoThroughputLimit", "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.")
	}
	return nil
}

// fifoAttribute reports FifoQueue and the FIFO-only attributes; a standard
// queue reports none of them, as SQS does.
func (st *settings) fifoAttribute(name string) (string, bool) {
	if !st.Fifo {
		return "", false
	}
	switch name {
	case "FifoQueue":
		return "true", true
	case "ContentBasedDeduplication":
		return strconv.FormatBool(st.ContentBasedDedup), true
	case "DeduplicationScope":
		return st.DedupScope, true
	case "FifoThroughputLimit":
		return st.ThroughputLimit, true
	}
	return "", false
}

// checkFifoMessage applies SendMessage's FIFO rules in SQS's order and
// fills in a content-based deduplication id.
func checkFifoMessage(st *settings, o *outgoing) error {
	switch {
	case o.groupID == nil:
		return missingParameter("MessageGroupId")
	case o.delay != nil:
		// Delays are per queue only on FIFO queues.
		return invalidParameter("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *o.delay)
	case o.dedupID != nil && !validGroupID(*o.dedupID): // the same alphabet and length
		return invalidParameter("Value %s for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.", *o.dedupID)
	case o.dedupID == nil && !st.ContentBasedDedup:
		return invalidParameter("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
	case o.dedupID == nil:
		sum := sha256.Sum256([]byte(o.body))
		o.dedupID = shape.Ptr(hex.EncodeToString(sum[:]))
	}
	return nil
}

// sequenceNumber is a FIFO message's SequenceNumber: the store's sequence,
// which only grows, padded to AWS's 20 digits so that strings sort too.
func sequenceNumber(seq uint64) string { return fmt.Sprintf("%020d", seq) }

// dedup remembers the messages a FIFO queue accepted in the last five
// minutes by deduplication key. The queue's lock guards it. Our decision on
// durability: the window is rebuilt at start from the messages still
// stored, so a restart forgets only the ids of messages already deleted.
type dedup struct {
	byKey    map[string]sent
	order    []string // keys in the order they were added, for expiry
	attempts map[string]attempt
}

// sent is the first message sent under a deduplication key.
type sent struct {
	id    string
	seq   uint64
	until int64 // unix ms
}

func newDedup() *dedup { return &dedup{byKey: map[string]sent{}, attempts: map[string]attempt{}} }

// dedupKey scopes the id to the message group when DeduplicationScope is
// messageGroup.
func dedupKey(st *settings, rec *record) string {
	if st.DedupScope == scopeGroup {
		return rec.GroupID + "\x00" + rec.DedupID
	}
	return rec.DedupID
}

// lookup returns the message first sent under key within the interval.
func (d *dedup) lookup(key string, now int64) (sent, bool) {
	d.expire(now)
	s, ok := d.byKey[key]
	return s, ok && s.until > now
}

func (d *dedup) add(key, id string, seq uint64, at int64) {
	if _, ok := d.byKey[key]; !ok {
		d.order = append(d.order, key)
	}
	d.byKey[key] = sent{id: id, seq: seq, until: at + dedupInterval}
}

func (d *dedup) forget(key string) { delete(d.byKey, key) }

// expire drops keys whose interval has ended, oldest first.
func (d *dedup) expire(now int64) {
	i := 0
	for ; i < len(d.order); i++ {
		s, ok := d.byKey[d.order[i]]
		if ok && s.until > now {
			break
		}
		delete(d.byKey, d.order[i])
	}
	d.order = d.order[i:]
}

// --- receiving in group order ------------------------------------------------------

func (x *index) addToGroup(m *msg) {
	g := x.groups[m.group]
	i, _ := slices.BinarySearchFunc(g, m.seq, bySeq)
	x.groups[m.group] = slices.Insert(g, i, m)
}

func (x *index) removeFromGroup(m *msg) {
	g := x.groups[m.group]
	i, found := slices.BinarySearchFunc(g, m.seq, bySeq)
	if !found {
		return
	}
	if g = slices.Delete(g, i, i+1); len(g) == 0 {
		delete(x.groups, m.group)
		return
	}
	x.groups[m.group] = g
}

func bySeq(m *msg, seq uint64) int {
	switch {
	case m.seq < seq:
		return -1
	case m.seq > seq:
		return 1
	}
	return 0
}

// blocked reports whether a group has a message in flight. Received
// messages are a prefix of their group (a group is received in order), so
// the scan stops at the first message never received.
func (x *index) blocked(group string, now int64) bool {
	for _, m := range x.groups[group] {
		if m.Count == 0 {
			return false
		}
		if m.Visible > now {
			return true
		}
	}
	return false
}

// takeFifo is take for a FIFO queue (the caller holds q.mu): it finds groups
// through the heap's visible messages and, for each group with nothing in
// flight, receives its messages from the first in send order, stopping at
// the first one not visible. Expired messages are dropped and those past
// maxReceiveCount are returned in moving, as for a standard queue.
func (q *queue) takeFifo(w *Writes, n int, vt int32, now, expiry int64, redrive *redrivePolicy) (got []taken, moving []*msg) {
	var popped []*msg
	seen := map[string]bool{}
	for len(got) < n {
		m := q.idx.popVisible(now)
		if m == nil {
			break
		}
		popped = append(popped, m)
		if seen[m.group] {
			continue
		}
		seen[m.group] = true
		if q.idx.blocked(m.group, now) {
			continue
		}
		for _, g := range slices.Clone(q.idx.groups[m.group]) {
			if len(got) >= n || g.Visible > now {
				break
			}
			switch {
			case g.sent <= expiry:
				q.idx.remove(g)
				w.Delete(q.id, g)
			case redrive != nil && g.Count >= redrive.MaxReceiveCount:
				q.idx.remove(g)
				moving = append(moving, g)
			default:
				g.Count++
				if g.First == 0 {
					g.First = now
				}
				g.LastRecv = now
				g.Visible = now + int64(vt)*1000
				if g.hi >= 0 {
					q.idx.fix(g)
				}
				got = append(got, taken{seq: g.seq, state: g.state})
				w.PutState(q.id, g, g.state.encode(nil))
			}
		}
	}
	for _, m := range popped {
		if q.idx.get(m.seq) == m && m.hi < 0 {
			q.idx.push(m)
		}
	}
	return got, moving
}

// loadFifo rebuilds, at start, what the index and the deduplication window
// know of one stored FIFO message, and returns its group.
func (q *queue) loadFifo(b []byte, seq uint64, now int64) (string, error) {
	rec, err := decodeRecord(b)
	if err != nil {
		return "", err
	}
	if rec.DedupID != "" && rec.DLQSource == "" && rec.Sent+dedupInterval > now {
		q.dedup.add(dedupKey(q.settings.Load(), rec), rec.ID, seq, rec.Sent)
	}
	return rec.GroupID, nil
}

// --- ReceiveRequestAttemptId -------------------------------------------------------

// attempt is what one ReceiveMessage with a ReceiveRequestAttemptId handed
// out, kept for the deduplication interval so that a retry gets it again.
type attempt struct {
	got   []taken
	until int64 // unix ms
}

// rememberAttempt records a receive under its attempt id.
func (q *queue) rememberAttempt(id string, got []taken, now int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for k, a := range q.dedup.attempts {
		if a.until <= now {
			delete(q.dedup.attempts, k)
		}
	}
	q.dedup.attempts[id] = attempt{got: got, until: now + dedupInterval}
}

// retryAttempt answers a retried receive: the same messages and receipt
// handles, their visibility timeout restarted, if none of them was deleted,
// received again or had its visibility changed since, as the
// ReceiveMessage reference describes. Otherwise it returns nothing and the
// retry receives afresh (our decision: AWS does not say what a stale
// attempt gets; a fresh receive is what a client retrying expects).
func (s *Service) retryAttempt(q *queue, id string, vt int32, now int64) ([]taken, error) {
	var w Writes
	q.mu.Lock()
	a, ok := q.dedup.attempts[id]
	if q.gone || !ok || a.until <= now {
		q.mu.Unlock()
		return nil, nil
	}
	ms := make([]*msg, len(a.got))
	for i, t := range a.got {
		if ms[i] = q.idx.get(t.seq); ms[i] == nil || ms[i].state != t.state {
			delete(q.dedup.attempts, id)
			q.mu.Unlock()
			return nil, nil
		}
	}
	got := make([]taken, len(ms))
	for i, m := range ms {
		m.Visible = now + int64(vt)*1000
		if m.hi >= 0 {
			q.idx.fix(m)
		}
		got[i] = taken{seq: m.seq, state: m.state}
		w.PutState(q.id, m, m.state.encode(nil))
	}
	q.dedup.attempts[id] = attempt{got: got, until: a.until}
	wait, err := s.store.Apply(&w, unsynced)
	q.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return got, wait()
}
