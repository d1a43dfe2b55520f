package sqs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/ids"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Options configure a Service.
type Options struct {
	DB     *sql.DB // the queue catalog's table lives here
	Store  MessageStore
	Clock  clock.Clock
	IDs    ids.Source // message ids
	Logger *slog.Logger
}

// Service is the SQS handler. Operations not implemented here answer
// NotImplemented through the embedded generated type. Its methods are safe
// for concurrent use.
type Service struct {
	sqsapi.Unimplemented
	db    *sql.DB
	store MessageStore
	clock clock.Clock
	ids   ids.Source
	log   *slog.Logger

	seq       atomic.Uint64 // the last message sequence number handed out
	closing   chan struct{} // closed by Close: long polls end
	closeOnce sync.Once

	createMu sync.Mutex // serialises CreateQueue and DeleteQueue (their SQLite writes)

	mu      sync.RWMutex // guards the maps; each queue guards itself
	queues  map[queueKey]*queue
	byID    map[int64]*queue
	deleted map[queueKey]time.Time // names deleted in the last minute

	moves moveTasks // message move tasks (movetask.go)
}

// queueKey names a queue within Vigil.
type queueKey struct{ account, region, name string }

// New opens the queue catalog and rebuilds every queue's index from the
// message store.
func New(ctx context.Context, o Options) (*Service, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.IDs == nil {
		o.IDs = ids.NewRandom(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Service{db: o.DB, store: o.Store, clock: o.Clock, ids: o.IDs, log: o.Logger,
		closing: make(chan struct{}), queues: map[queueKey]*queue{}, byID: map[int64]*queue{}, deleted: map[queueKey]time.Time{}}
	s.moves.tick = secondTicker
	if err := s.loadCatalog(ctx); err != nil {
		return nil, err
	}
	if err := s.loadMessages(); err != nil {
		return nil, err
	}
	return s, nil
}

// Close ends every long poll at once (they answer with no messages) and
// makes later ones return immediately. The server calls it before it stops
// serving, so that no receive holds the HTTP server open for 20 seconds.
// It also stops every message move task between two moves (they end
// CANCELLED) and waits for their goroutines.
func (s *Service) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.moves.wait()
}

// Reset forgets every queue after the data directory was wiped (dev mode).
func (s *Service) Reset() {
	s.mu.Lock()
	qs := s.queues
	s.queues, s.byID, s.deleted = map[queueKey]*queue{}, map[int64]*queue{}, map[queueKey]time.Time{}
	s.mu.Unlock()
	for _, q := range qs {
		q.retire()
	}
}

// loadMessages indexes every stored message and drops those of queues the
// catalog no longer has (a crash between DeleteQueue's two steps).
func (s *Service) loadMessages() error {
	var maxSeq uint64
	var orphans Writes
	now := s.clock.Now().UnixMilli()
	err := s.store.Load(func(qid int64, seq uint64, rec, st []byte) error {
		maxSeq = max(maxSeq, seq)
		q := s.byID[qid]
		if q == nil {
			m := &msg{seq: seq}
			if st != nil {
				m.stateWrites = stateWritesUnknown
			}
			orphans.Delete(qid, m)
			return nil
		}
		sent, visible, err := decodeHeader(rec)
		if err != nil {
			return fmt.Errorf("sqs: queue %s message %d: %w", q.key.name, seq, err)
		}
		m := &msg{seq: seq, sent: sent, state: state{Visible: visible}}
		if q.dedup != nil {
			if m.group, err = q.loadFifo(rec, seq, now); err != nil {
				return fmt.Errorf("sqs: queue %s message %d: %w", q.key.name, seq, err)
			}
		}
		if st != nil {
			if m.state, err = decodeState(st); err != nil {
				return fmt.Errorf("sqs: queue %s message %d state: %w", q.key.name, seq, err)
			}
			m.stateWrites = stateWritesUnknown
		}
		q.idx.add(m)
		return nil
	})
	if err != nil {
		return err
	}
	s.seq.Store(maxSeq)
	if orphans.Len() == 0 {
		return nil
	}
	wait, err := s.store.Apply(&orphans, synced)
	if err != nil {
		return err
	}
	return wait()
}

// --- the caller ---------------------------------------------------------------

// call is what a handler needs of the request context.
type call struct {
	account, region, host, principal string
	now                              time.Time
}

func callOf(ctx context.Context) call {
	r := reqctx.From(ctx)
	return call{account: r.Caller.AccountID, region: r.Region, host: r.Host, principal: r.Caller.PrincipalID, now: r.Time}
}

func (c call) key(name string) queueKey {
	return queueKey{account: c.account, region: c.region, name: name}
}

// --- errors: codes and messages as SQS words them ------------------------------

func errNoQueue() error {
	return &sqsapi.QueueDoesNotExist{Message: shape.Ptr("The specified queue does not exist.")}
}

func invalidParameter(format string, args ...any) error {
	return shape.Errorf("InvalidParameterValue", format, args...)
}

func missingParameter(name string) error {
	return shape.Errorf("MissingParameter", "The request must contain the parameter %s.", name)
}

func unknownAttribute(name string) error {
	return &sqsapi.InvalidAttributeName{Message: shape.Ptr("Unknown Attribute " + name + ".")}
}

func invalidAttributeValue(name, reason string) error {
	msg := "Invalid value for the parameter " + name + "."
	if reason != "" {
		msg = "Invalid value for the parameter " + name + ". Reason: " + reason
	}
	return &sqsapi.InvalidAttributeValue{Message: shape.Ptr(msg)}
}
