package outbox

import (
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/wal"
)

// Entry is one piece of work. Attempts counts the attempts made before the
// current one.
type Entry struct {
	ID       uint64
	Kind     string
	Payload  []byte
	Attempts int
	Enqueued time.Time
}

// Deliverer makes one attempt at an entry and decides what follows. It is
// called from the outbox's goroutines, concurrently for different entries;
// ctx ends at the attempt timeout or at Close.
type Deliverer interface {
	Deliver(ctx context.Context, e Entry) Outcome
}

// DelivererFunc adapts a function to Deliverer.
type DelivererFunc func(ctx context.Context, e Entry) Outcome

// Deliver calls f.
func (f DelivererFunc) Deliver(ctx context.Context, e Entry) Outcome { return f(ctx, e) }

// Outcome is an attempt's result: Done when the entry was delivered or
// given up on (the Deliverer handled any dead-letter target); otherwise the
// entry is attempted again at RetryAt (on the outbox's clock).
// NotAttempted defers the entry without counting an attempt (a throttle).
type Outcome struct {
	Done         bool
	RetryAt      time.Time
	NotAttempted bool
}

// Options configure an Outbox.
type Options struct {
	Clock  clock.Clock
	Logger *slog.Logger
	// Workers bounds the attempts in flight (default 16); PerKind bounds
	// those of one kind (default Workers/2, at least 1), so one slow kind
	// cannot hold every worker.
	Workers, PerKind int
	// AttemptTimeout bounds one attempt (default 30 s).
	AttemptTimeout time.Duration
	// Poll is how often, in real time, the dispatcher looks for entries
	// that became due on the clock (default 200 ms); an Enqueue or a
	// finished attempt wakes it at once.
	Poll time.Duration
	// CompactBytes: the log is rewritten to the live entries once this much
	// was appended since the last rewrite (default 16 MiB).
	CompactBytes int64
	// NoSync skips fsync (benchmarks only).
	NoSync bool
}

// ErrClosed is returned by Enqueue after Close.
var ErrClosed = errors.New("outbox: closed")

// Record types in the log.
const (
	recEnqueue = 'E' // id, enqueued, attempts, due, kind, payload
	recAttempt = 'A' // id, attempts, due
	recDone    = 'D' // id
)

type item struct {
	Entry
	due      time.Time
	staged   bool // its enqueue record is not yet known durable
	inFlight bool
	gen      uint32 // bumped at each schedule: older timer nodes are stale
}

// timer is an entry's place in the due-time heap.
type timer struct {
	due time.Time
	gen uint32
	it  *item
}

// timerHeap orders timers by due time, then id: the dispatcher looks only
// at what is due instead of scanning every pending entry.
type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if c := h[i].due.Compare(h[j].due); c != 0 {
		return c < 0
	}
	return h[i].it.ID < h[j].it.ID
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// Outbox is a durable queue of entries with retries. Its methods are safe
// for concurrent use; Close must be called once.
type Outbox struct {
	dir        string
	o          Options
	deliverers map[string]Deliverer
	log        *slog.Logger

	mu       sync.Mutex // held while submitting records, so the log's order is the state's
	w        *wal.Writer
	pending  map[uint64]*item
	timers   timerHeap          // pending entries waiting for their due time
	ready    map[string][]*item // due entries waiting for a worker, per kind
	lastID   atomic.Uint64      // the last entry id handed out
	inFlight map[string]int
	written  int64 // bytes appended since the last compaction
	closed   bool
	compact  bool // a compaction is running

	wake     chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc
	attempts sync.WaitGroup
	done     chan struct{}
}

