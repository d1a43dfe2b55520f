package logs

import (
	"cmp"
	"context"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/logstore"
	"github.com/vigilhq/vigil/internal/reqctx"
)

// Live Tail behaviour (API reference, StartLiveTail): one sessionStart,
// then a sessionUpdate every second (empty when nothing matched), at most
// 500 events per update, sampled when more matched; a slow client gets at
// most 10 updates or 5,000 events buffered, the oldest dropped first; the
// session ends with SessionTimeoutException after three hours.
const (
	tailUpdateEvery    = time.Second
	tailMaxPerUpdate   = 500
	tailMaxQueued      = 10
	tailMaxQueuedEvent = 5000
	tailTimeout        = 3 * time.Hour
	tailMaxSessions    = 15 // concurrent sessions per account
)

// tailHub routes stored events to the Live Tail sessions watching their
// log group. publish never blocks: sessions sample what they cannot send.
type tailHub struct {
	active atomic.Int32 // sessions open; publish returns at once when 0

	mu       sync.RWMutex
	sessions map[tailKey]map[*tailSession]struct{}
	perAcct  map[string]int
	done     chan struct{}
	closed   bool
}

type tailKey struct {
	p     partition
	group string
}

func newTailHub() *tailHub {
	return &tailHub{sessions: map[tailKey]map[*tailSession]struct{}{}, perAcct: map[string]int{}, done: make(chan struct{})}
}

// close ends every session (server shutdown); sessions started later end
// at once.
func (h *tailHub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

type tailSession struct {
	groups   map[string]string // group name → identifier as the caller gave it
	streams  map[string]bool
	prefixes []string
	pattern  *filterpattern.Pattern

	mu      sync.Mutex
	rng     *rand.Rand
	window  []logsapi.LiveTailSessionLogEvent // reservoir of this second's matches
	matched int                               // matches this second
	queue   []logsapi.LiveTailSessionUpdate
}

func (h *tailHub) add(p partition, s *tailSession) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.perAcct[p.Account] >= tailMaxSessions {
		return false
	}
	h.perAcct[p.Account]++
	for g := range s.groups {
		k := tailKey{p, g}
		if h.sessions[k] == nil {
			h.sessions[k] = map[*tailSession]struct{}{}
		}
		h.sessions[k][s] = struct{}{}
	}
	h.active.Add(1)
	return true
}

func (h *tailHub) remove(p partition, s *tailSession) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.perAcct[p.Account]--
	for g := range s.groups {
		k := tailKey{p, g}
		delete(h.sessions[k], s)
		if len(h.sessions[k]) == 0 {
			delete(h.sessions, k)
		}
	}
	h.active.Add(-1)
}

func (h *tailHub) publish(p partition, group, stream string, batch []logstore.Event) {
	if h.active.Load() == 0 {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.sessions[tailKey{p, group}] {
		s.offer(group, stream, batch)
	}
}

func (s *tailSession) wants(stream string) bool {
	switch {
	case s.streams != nil:
		return s.streams[stream]
	case s.prefixes != nil:
		return hasPrefixAny(stream, s.prefixes)
	}
	return true
}

func hasPrefixAny(name string, prefixes []string) bool {
	for _, pre := range prefixes {
		if strings.HasPrefix(name, pre) {
			return true
		}
	}
	return false
}

func (s *tailSession) offer(group, stream string, batch []logstore.Event) {
	if !s.wants(stream) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range batch {
		e := &batch[i]
		if !s.pattern.Match(unsafe.String(unsafe.SliceData(e.Message), len(e.Message))) {
			continue
		}
		s.matched++
		slot := len(s.window)
		if s.matched > tailMaxPerUpdate {
			// Reservoir sampling: every match of the second is kept with
			// the same probability.
			slot = s.rng.IntN(s.matched)
			if slot >= tailMaxPerUpdate {
				continue
			}
		}
		ev := logsapi.LiveTailSessionLogEvent{
			LogStreamName:      shape.Ptr(stream),
			LogGroupIdentifier: shape.Ptr(s.groups[group]),
			Message:            shape.Ptr(string(e.Message)),
			Timestamp:          shape.Ptr(e.Timestamp),
			IngestionTime:      shape.Ptr(e.IngestionTime),
		}
		if slot == len(s.window) {
			s.window = append(s.window, ev)
		} else {
			s.window[slot] = ev
		}
	}
}

// rotate closes the current second into an update and queues it, dropping
// the oldest queued updates beyond the buffer limits.
func (s *tailSession) rotate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	evs := s.window
	slices.SortStableFunc(evs, func(a, b logsapi.LiveTailSessionLogEvent) int {
		return cmp.Compare(*a.IngestionTime, *b.IngestionTime)
	})
	if evs == nil {
		evs = []logsapi.LiveTailSessionLogEvent{}
	}
	s.queue = append(s.queue, logsapi.LiveTailSessionUpdate{
		SessionMetadata: &logsapi.LiveTailSessionMetadata{Sampled: shape.Ptr(s.matched > tailMaxPerUpdate)},
		SessionResults:  evs,
	})
	s.window, s.matched = nil, 0
	queued := 0
	for _, u := range s.queue {
		queued += len(u.SessionResults)
	}
	for len(s.queue) > tailMaxQueued || (len(s.queue) > 1 && queued > tailMaxQueuedEvent) {
		queued -= len(s.queue[0].SessionResults)
		s.queue = s.queue[1:]
	}
}

