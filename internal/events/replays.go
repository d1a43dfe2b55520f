package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/jsonscan"
)

// Replays (StartReplay, DescribeReplay, ListReplays, CancelReplay) and the
// goroutine that runs them.
//
// A replay is a row of events_replays in SQLite, written at every state
// change and after every batch, with its cursor (the key of the last event
// replayed). One goroutine (started by Start, stopped by Close) reads each
// running replay's archived events in [EventStartTime, EventEndTime) in
// time order, adds "replay-name" to each and routes it to the destination
// bus's rules (all, or only Destination.FilterArns) through the outbox, as
// PutEvents does; replayed events are not archived again. AWS replays in
// one-minute slices; Vigil reads in batches of replayBatch events, which
// keeps the same order.
//
// Decisions where AWS is silent:
//   - A replayed event keeps its id and time (only "replay-name" is added),
//     so consumers can tell it is a repeat of the original; an SQS FIFO
//     target therefore deduplicates a replay made within five minutes of
//     the original delivery.
//   - A replay running when Vigil stops resumes after a restart from its
//     cursor (at-least-once: the last batch may be delivered twice).
//   - EventLastReplayedTime is the time of the last event replayed; it is
//     absent while none was.
//   - A replay whose archive or destination bus disappears ends FAILED
//     with a StateReason naming it.
//   - EventStartTime must be before EventEndTime; an EventEndTime in the
//     future is accepted, and the replay completes when it has read every
//     event archived so far.

const replaySchema = `
CREATE TABLE IF NOT EXISTS events_replays (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region, name)
);`

// maxActiveReplays: "You can have a maximum of 10 active concurrent
// replays per account per AWS Region" (user guide).
const maxActiveReplays = 10

// replayBatch is how many events one pass of a replay routes before it
// records its progress.
const replayBatch = 256

// replayPoll is how often, in real time, the replay loop looks for work
// besides being woken by StartReplay and CancelReplay.
const replayPoll = 200 * time.Millisecond

type replayDoc struct {
	Archive     string   `json:"archive"` // the archive's name
	Description string   `json:"description,omitempty"`
	Dest        string   `json:"dest"` // the destination bus's ARN
	Filters     []string `json:"filters,omitempty"`
	Start       int64    `json:"start"` // EventStartTime, unix ms
	End         int64    `json:"end"`
	State       string   `json:"state"`
	Reason      string   `json:"reason,omitempty"`
	Last        int64    `json:"last,omitempty"` // EventLastReplayedTime
	Started     int64    `json:"started"`
	Ended       int64    `json:"ended,omitempty"`
	Cursor      []byte   `json:"cursor,omitempty"` // time+id of the last event replayed
}

// replay is one replay. Its doc changes under archives.mu, by replacing
// the *replay.
type replay struct {
	p         partition
	name, arn string
	doc       replayDoc
}

// replaySet holds the replays and the runner goroutine's controls.
type replaySet struct {
	byName  map[partition]map[string]*replay
	kick    chan struct{} // wakes the runner
	stop    chan struct{} // closed by Close
	stopped chan struct{} // closed when the runner ends
	cancel  context.CancelFunc
	runMu   sync.Mutex // one pass at a time
}

func replayARN(p partition, name string) string {
	return "arn:aws:events:" + p.region + ":" + p.account + ":replay/" + name
}

func (r *replay) active() bool {
	switch r.doc.State {
	case eventsapi.ReplayStateStarting, eventsapi.ReplayStateRunning, eventsapi.ReplayStateCancelling:
		return true
	}
	return false
}