// Open replays dir's log (entries not done become pending again, with their
// attempt counts and retry times) and starts the dispatcher. deliverers maps
// each kind to what delivers it; entries of a kind without one stay pending
// (logged) until an outbox that knows the kind opens the directory.
func Open(dir string, o Options, deliverers map[string]Deliverer) (*Outbox, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.PerKind <= 0 {
		o.PerKind = max(1, o.Workers/2)
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 30 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.CompactBytes <= 0 {
		o.CompactBytes = 16 << 20
	}
	b := &Outbox{dir: dir, o: o, deliverers: deliverers, log: o.Logger, pending: map[uint64]*item{}, ready: map[string][]*item{},
		inFlight: map[string]int{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	segs, err := wal.Segments(dir)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	for _, n := range segs {
		if _, err := wal.ReadSegment(filepath.Join(dir, wal.SegmentName(n)), b.replay); err != nil {
			return nil, fmt.Errorf("outbox: replay segment %d: %w", n, err)
		}
	}
	next := uint64(1)
	if len(segs) > 0 {
		next = segs[len(segs)-1] + 1
	}
	if b.w, err = wal.Open(dir, next, wal.Options{NoSync: o.NoSync}); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	for _, it := range b.pending {
		if deliverers[it.Kind] == nil {
			b.log.Warn("outbox: entry of a kind nothing delivers; kept", "id", it.ID, "kind", it.Kind)
			continue
		}
		b.schedule(it)
	}
	// Replayed segments stay until the first compaction has rewritten their
	// live entries: compact now when anything was replayed.
	if len(segs) > 0 {
		b.written = o.CompactBytes
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	go b.dispatch()
	return b, nil
}

// replay applies one log record to the pending set. A record that does not
// parse ends the segment's useful part, as a torn tail would.
func (b *Outbox) replay(p []byte) error {
	if len(p) < 9 {
		return nil
	}
	id := binary.LittleEndian.Uint64(p[1:])
	if id > b.lastID.Load() {
		b.lastID.Store(id)
	}
	switch p[0] {
	case recEnqueue:
		it, ok := decodeEnqueue(p)
		if ok {
			b.pending[id] = it
		}
	case recAttempt:
		if it := b.pending[id]; it != nil && len(p) >= 21 {
			it.Attempts = int(binary.LittleEndian.Uint32(p[9:]))
			it.due = time.Unix(0, int64(binary.LittleEndian.Uint64(p[13:])))
		}
	case recDone:
		delete(b.pending, id)
	}
	return nil
}

func encodeEnqueue(it *item) []byte {
	buf := make([]byte, wal.HeaderLen, wal.HeaderLen+1+8+8+4+8+2+len(it.Kind)+len(it.Payload))
	buf = append(buf, recEnqueue)
	buf = binary.LittleEndian.AppendUint64(buf, it.ID)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(it.Enqueued.UnixNano()))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(it.Attempts))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(it.due.UnixNano()))
	buf = binary.LittleEndian.AppendUint16(buf, uint16(len(it.Kind)))
	buf = append(buf, it.Kind...)
	return append(buf, it.Payload...)
}

func decodeEnqueue(p []byte) (*item, bool) {
	const fixed = 1 + 8 + 8 + 4 + 8 + 2
	if len(p) < fixed {
		return nil, false
	}
	it := &item{}
	it.ID = binary.LittleEndian.Uint64(p[1:])
	it.Enqueued = time.Unix(0, int64(binary.LittleEndian.Uint64(p[9:])))
	it.Attempts = int(binary.LittleEndian.Uint32(p[17:]))
	it.due = time.Unix(0, int64(binary.LittleEndian.Uint64(p[21:])))
	n := int(binary.LittleEndian.Uint16(p[29:]))
	if len(p) < fixed+n {
		return nil, false
	}
	it.Kind = string(p[fixed : fixed+n])
	it.Payload = slices.Clone(p[fixed+n:])
	return it, true
}

func encodeAttempt(it *item) []byte {
	buf := make([]byte, wal.HeaderLen, wal.HeaderLen+21)
	buf = append(buf, recAttempt)
	buf = binary.LittleEndian.AppendUint64(buf, it.ID)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(it.Attempts))
	return binary.LittleEndian.AppendUint64(buf, uint64(it.due.UnixNano()))
}

func encodeDone(id uint64) []byte {
	buf := make([]byte, wal.HeaderLen, wal.HeaderLen+9)
	buf = append(buf, recDone)
	return binary.LittleEndian.AppendUint64(buf, id)
}