func (s *tailSession) takeQueue() []logsapi.LiveTailSessionUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queue
	s.queue = nil
	return q
}

func (s *Service) StartLiveTail(ctx context.Context, in *logsapi.StartLiveTailRequest) (*logsapi.StartLiveTailResponse, error) {
	p := partitionOf(ctx)
	rq := reqctx.From(ctx)
	if in.LogStreamNames != nil && in.LogStreamNamePrefixes != nil {
		return nil, invalidParameter("logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.")
	}
	if (in.LogStreamNames != nil || in.LogStreamNamePrefixes != nil) && len(in.LogGroupIdentifiers) != 1 {
		return nil, invalidParameter("logStreamNames and logStreamNamePrefixes can only be used when logGroupIdentifiers has exactly one log group.")
	}
	pat, err := parsePattern(shape.Value(in.LogEventFilterPattern), false)
	if err != nil {
		return nil, err
	}
	sess := &tailSession{groups: map[string]string{}, prefixes: in.LogStreamNamePrefixes, pattern: pat}
	for _, id := range in.LogGroupIdentifiers {
		if strings.HasSuffix(id, ":*") {
			return nil, invalidParameter("A log group ARN in logGroupIdentifiers must not end with :* (%s).", id)
		}
		name, err := groupFromIdentifier(p, id)
		if err != nil {
			return nil, err
		}
		if s.cat.group(p, name) == nil {
			return nil, errGroupNotFound()
		}
		sess.groups[name] = id
	}
	if in.LogStreamNames != nil {
		sess.streams = map[string]bool{}
		for _, n := range in.LogStreamNames {
			sess.streams[n] = true
		}
	}
	sessionID := s.ids.UUID()
	h := fnv.New64a()
	h.Write([]byte(sessionID))
	sess.rng = rand.New(rand.NewPCG(h.Sum64(), 0x9e3779b97f4a7c15))
	if !s.tail.add(p, sess) {
		return nil, limitExceeded("You have reached the maximum number of concurrent Live Tail sessions (15).")
	}
	start := &logsapi.LiveTailSessionStart{
		RequestId:             shape.Ptr(rq.RequestID),
		SessionId:             shape.Ptr(sessionID),
		LogGroupIdentifiers:   in.LogGroupIdentifiers,
		LogStreamNames:        in.LogStreamNames,
		LogStreamNamePrefixes: in.LogStreamNamePrefixes,
		LogEventFilterPattern: shape.Ptr(pat.Source()),
	}
	deadline := s.clock.Now().Add(tailTimeout)
	rq.Stream = func(ctx context.Context, send func(any) error) error {
		defer s.tail.remove(p, sess)
		if err := send(&logsapi.StartLiveTailResponseStream{SessionStart: start}); err != nil {
			return nil // the client is gone
		}
		tick := time.NewTicker(tailUpdateEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-s.tail.done:
				return nil
			case <-tick.C:
			}
			if !s.clock.Now().Before(deadline) {
				return send(&logsapi.StartLiveTailResponseStream{SessionTimeoutException: &logsapi.SessionTimeoutException{
					Message: shape.Ptr("Live Tail session has timed out after three hours."),
				}})
			}
			sess.rotate()
			for _, u := range sess.takeQueue() {
				if err := send(&logsapi.StartLiveTailResponseStream{SessionUpdate: &u}); err != nil {
					return nil
				}
			}
		}
	}
	return &logsapi.StartLiveTailResponse{}, nil
}

// Close ends every Live Tail session, so that the HTTP server can shut
// down; the server calls it before it stops serving.
func (s *Service) Close() { s.tail.close() }