func (s *Service) loadReplays(ctx context.Context) error {
	a := s.arc
	a.replays.byName = map[partition]map[string]*replay{}
	rows, err := s.db.QueryContext(ctx, `SELECT account, region, name, doc FROM events_replays`)
	if err != nil {
		return fmt.Errorf("load event replays: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p partition
		var name, doc string
		if err := rows.Scan(&p.account, &p.region, &name, &doc); err != nil {
			return fmt.Errorf("load event replays: %w", err)
		}
		r := &replay{p: p, name: name, arn: replayARN(p, name)}
		if err := json.Unmarshal([]byte(doc), &r.doc); err != nil {
			return fmt.Errorf("load event replay %s: %w", name, err)
		}
		a.putReplay(r)
	}
	return rows.Err()
}

// putReplay publishes r; callers hold mu (or own a during load).
func (a *archives) putReplay(r *replay) {
	m := a.replays.byName[r.p]
	if m == nil {
		m = map[string]*replay{}
		a.replays.byName[r.p] = m
	}
	m[r.name] = r
}

func (s *Service) saveReplay(ctx context.Context, r *replay) error {
	doc, err := json.Marshal(&r.doc)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO events_replays (account, region, name, doc) VALUES (?, ?, ?, ?)`,
		r.p.account, r.p.region, r.name, string(doc)); err != nil {
		return fmt.Errorf("save replay: %w", err)
	}
	return nil
}

func errNoReplay(name string) error { return notFound("Replay %s does not exist.", name) }

// --- handlers -------------------------------------------------------------

func (s *Service) StartReplay(ctx context.Context, in *eventsapi.StartReplayRequest) (*eventsapi.StartReplayResponse, error) {
	c := callOf(ctx)
	name := shape.Value(in.ReplayName)
	if s.arc == nil {
		return nil, validation("Parameter EventSourceArn is not valid. Reason: Archive does not exist.")
	}
	p, res, ok := parseEventsARN(shape.Value(in.EventSourceArn))
	archiveName, isArchive := strings.CutPrefix(res, "archive/")
	if !ok || !isArchive || archiveName == "" {
		return nil, validation("Parameter EventSourceArn is not valid. Reason: Must contain an archive ARN.")
	}
	if in.Destination == nil || in.Destination.Arn == nil {
		return nil, validation("Parameter Destination is not valid. Reason: Destination.Arn is a required argument.")
	}
	dp, dres, ok := parseEventsARN(*in.Destination.Arn)
	destBus, isBus := strings.CutPrefix(dres, "event-bus/")
	if !ok || !isBus || destBus == "" {
		return nil, validation("Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.")
	}
	if in.EventStartTime == nil || in.EventEndTime == nil {
		return nil, validation("Parameter(s) EventStartTime and EventEndTime must be specified.")
	}
	start, end := in.EventStartTime.UnixMilli(), in.EventEndTime.UnixMilli()
	if start >= end {
		return nil, validation("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	// The bus is looked up before arc.mu is taken: PutEvents takes s.mu,
	// then arc.mu.
	var b *bus
	if dp == c.p {
		s.mu.RLock()
		b = s.lookupBus(c.p, destBus)
		s.mu.RUnlock()
	}
	a := s.arc
	a.mu.Lock()
	defer a.mu.Unlock()
	var ar *archive
	if p == c.p {
		ar = a.byName[p][archiveName]
	}
	if ar == nil {
		return nil, validation("Parameter EventSourceArn is not valid. Reason: Archive %s does not exist.", archiveName)
	}
	if dp != c.p || destBus != ar.doc.Bus {
		// "You can replay events only to the event bus specified to create
		// the archive."
		return nil, validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	if b == nil {
		return nil, errNoBus(destBus)
	}
	for _, f := range in.Destination.FilterArns {
		fp, fres, ok := parseEventsARN(f)
		if !ok || fp != c.p || !isRuleOf(fres, destBus) {
			return nil, validation("Parameter Destination.FilterArns is not valid. Reason: %s is not a rule ARN of event bus %s.", f, destBus)
		}
	}
	if a.replays.byName[c.p][name] != nil {
		return nil, alreadyExists("Replay %s already exists.", name)
	}
	n := 0
	for _, r := range a.replays.byName[c.p] {
		if r.active() {
			n++
		}
	}
	if n >= maxActiveReplays {
		return nil, limitExceeded("The requested resource exceeds the maximum number allowed.")
	}
	r := &replay{p: c.p, name: name, arn: replayARN(c.p, name), doc: replayDoc{Archive: ar.name, Description: shape.Value(in.Description),
		Dest: b.arn, Filters: in.Destination.FilterArns, Start: start, End: end, State: eventsapi.ReplayStateStarting, Started: ms(c.now)}}
	if err := s.saveReplay(ctx, r); err != nil {
		return nil, err
	}
	a.putReplay(r)
	a.wake()
	return &eventsapi.StartReplayResponse{ReplayArn: shape.Ptr(r.arn), State: shape.Ptr(r.doc.State), ReplayStartTime: msTime(r.doc.Started)}, nil
}

// isRuleOf reports whether an ARN's resource names a rule of bus busName.
func isRuleOf(res, busName string) bool {
	rest, ok := strings.CutPrefix(res, "rule/")
	if !ok || rest == "" {
		return false
	}
	if busName == defaultBus {
		return !strings.Contains(rest, "/")
	}
	n, ok := strings.CutPrefix(rest, busName+"/")
	return ok && n != "" && !strings.Contains(n, "/")
}

func (a *archives) wake() {
	select {
	case a.replays.kick <- struct{}{}:
	default:
	}
}

func (s *Service) replayFor(c call, name string) (*replay, error) {
	if s.arc == nil {
		return nil, errNoReplay(name)
	}
	r := s.arc.replays.byName[c.p][name]
	if r == nil {
		return nil, errNoReplay(name)
	}
	return r, nil
}

func replayDest(r *replay) *eventsapi.ReplayDestination {
	return &eventsapi.ReplayDestination{Arn: shape.Ptr(r.doc.Dest), FilterArns: r.doc.Filters}
}

func (s *Service) DescribeReplay(ctx context.Context, in *eventsapi.DescribeReplayRequest) (*eventsapi.DescribeReplayResponse, error) {
	c := callOf(ctx)
	if s.arc == nil {
		return nil, errNoReplay(shape.Value(in.ReplayName))
	}
	s.arc.mu.RLock()
	defer s.arc.mu.RUnlock()
	r, err := s.replayFor(c, shape.Value(in.ReplayName))
	if err != nil {
		return nil, err
	}
	d := r.doc
	return &eventsapi.DescribeReplayResponse{ReplayName: shape.Ptr(r.name), ReplayArn: shape.Ptr(r.arn), Description: optional(d.Description),
		State: shape.Ptr(d.State), StateReason: optional(d.Reason), EventSourceArn: shape.Ptr(archiveARN(r.p, d.Archive)),
		Destination: replayDest(r), EventStartTime: msTime(d.Start), EventEndTime: msTime(d.End), EventLastReplayedTime: msTime(d.Last),
		ReplayStartTime: msTime(d.Started), ReplayEndTime: msTime(d.Ended)}, nil
}

func (s *Service) ListReplays(ctx context.Context, in *eventsapi.ListReplaysRequest) (*eventsapi.ListReplaysResponse, error) {
	c := callOf(ctx)
	if countFilters(in.NamePrefix, in.EventSourceArn, in.State) > 1 {
		return nil, errOneFilter("ListReplays")
	}
	out := &eventsapi.ListReplaysResponse{Replays: []eventsapi.Replay{}}
	if s.arc == nil {
		return out, nil
	}
	s.arc.mu.RLock()
	defer s.arc.mu.RUnlock()
	prefix, src, state := shape.Value(in.NamePrefix), shape.Value(in.EventSourceArn), shape.Value(in.State)
	m := s.arc.replays.byName[c.p]
	var names []string
	for n, r := range m {
		if strings.HasPrefix(n, prefix) && (src == "" || archiveARN(r.p, r.doc.Archive) == src) && (state == "" || r.doc.State == state) {
			names = append(names, n)
		}
	}
	got, next, err := page(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out.NextToken = next
	for _, n := range got {
		r := m[n]
		d := r.doc
		out.Replays = append(out.Replays, eventsapi.Replay{ReplayName: shape.Ptr(r.name), EventSourceArn: shape.Ptr(archiveARN(r.p, d.Archive)),
			State: shape.Ptr(d.State), StateReason: optional(d.Reason), EventStartTime: msTime(d.Start), EventEndTime: msTime(d.End),
			EventLastReplayedTime: msTime(d.Last), ReplayStartTime: msTime(d.Started), ReplayEndTime: msTime(d.Ended)})
	}
	return out, nil
}

// CancelReplay asks a STARTING or RUNNING replay to stop: it is CANCELLING
// until the runner's next pass makes it CANCELLED. Any other state is
// refused with IllegalStatusException.
func (s *Service) CancelReplay(ctx context.Context, in *eventsapi.CancelReplayRequest) (*eventsapi.CancelReplayResponse, error) {
	c := callOf(ctx)
	if s.arc == nil {
		return nil, errNoReplay(shape.Value(in.ReplayName))
	}
	a := s.arc
	a.mu.Lock()
	defer a.mu.Unlock()
	r, err := s.replayFor(c, shape.Value(in.ReplayName))
	if err != nil {
		return nil, err
	}
	if r.doc.State != eventsapi.ReplayStateStarting && r.doc.State != eventsapi.ReplayStateRunning {
		return nil, &eventsapi.IllegalStatusException{Message: shape.Ptr("Replay " + r.name + " is not in a valid state for this operation.")}
	}
	nr := *r
	nr.doc.State = eventsapi.ReplayStateCancelling
	if err := s.saveReplay(ctx, &nr); err != nil {
		return nil, err
	}
	a.putReplay(&nr)
	a.wake()
	return &eventsapi.CancelReplayResponse{ReplayArn: shape.Ptr(r.arn), State: shape.Ptr(nr.doc.State)}, nil
}

// --- the runner -------------------------------------------------------------

// startReplays starts the replay runner; closeReplays stops it and waits.
func (s *Service) startReplays() {
	a := s.arc
	if a == nil || a.replays.stop != nil {
		return
	}
	kick := make(chan struct{}, 1)
	stop, stopped := make(chan struct{}), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	a.mu.Lock()
	a.replays.kick, a.replays.stop, a.replays.stopped, a.replays.cancel = kick, stop, stopped, cancel
	a.mu.Unlock()
	go func() {
		defer close(stopped)
		t := time.NewTicker(replayPoll)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			case <-kick:
			}
			if err := s.RunReplays(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("events: replay pass failed; retrying", "err", err)
			}
		}
	}()
}

func (s *Service) closeReplays() {
	a := s.arc
	if a == nil {
		return
	}
	a.mu.Lock()
	stop, stopped, cancel := a.replays.stop, a.replays.stopped, a.replays.cancel
	a.replays.stop, a.replays.kick = nil, nil
	a.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	cancel() // a pass in flight stops at its next enqueue
	<-stopped
}

// RunReplays advances every active replay until none can progress: the
// runner goroutine calls it, and tests call it to run replays on demand.
// Only one pass runs at a time.
func (s *Service) RunReplays(ctx context.Context) error {
	for {
		progressed, err := s.replayPass(ctx, replayBatch)
		if err != nil || !progressed {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// replayPass advances each active replay by at most batch events and says
// whether anything changed.
func (s *Service) replayPass(ctx context.Context, batch int) (bool, error) {
	a := s.arc
	if a == nil {
		return false, nil
	}
	a.replays.runMu.Lock()
	defer a.replays.runMu.Unlock()
	a.mu.RLock()
	var todo []*replay
	for _, m := range a.replays.byName {
		for _, r := range m {
			if r.active() {
				todo = append(todo, r)
			}
		}
	}
	a.mu.RUnlock()
	sort.Slice(todo, func(i, j int) bool { return todo[i].arn < todo[j].arn })
	progressed := false
	for _, r := range todo {
		changed, err := s.advance(ctx, r, batch)
		if err != nil {
			return progressed, err
		}
		progressed = progressed || changed
	}
	return progressed, nil
}

// advance moves one replay on by at most batch events.
func (s *Service) advance(ctx context.Context, r *replay, batch int) (bool, error) {
	a := s.arc
	now := s.clock.Now()
	d := r.doc
	if d.State == eventsapi.ReplayStateCancelling {
		d.State, d.Ended = eventsapi.ReplayStateCancelled, ms(now)
		return true, s.settle(ctx, r, d)
	}
	d.State = eventsapi.ReplayStateRunning
	fail := func(reason string) (bool, error) {
		d.State, d.Reason, d.Ended = eventsapi.ReplayStateFailed, reason, ms(now)
		return true, s.settle(ctx, r, d)
	}
	a.mu.RLock()
	ar := a.byName[r.p][d.Archive]
	a.mu.RUnlock()
	if ar == nil || a.kv == nil {
		return fail("Archive " + d.Archive + " does not exist.")
	}
	destP, res, _ := parseEventsARN(d.Dest)
	busName := strings.TrimPrefix(res, "event-bus/")

	prefix := archiveKeyPrefix(r.p, d.Archive)
	lo := appendTimeKey(append([]byte(nil), prefix...), d.Start)
	if d.Cursor != nil {
		lo = append(append(append([]byte(nil), prefix...), d.Cursor...), 0)
	}
	hi := appendTimeKey(append([]byte(nil), prefix...), d.End)
	it, err := a.kv.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return false, fmt.Errorf("replay %s: %w", r.name, err)
	}
	filter := map[string]bool{}
	for _, f := range d.Filters {
		filter[f] = true
	}
	var ds []delivery
	n := 0
	more := false
	s.mu.RLock()
	b := s.lookupBus(destP, busName)
	if b == nil {
		s.mu.RUnlock()
		it.Close()
		return fail("Event bus " + busName + " does not exist.")
	}
	for it.First(); it.Valid(); it.Next() {
		if n == batch {
			more = true
			break
		}
		k := it.Key()[len(prefix):]
		at := timeOfKey(k)
		id := string(k[8:])
		ev := withReplayName(it.Value(), r.name)
		ds = s.routeReplay(ds, destP, b, ev, id, time.UnixMilli(at), now, filter)
		d.Cursor = append([]byte(nil), k...)
		d.Last = at
		n++
	}
	s.mu.RUnlock()
	if err := it.Close(); err != nil {
		return false, fmt.Errorf("replay %s: %w", r.name, err)
	}
	if err := s.dispatch(ctx, s.met, ds); err != nil {
		return false, fmt.Errorf("replay %s: %w", r.name, err)
	}
	if !more {
		d.State, d.Ended = eventsapi.ReplayStateCompleted, ms(now)
	}
	return true, s.settle(ctx, r, d)
}

// settle records r's new doc unless CancelReplay changed the replay
// meanwhile: then only the progress is kept and the replay stays
// CANCELLING for the next pass.
func (s *Service) settle(ctx context.Context, r *replay, d replayDoc) error {
	a := s.arc
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.replays.byName[r.p][r.name]
	if cur == nil {
		return nil // wiped by a dev reset
	}
	if cur != r && cur.doc.State == eventsapi.ReplayStateCancelling && d.State != eventsapi.ReplayStateCancelled {
		cd := cur.doc
		cd.Cursor, cd.Last = d.Cursor, d.Last
		d = cd
	}
	nr := &replay{p: r.p, name: r.name, arn: r.arn, doc: d}
	if err := s.saveReplay(ctx, nr); err != nil {
		return err
	}
	a.putReplay(nr)
	return nil
}

// withReplayName returns a copy of the event with "replay-name" added as
// its last top-level field.
func withReplayName(ev []byte, name string) []byte {
	out := make([]byte, 0, len(ev)+len(name)+20)
	out = append(out, ev[:len(ev)-1]...)
	out = append(out, `,"replay-name":`...)
	out = jsonscan.AppendString(out, name)
	return append(out, '}')
}

// routeReplay is route for a replayed event: bus b's matching enabled
// rules, restricted to filter when it is not empty. Callers hold s.mu for
// reading.
func (s *Service) routeReplay(dst []delivery, p partition, b *bus, ev []byte, id string, at, now time.Time, filter map[string]bool) []delivery {
	if len(b.rules) == 0 {
		return dst
	}
	var buf [8]string
	names, err := b.matcher.MatchEvent(ev, buf[:0])
	if err != nil {
		s.log.Error("events: match replayed event", "bus", b.arn, "err", err)
		return dst
	}
	for _, n := range names {
		r := b.rules[n]
		if r == nil || !r.enabled() || len(filter) > 0 && !filter[r.arn] {
			continue
		}
		n := len(dst)
		dst = appendDeliveries(dst, p, b, r, id, at, 0, now, ev)
		for i := n; i < len(dst); i++ {
			dst[i].Replay = true
		}
	}
	return dst
}