// schedule puts a pending entry on the timer heap at its due time. Callers
// hold b.mu.
func (b *Outbox) schedule(it *item) {
	it.gen++
	heap.Push(&b.timers, timer{due: it.due, gen: it.gen, it: it})
}

// submit queues a record; callers hold b.mu.
func (b *Outbox) submit(rec []byte) (wal.Ticket, error) {
	b.written += int64(len(rec))
	return b.w.Submit(rec)
}

// Enqueue adds one entry of kind per payload, due at once, and returns once
// all are durable. On an error none of them is delivered.
func (b *Outbox) Enqueue(ctx context.Context, kind string, payloads ...[]byte) error {
	now := b.o.Clock.Now()
	rs := make([]Retry, len(payloads))
	for i, p := range payloads {
		rs[i] = Retry{Payload: p, Due: now}
	}
	return b.EnqueueRetries(ctx, kind, rs...)
}

// Retry is an entry whose first attempts were made before it was enqueued
// (a caller that tries at once and keeps only the failures for later).
type Retry struct {
	Payload  []byte
	Attempts int       // attempts made
	Due      time.Time // when the next one is due
}

// EnqueueRetries is Enqueue for entries already attempted: each keeps its
// attempt count and waits for its due time.
func (b *Outbox) EnqueueRetries(ctx context.Context, kind string, rs ...Retry) error {
	if len(rs) == 0 {
		return nil
	}
	now := b.o.Clock.Now()
	// Records are built before taking the lock, which every enqueue and
	// every finished attempt contend for.
	all := make([]*item, len(rs))
	recs := make([][]byte, len(rs))
	for i, r := range rs {
		all[i] = &item{Entry: Entry{ID: b.lastID.Add(1), Kind: kind, Payload: r.Payload, Attempts: r.Attempts, Enqueued: now}, due: r.Due, staged: true}
		recs[i] = encodeEnqueue(all[i])
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	items := make([]*item, 0, len(rs))
	tickets := make([]wal.Ticket, 0, len(rs))
	var err error
	for i, it := range all {
		t, serr := b.submit(recs[i])
		if serr != nil {
			err = serr
			break
		}
		// Staged entries are in the live set, so a compaction between
		// here and Wait rewrites them too.
		b.pending[it.ID] = it
		items = append(items, it)
		tickets = append(tickets, t)
	}
	b.mu.Unlock()
	for _, t := range tickets {
		if werr := t.Wait(); werr != nil && err == nil {
			err = werr
		}
	}
	b.mu.Lock()
	for _, it := range items {
		if err != nil {
			delete(b.pending, it.ID)
		} else if b.pending[it.ID] == it { // not reset meanwhile
			it.staged = false
			b.schedule(it)
		}
	}
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("outbox: enqueue: %w", err)
	}
	b.kick()
	return nil
}

func (b *Outbox) kick() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Len is the number of entries not yet done.
func (b *Outbox) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}

// dispatch starts due attempts until Close.
func (b *Outbox) dispatch() {
	defer close(b.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		wait := b.startDue()
		if b.shouldCompact() {
			if err := b.compactNow(); err != nil {
				b.log.Error("outbox: compaction failed", "err", err)
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-b.ctx.Done():
			return
		case <-b.wake:
		case <-timer.C:
		}
	}
}

// startDue starts an attempt for every due entry there is room for, oldest
// due first within a kind, and returns how long to sleep.
func (b *Outbox) startDue() time.Duration {
	now := b.o.Clock.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.o.Poll
	}
	for len(b.timers) > 0 && !b.timers[0].due.After(now) {
		t := heap.Pop(&b.timers).(timer)
		if it := t.it; b.live(it) && it.gen == t.gen {
			b.ready[it.Kind] = append(b.ready[it.Kind], it)
		}
	}
	total := 0
	for _, n := range b.inFlight {
		total += n
	}
	for kind, q := range b.ready {
		for len(q) > 0 && total < b.o.Workers && b.inFlight[kind] < b.o.PerKind {
			it := q[0]
			q = q[1:]
			if !b.live(it) {
				continue
			}
			it.inFlight = true
			b.inFlight[kind]++
			total++
			b.attempts.Add(1)
			go b.attempt(it, it.Entry)
		}
		if len(q) == 0 {
			delete(b.ready, kind)
		} else {
			b.ready[kind] = q
		}
	}
	wait := b.o.Poll
	if len(b.timers) > 0 {
		wait = min(wait, b.timers[0].due.Sub(now))
	}
	return max(wait, time.Millisecond)
}

