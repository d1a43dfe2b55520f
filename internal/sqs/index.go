package sqs

// msg is one message in a queue's index: what a receive decides on. The
// body stays in the store.
type msg struct {
	seq   uint64
	sent  int64  // unix ms
	group string // MessageGroupId; kept in the index of FIFO queues only
	// arrived is when a message moved here from another queue did (unix
	// ms), for ApproximateAgeOfOldestMessage; 0 for a sent message. Not
	// stored: after a restart the age counts from the send (metrics.go).
	arrived int64
	state
	hi int // position in the heap, -1 when out of it
	// stateWrites counts the writes of the state's key (Writes.PutState),
	// which decide how a delete removes it.
	stateWrites uint8
}

// stateWritesUnknown marks a message whose state key was loaded from the
// store: how often it was written before is not known.
const stateWritesUnknown = 255

// index holds one queue's messages ordered by the time they next become
// visible (then by sequence, so that equal times keep the send order). It
// is not safe for concurrent use: the queue's lock guards it.
type index struct {
	bySeq map[uint64]*msg
	heap  []*msg
	// groups holds a FIFO queue's messages by MessageGroupId in send
	// order (fifo.go); nil for a standard queue.
	groups map[string][]*msg
}

func newIndex(fifo bool) *index {
	x := &index{bySeq: map[uint64]*msg{}}
	if fifo {
		x.groups = map[string][]*msg{}
	}
	return x
}

func (x *index) len() int { return len(x.bySeq) }

func (x *index) get(seq uint64) *msg { return x.bySeq[seq] }

func (x *index) add(m *msg) {
	x.bySeq[m.seq] = m
	if x.groups != nil {
		x.addToGroup(m)
	}
	m.hi = len(x.heap)
	x.heap = append(x.heap, m)
	x.up(m.hi)
}

// remove drops m from the index entirely.
func (x *index) remove(m *msg) {
	delete(x.bySeq, m.seq)
	if x.groups != nil {
		x.removeFromGroup(m)
	}
	if m.hi >= 0 {
		x.unlink(m)
	}
}

// fix restores the order after m.Visible changed.
func (x *index) fix(m *msg) {
	if !x.down(m.hi) {
		x.up(m.hi)
	}
}

// popVisible takes the earliest message out of the heap (not out of the
// index) if it is visible at now; the caller pushes it back with push.
func (x *index) popVisible(now int64) *msg {
	if len(x.heap) == 0 || x.heap[0].Visible > now {
		return nil
	}
	m := x.heap[0]
	x.unlink(m)
	return m
}

// push returns a message taken with popVisible to the heap.
func (x *index) push(m *msg) {
	m.hi = len(x.heap)
	x.heap = append(x.heap, m)
	x.up(m.hi)
}

// next returns the earliest time a message becomes visible.
func (x *index) next() (int64, bool) {
	if len(x.heap) == 0 {
		return 0, false
	}
	return x.heap[0].Visible, true
}

// counts splits the live (unexpired) messages as GetQueueAttributes
// reports them: available now, in flight (received, still invisible) and
// delayed (never received, not yet visible).
func (x *index) counts(now, expiry int64) (visible, inflight, delayed int) {
	for _, m := range x.bySeq {
		switch {
		case m.sent <= expiry:
		case m.Visible <= now:
			visible++
		case m.Count > 0:
			inflight++
		default:
			delayed++
		}
	}
	return visible, inflight, delayed
}

// expired returns the messages sent at or before expiry.
func (x *index) expired(expiry int64) []*msg {
	var out []*msg
	for _, m := range x.bySeq {
		if m.sent <= expiry {
			out = append(out, m)
		}
	}
	return out
}

func (x *index) unlink(m *msg) {
	i, last := m.hi, len(x.heap)-1
	if i != last {
		x.swap(i, last)
	}
	x.heap[last] = nil
	x.heap = x.heap[:last]
	m.hi = -1
	if i != last {
		x.fix(x.heap[i])
	}
}

func (x *index) less(i, j int) bool {
	a, b := x.heap[i], x.heap[j]
	if a.Visible != b.Visible {
		return a.Visible < b.Visible
	}
	return a.seq < b.seq
}

func (x *index) swap(i, j int) {
	x.heap[i], x.heap[j] = x.heap[j], x.heap[i]
	x.heap[i].hi, x.heap[j].hi = i, j
}

func (x *index) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !x.less(j, i) {
			return
		}
		x.swap(i, j)
		j = i
	}
}

// down reports whether the element at i moved.
func (x *index) down(i int) bool {
	start, n := i, len(x.heap)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		j := l
		if r := l + 1; r < n && x.less(r, l) {
			j = r
		}
		if !x.less(j, i) {
			break
		}
		x.swap(i, j)
		i = j
	}
	return i > start
}
