package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
)

// Retention is how long Event history keeps management events.
const Retention = 90 * 24 * time.Hour

// Sink receives data events (for trail delivery). Deliver is called from the
// Recorder's goroutine, one batch at a time, and must not retain the slice.
type Sink interface {
	Deliver(ctx context.Context, events []*Event) error
}

// RecorderOptions configure a Recorder. The zero value is usable.
type RecorderOptions struct {
	// Sink receives data events; nil drops them (Event history never shows
	// data events).
	Sink Sink
	// Management receives management events once they are stored (for
	// EventBridge's "AWS API Call via CloudTrail"); nil sends them nowhere.
	// A failure is logged: that delivery is best effort, as in AWS.
	Management Sink
	// QueueSize bounds the events waiting for the writer; default 8192.
	QueueSize int
	// MaxBatch bounds the events committed at once; default 512.
	MaxBatch int
	// Clock drives retention; default clock.System{}.
	Clock clock.Clock
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// ErrClosed is returned by Flush after Close.
var ErrClosed = errors.New("audit: recorder closed")

// Recorder takes events from request goroutines and writes them to the
// Store from one goroutine it owns, batching whatever has queued while the
// previous commit was being synced (group commit: no timer, no added
// latency when idle). Management events go to the Store, data events to the
// Sink.
//
// Record, Flush and SweepOnce are safe for concurrent use. Close must be
// called once, after which Record drops events (logging them) and Flush
// returns ErrClosed.
type Recorder struct {
	store  Store
	sink   Sink
	mgmt   Sink
	clock  clock.Clock
	log    *slog.Logger
	max    int
	queue  chan item
	done   chan struct{}
	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool

	warnedFull atomic.Bool
	failed     atomic.Int64
}

type item struct {
	ev    *Event
	flush chan error // a flush marker when non-nil
}

// NewRecorder starts a Recorder writing to store. Stop it with Close.
func NewRecorder(store Store, o RecorderOptions) *Recorder {
	if o.QueueSize <= 0 {
		o.QueueSize = 8192
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	r := &Recorder{
		store: store, sink: o.Sink, mgmt: o.Management, clock: o.Clock, log: o.Logger, max: o.MaxBatch,
		queue: make(chan item, o.QueueSize),
		done:  make(chan struct{}),
	}
	go r.run()
	return r
}

// Record enqueues ev. It does no I/O; when the queue is full it blocks until
// the writer catches up (backpressure, never a silent drop) and logs a
// warning the first time that happens.
func (r *Recorder) Record(ev *Event) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.log.Error("audit: event recorded after close, dropped", "eventID", ev.EventID, "eventName", ev.EventName)
		return
	}
	select {
	case r.queue <- item{ev: ev}:
	default:
		if r.warnedFull.CompareAndSwap(false, true) {
			r.log.Warn("audit: event queue full, API calls wait for the audit writer", "queue", cap(r.queue))
		}
		r.queue <- item{ev: ev}
	}
}

// Flush waits until every event recorded before the call is durable (or
// handed to the Sink). It returns the first write error since the previous
// Flush, ctx's error, or ErrClosed.
func (r *Recorder) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return ErrClosed
	}
	select {
	case r.queue <- item{flush: reply}:
	case <-ctx.Done():
		r.mu.RUnlock()
		return ctx.Err()
	}
	r.mu.RUnlock()
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close writes everything queued, stops the goroutine and waits for it.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		<-r.done
		return nil
	}
	r.closed = true
	close(r.queue)
	r.mu.Unlock()
	<-r.done
	return nil
}

// Failed returns how many events could not be written.
func (r *Recorder) Failed() int64 { return r.failed.Load() }

// SweepOnce deletes management events older than Retention (by the
// Recorder's clock). The scheduler calls it, e.g. hourly.
func (r *Recorder) SweepOnce(ctx context.Context) (int, error) {
	n, err := r.store.Sweep(ctx, r.clock.Now().Add(-Retention))
	if err != nil {
		r.log.Error("audit: retention sweep failed", "err", err, "deleted", n)
	}
	return n, err
}

func (r *Recorder) run() {
	defer close(r.done)
	var (
		mgmt, data []*Event
		flushes    []chan error
		firstErr   error
	)
	for {
		it, ok := <-r.queue
		if !ok {
			return
		}
		mgmt, data, flushes = mgmt[:0], data[:0], flushes[:0]
		add := func(it item) {
			switch {
			case it.flush != nil:
				flushes = append(flushes, it.flush)
			case it.ev.ManagementEvent:
				mgmt = append(mgmt, it.ev)
			default:
				data = append(data, it.ev)
			}
		}
		add(it)
		open := true
	drain:
		for len(mgmt)+len(data) < r.max {
			select {
			case it, ok := <-r.queue:
				if !ok {
					open = false
					break drain
				}
				add(it)
			default:
				break drain
			}
		}
		if err := r.write(mgmt, data); err != nil && firstErr == nil {
			firstErr = err
		}
		for _, f := range flushes {
			f <- firstErr
		}
		if len(flushes) > 0 {
			firstErr = nil
		}
		clear(mgmt)
		clear(data)
		if !open {
			return
		}
	}
}

// write commits one batch, retrying a failed commit a few times before
// reporting the events as lost.
func (r *Recorder) write(mgmt, data []*Event) error {
	ctx := context.Background()
	var err error
	if len(mgmt) > 0 {
		for attempt, wait := 0, 10*time.Millisecond; attempt < 4; attempt, wait = attempt+1, wait*4 {
			if err = r.store.Append(ctx, mgmt); err == nil {
				break
			}
			r.log.Warn("audit: append failed, retrying", "err", err, "events", len(mgmt), "attempt", attempt+1)
			time.Sleep(wait)
		}
		if err != nil {
			r.failed.Add(int64(len(mgmt)))
			r.log.Error("audit: events lost after retries", "err", err, "events", len(mgmt))
		} else if r.mgmt != nil {
			if merr := r.mgmt.Deliver(ctx, mgmt); merr != nil {
				r.log.Warn("audit: management events not delivered", "err", merr, "events", len(mgmt))
			}
		}
	}
	if len(data) > 0 && r.sink != nil {
		if serr := r.sink.Deliver(ctx, data); serr != nil {
			r.failed.Add(int64(len(data)))
			r.log.Error("audit: data event delivery failed", "err", serr, "events", len(data))
			if err == nil {
				err = serr
			}
		}
	}
	return err
}