// live reports whether it is still a pending entry that may be attempted.
// Callers hold b.mu.
func (b *Outbox) live(it *item) bool {
	return b.pending[it.ID] == it && !it.inFlight && !it.staged
}

// attempt makes one attempt and records its outcome.
func (b *Outbox) attempt(it *item, e Entry) {
	defer b.attempts.Done()
	ctx, cancel := context.WithTimeout(b.ctx, b.o.AttemptTimeout)
	out := b.deliverers[e.Kind].Deliver(ctx, e)
	cancel()

	b.mu.Lock()
	b.inFlight[e.Kind]--
	it.inFlight = false
	if b.pending[e.ID] != it { // reset while attempting
		b.mu.Unlock()
		return
	}
	var rec []byte
	if out.Done {
		delete(b.pending, e.ID)
		rec = encodeDone(e.ID)
	} else {
		if !out.NotAttempted {
			it.Attempts++
		}
		it.due = out.RetryAt
		rec = encodeAttempt(it)
		b.schedule(it)
	}
	t, err := b.submit(rec)
	b.mu.Unlock()
	if err == nil {
		err = t.Wait()
	}
	// A lost done record means one more delivery after a crash; a lost
	// attempt record, an attempt count that restarts lower. Neither loses
	// the entry.
	if err != nil && !errors.Is(err, wal.ErrClosed) {
		b.log.Warn("outbox: record attempt", "id", e.ID, "err", err)
	}
	b.kick()
}

func (b *Outbox) shouldCompact() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.closed && b.written >= b.o.CompactBytes
}

// Compact rewrites the live entries into a fresh segment and removes the
// older ones.
func (b *Outbox) Compact() error { return b.compactNow() }

func (b *Outbox) compactNow() error {
	b.mu.Lock()
	if b.closed || b.compact {
		b.mu.Unlock()
		return nil
	}
	// Everything submitted so far lands in the closed segment or earlier;
	// the live set is rewritten after it, before any later record, because
	// every record is submitted under b.mu.
	seg, err := b.w.Rotate()
	if err != nil {
		b.mu.Unlock()
		return fmt.Errorf("outbox: rotate: %w", err)
	}
	b.written = 0
	b.compact = true
	var tickets []wal.Ticket
	for _, it := range b.pending {
		t, serr := b.submit(encodeEnqueue(it))
		if serr != nil {
			err = serr
			break
		}
		tickets = append(tickets, t)
	}
	b.mu.Unlock()
	for _, t := range tickets {
		if werr := t.Wait(); werr != nil && err == nil {
			err = werr
		}
	}
	if err == nil {
		err = b.w.RemoveThrough(seg)
	}
	b.mu.Lock()
	b.compact = false
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("outbox: compact: %w", err)
	}
	return nil
}

// Reset drops every entry (dev mode's wipe). Attempts in flight finish but
// their outcome is ignored.
func (b *Outbox) Reset(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.pending, b.timers, b.ready = map[uint64]*item{}, nil, map[string][]*item{}
	seg, err := b.w.Rotate()
	b.written = 0
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("outbox: reset: %w", err)
	}
	return b.w.RemoveThrough(seg)
}

// Close stops starting attempts, cancels those in flight, waits for them
// and closes the log. Entries not done are attempted again after the next
// Open.
func (b *Outbox) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	b.cancel()
	<-b.done
	b.attempts.Wait()
	return b.w.Close()
}
