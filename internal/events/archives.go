package events

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/eventpattern"
)

// Archives (CreateArchive … DeleteArchive) and the archiving of accepted
// events.
//
// An archive's definition is a row of events_archives in SQLite. Its events
// live in the shared Pebble DB under a prefix this file owns:
//
//	events/archive/<lp account><lp region><lp name><time><event id> → event JSON
//
// lp is a uvarint length then the bytes, so no name is a prefix of another's
// keys; time is the event's time (its "time" field, to the millisecond) as a
// sign-flipped big-endian int64, so one archive's events iterate in time
// order and a replay's [start, end) is one key range. Every archived event
// of a PutEvents call is written in one batch committed with pebble.Sync
// before the call answers: our decision, rather than riding on the outbox's
// log, so an archive keeps events that matched no rule (the outbox only
// holds deliveries) and a replay reads them in order without a second copy.
//
// Decisions where AWS is silent or differs by nature:
//   - An archive is ENABLED as soon as CreateArchive returns (AWS passes
//     through CREATING) and receives every later event at once (AWS warns
//     of a delay).
//   - AWS implements an archive as a managed rule "Events-Archive-<name>"
//     on the bus; Vigil matches archives apart from rules, so no such rule
//     appears in ListRules and archives do not count against the rules
//     quota.
//   - Retention counts from the event's time: the sweep deletes events
//     whose time is more than RetentionDays ago (so an event put with an
//     old Time may leave at the next sweep).
//   - EventCount and SizeBytes (the bytes of the archived events' JSON)
//     are kept in memory and recounted from Pebble at start-up. An event
//     archived with a time already past retention while a sweep runs may
//     be deleted uncounted until the next start (AWS itself reconciles
//     these values only every 24 hours).
//   - Archives of a deleted bus stay (and may still be replayed once a bus
//     of that name exists again); they receive nothing meanwhile.
//   - Events a bus target forwards from another bus and scheduled events
//     are not archived; PutEvents, PutServiceEvent (Vigil's own events)
//     and CloudTrail's API-call events are. Replayed events never are.

const archivePrefix = "events/archive/"

const archiveSchema = `
CREATE TABLE IF NOT EXISTS events_archives (
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	doc     TEXT NOT NULL,
	PRIMARY KEY (account, region, name)
);`

// archiveDoc is an archive's persisted definition.
type archiveDoc struct {
	Bus           string `json:"bus"` // the source bus's name
	Description   string `json:"description,omitempty"`
	Pattern       string `json:"pattern,omitempty"`
	RetentionDays int32  `json:"retention,omitempty"` // 0: indefinitely
	Kms           string `json:"kms,omitempty"`
	Created       int64  `json:"created"`
}

// archive is one archive; doc and pattern change only under archives.mu,
// by replacing the *archive, so PutEvents may use one it read.
type archive struct {
	p         partition
	name, arn string
	doc       archiveDoc
	pattern   *eventpattern.Pattern // nil: every event
	stats     *archiveStats         // shared by an archive's versions
}

type archiveStats struct{ count, size atomic.Int64 }

// archives is the Service's archive catalog and replay runner state.
type archives struct {
	kv *pebble.DB

	mu     sync.RWMutex
	byName map[partition]map[string]*archive
	byBus  map[string][]*archive // source bus ARN → its archives

	replays replaySet
}

func archiveARN(p partition, name string) string {
	return "arn:aws:events:" + p.region + ":" + p.account + ":archive/" + name
}

// openArchives creates the tables and loads archives and replays. kv nil
// leaves archives unavailable (CreateArchive says so).
func (s *Service) openArchives(ctx context.Context, kv *pebble.DB) error {
	s.arc = &archives{kv: kv}
	if _, err := s.db.ExecContext(ctx, archiveSchema+replaySchema); err != nil {
		return fmt.Errorf("create events archive tables: %w", err)
	}
	return s.loadArchives(ctx)
}

func (s *Service) loadArchives(ctx context.Context) error {
	a := s.arc
	a.mu.Lock()
	defer a.mu.Unlock()
	a.byName, a.byBus = map[partition]map[string]*archive{}, map[string][]*archive{}
	rows, err := s.db.QueryContext(ctx, `SELECT account, region, name, doc FROM events_archives`)
	if err != nil {
		return fmt.Errorf("load event archives: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p partition
		var name, doc string
		if err := rows.Scan(&p.account, &p.region, &name, &doc); err != nil {
			return fmt.Errorf("load event archives: %w", err)
		}
		var d archiveDoc
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return fmt.Errorf("load event archive %s: %w", name, err)
		}
		ar, err := compileArchive(p, name, d, &archiveStats{})
		if err != nil {
			s.log.Warn("events: stored archive pattern does not compile; it archives nothing", "archive", ar.arn, "err", err)
			ar.pattern = nothing
		}
		if err := a.recount(ar); err != nil {
			return err
		}
		a.put(ar)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load event archives: %w", err)
	}
	return s.loadReplays(ctx)
}

// nothing is a pattern no event matches (a stored pattern that no longer
// compiles).
var nothing = func() *eventpattern.Pattern {
	p, _ := eventpattern.Compile([]byte(`{"source":[{"prefix":"vigil.never."}],"detail-type":[{"prefix":"vigil.never."}]}`))
	return p
}()

func compileArchive(p partition, name string, d archiveDoc, st *archiveStats) (*archive, error) {
	ar := &archive{p: p, name: name, arn: archiveARN(p, name), doc: d, stats: st}
	if d.Pattern == "" {
		return ar, nil
	}
	pat, err := eventpattern.Compile([]byte(d.Pattern))
	if err != nil {
		return ar, err
	}
	ar.pattern = pat
	return ar, nil
}

// put publishes ar (new or replacing its previous version); callers hold mu.
func (a *archives) put(ar *archive) {
	m := a.byName[ar.p]
	if m == nil {
		m = map[string]*archive{}
		a.byName[ar.p] = m
	}
	m[ar.name] = ar
	a.reindex(ar.p, ar.doc.Bus)
}

// reindex rebuilds byBus for one bus; callers hold mu.
func (a *archives) reindex(p partition, busName string) {
	arn := busARN(p, busName)
	var list []*archive
	for _, ar := range a.byName[p] {
		if ar.doc.Bus == busName {
			list = append(list, ar)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	if len(list) == 0 {
		delete(a.byBus, arn)
	} else {
		a.byBus[arn] = list
	}
}

// --- keys -----------------------------------------------------------------

func archiveKeyPrefix(p partition, name string) []byte {
	b := make([]byte, 0, len(archivePrefix)+len(p.account)+len(p.region)+len(name)+3)
	b = append(b, archivePrefix...)
	b = archiveLP(b, p.account)
	b = archiveLP(b, p.region)
	return archiveLP(b, name)
}

func archiveLP(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendTimeKey appends t (ms) so that keys sort in time order, times
// before 1970 included.
func appendTimeKey(b []byte, ms int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(ms)^(1<<63))
}

func timeOfKey(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)) }

// prefixEnd is the smallest key after every key starting with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// recount sets ar's EventCount and SizeBytes from its stored events.
func (a *archives) recount(ar *archive) error {
	if a.kv == nil {
		return nil
	}
	lo := archiveKeyPrefix(ar.p, ar.name)
	it, err := a.kv.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: prefixEnd(lo)})
	if err != nil {
		return fmt.Errorf("count archive %s: %w", ar.name, err)
	}
	var n, size int64
	for it.First(); it.Valid(); it.Next() {
		n++
		size += int64(len(it.Value()))
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("count archive %s: %w", ar.name, err)
	}
	ar.stats.count.Store(n)
	ar.stats.size.Store(size)
	return nil
}

// --- archiving ------------------------------------------------------------

// archiveBatch collects the archived copies of one call's events.
type archiveBatch struct {
	b     *pebble.Batch
	added []archiveAdd
	// again: the events may be archived already (a forward retried after
	// a failure), so copies already stored are neither written nor
	// counted again.
	again bool
}

type archiveAdd struct {
	st   *archiveStats
	size int64
}

// archiveEvent adds ev (accepted on bus b at time at) to every archive of b
// whose pattern it matches. Callers hold s.mu for reading; the batch is
// written by commitArchive.
func (s *Service) archiveEvent(ab *archiveBatch, p partition, b *bus, ev []byte, id string, at time.Time) *archiveBatch {
	a := s.arc
	if a == nil || a.kv == nil || b == nil {
		return ab
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, ar := range a.byBus[b.arn] {
		if ar.pattern != nil {
			ok, err := ar.pattern.Match(ev)
			if err != nil || !ok {
				continue
			}
		}
		if ab == nil {
			ab = &archiveBatch{}
		}
		if ab.b == nil {
			ab.b = a.kv.NewBatch()
		}
		k := appendTimeKey(archiveKeyPrefix(p, ar.name), at.UnixMilli())
		k = append(k, id...)
		if ab.again {
			if _, closer, err := a.kv.Get(k); err == nil {
				closer.Close()
				continue
			}
		}
		if err := ab.b.Set(k, ev, nil); err != nil {
			s.log.Error("events: archive batch", "archive", ar.arn, "err", err)
			continue
		}
		ab.added = append(ab.added, archiveAdd{ar.stats, int64(len(ev))})
	}
	return ab
}

// commitArchive makes the archived copies durable (fsynced) and counts
// them. A nil batch is nothing to do.
func (s *Service) commitArchive(ab *archiveBatch) error {
	if ab == nil || ab.b == nil {
		return nil
	}
	defer ab.b.Close()
	if err := ab.b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("events: write archive: %w", err)
	}
	for _, ad := range ab.added {
		ad.st.count.Add(1)
		ad.st.size.Add(ad.size)
	}
	return nil
}

// hasArchives reports whether bus b has an archive (CloudTrail's path
// builds events only when someone will read them).
func (s *Service) hasArchives(b *bus) bool {
	a := s.arc
	if a == nil || b == nil {
		return false
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.byBus[b.arn]) > 0
}

// SweepArchives deletes archived events older than their archive's
// retention; the server's scheduler calls it.
func (s *Service) SweepArchives(ctx context.Context) error {
	a := s.arc
	if a == nil || a.kv == nil {
		return nil
	}
	now := s.clock.Now()
	a.mu.RLock()
	var due []*archive
	for _, m := range a.byName {
		for _, ar := range m {
			if ar.doc.RetentionDays > 0 {
				due = append(due, ar)
			}
		}
	}
	a.mu.RUnlock()
	for _, ar := range due {
		if err := ctx.Err(); err != nil {
			return err
		}
		cutoff := now.Add(-time.Duration(ar.doc.RetentionDays) * 24 * time.Hour)
		n, size, err := a.deleteBefore(ar, cutoff)
		if err != nil {
			return err
		}
		if n > 0 {
			ar.stats.count.Add(-n)
			ar.stats.size.Add(-size)
			s.log.Info("events: archive retention", "archive", ar.arn, "deleted", n)
		}
	}
	return nil
}

// deleteBefore deletes ar's events whose time is before cutoff and says
// how many, and their bytes.
func (a *archives) deleteBefore(ar *archive, cutoff time.Time) (n, size int64, err error) {
	lo := archiveKeyPrefix(ar.p, ar.name)
	hi := appendTimeKey(append([]byte(nil), lo...), cutoff.UnixMilli())
	it, err := a.kv.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		return 0, 0, fmt.Errorf("sweep archive %s: %w", ar.name, err)
	}
	for it.First(); it.Valid(); it.Next() {
		n++
		size += int64(len(it.Value()))
	}
	if err := it.Close(); err != nil {
		return 0, 0, fmt.Errorf("sweep archive %s: %w", ar.name, err)
	}
	if n == 0 {
		return 0, 0, nil
	}
	if err := a.kv.DeleteRange(lo, hi, pebble.Sync); err != nil {
		return 0, 0, fmt.Errorf("sweep archive %s: %w", ar.name, err)
	}
	return n, size, nil
}

// resetArchives forgets archives and replays after a dev reset (Pebble
// and SQLite were wiped by the caller).
func (s *Service) resetArchives() {
	a := s.arc
	if a == nil {
		return
	}
	a.mu.Lock()
	a.byName, a.byBus = map[partition]map[string]*archive{}, map[string][]*archive{}
	a.replays.byName = map[partition]map[string]*replay{}
	a.mu.Unlock()
}

// --- handlers -------------------------------------------------------------

func errNoArchive(name string) error { return notFound("Archive %s does not exist.", name) }

// sourceBus resolves CreateArchive's EventSourceArn: a bus ARN of the
// caller's account and region.
func sourceBus(c call, arn string) (string, error) {
	p, res, ok := parseEventsARN(arn)
	name, isBus := strings.CutPrefix(res, "event-bus/")
	if !ok || !isBus || name == "" {
		return "", validation("Parameter EventSourceArn is not valid. Reason: Must contain an event bus ARN.")
	}
	if p != c.p {
		return "", errNoBus(name)
	}
	return name, nil
}

func (s *Service) CreateArchive(ctx context.Context, in *eventsapi.CreateArchiveRequest) (*eventsapi.CreateArchiveResponse, error) {
	c := callOf(ctx)
	if s.arc == nil || s.arc.kv == nil {
		return nil, &eventsapi.InternalException{Message: shape.Ptr("Archives need the event store, which this server was started without.")}
	}
	name := shape.Value(in.ArchiveName)
	bn, err := sourceBus(c, shape.Value(in.EventSourceArn))
	if err != nil {
		return nil, err
	}
	d := archiveDoc{Bus: bn, Description: shape.Value(in.Description), Pattern: shape.Value(in.EventPattern),
		RetentionDays: shape.Value(in.RetentionDays), Kms: shape.Value(in.KmsKeyIdentifier), Created: ms(c.now)}
	if d.RetentionDays < 0 {
		return nil, validation("Parameter RetentionDays is not valid. Reason: RetentionDays must be 0 or greater.")
	}
	ar, err := compileArchive(c.p, name, d, &archiveStats{})
	if err != nil {
		return nil, patternError(err)
	}
	s.mu.RLock()
	b := s.lookupBus(c.p, bn)
	s.mu.RUnlock()
	if b == nil {
		return nil, errNoBus(bn)
	}
	a := s.arc
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byName[c.p][name] != nil {
		return nil, alreadyExists("Archive %s already exists.", name)
	}
	// A crash between an earlier DeleteArchive's row delete and its range
	// delete would leave events under this name: clear them first.
	lo := archiveKeyPrefix(c.p, name)
	if err := a.kv.DeleteRange(lo, prefixEnd(lo), pebble.Sync); err != nil {
		return nil, fmt.Errorf("create archive: %w", err)
	}
	if err := s.saveArchive(ctx, ar); err != nil {
		return nil, err
	}
	a.put(ar)
	return &eventsapi.CreateArchiveResponse{ArchiveArn: shape.Ptr(ar.arn), State: shape.Ptr(eventsapi.ArchiveStateEnabled),
		CreationTime: msTime(d.Created)}, nil
}

func (s *Service) saveArchive(ctx context.Context, ar *archive) error {
	doc, err := json.Marshal(&ar.doc)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO events_archives (account, region, name, doc) VALUES (?, ?, ?, ?)`,
		ar.p.account, ar.p.region, ar.name, string(doc)); err != nil {
		return fmt.Errorf("save archive: %w", err)
	}
	return nil
}

// archiveFor finds the caller's archive; callers hold arc.mu.
func (s *Service) archiveFor(c call, name string) (*archive, error) {
	if s.arc == nil {
		return nil, errNoArchive(name)
	}
	ar := s.arc.byName[c.p][name]
	if ar == nil {
		return nil, errNoArchive(name)
	}
	return ar, nil
}

func (s *Service) DescribeArchive(ctx context.Context, in *eventsapi.DescribeArchiveRequest) (*eventsapi.DescribeArchiveResponse, error) {
	c := callOf(ctx)
	if s.arc == nil {
		return nil, errNoArchive(shape.Value(in.ArchiveName))
	}
	s.arc.mu.RLock()
	defer s.arc.mu.RUnlock()
	ar, err := s.archiveFor(c, shape.Value(in.ArchiveName))
	if err != nil {
		return nil, err
	}
	d := ar.doc
	return &eventsapi.DescribeArchiveResponse{ArchiveArn: shape.Ptr(ar.arn), ArchiveName: shape.Ptr(ar.name),
		EventSourceArn: shape.Ptr(busARN(ar.p, d.Bus)), Description: optional(d.Description), EventPattern: optional(d.Pattern),
		State: shape.Ptr(eventsapi.ArchiveStateEnabled), KmsKeyIdentifier: optional(d.Kms), RetentionDays: shape.Ptr(d.RetentionDays),
		SizeBytes: shape.Ptr(ar.stats.size.Load()), EventCount: shape.Ptr(ar.stats.count.Load()), CreationTime: msTime(d.Created)}, nil
}

// errOneFilter: ListArchives and ListReplays take at most one filter.
func errOneFilter(op string) error {
	return validation("At most one filter is allowed for %s. Use either : State, EventSourceArn, or NamePrefix.", op)
}

func countFilters(v ...*string) int {
	n := 0
	for _, s := range v {
		if s != nil && *s != "" {
			n++
		}
	}
	return n
}

func (s *Service) ListArchives(ctx context.Context, in *eventsapi.ListArchivesRequest) (*eventsapi.ListArchivesResponse, error) {
	c := callOf(ctx)
	if countFilters(in.NamePrefix, in.EventSourceArn, in.State) > 1 {
		return nil, errOneFilter("ListArchives")
	}
	out := &eventsapi.ListArchivesResponse{Archives: []eventsapi.Archive{}}
	if s.arc == nil {
		return out, nil
	}
	s.arc.mu.RLock()
	defer s.arc.mu.RUnlock()
	prefix, src, state := shape.Value(in.NamePrefix), shape.Value(in.EventSourceArn), shape.Value(in.State)
	m := s.arc.byName[c.p]
	var names []string
	for n, ar := range m {
		if strings.HasPrefix(n, prefix) && (src == "" || busARN(ar.p, ar.doc.Bus) == src) &&
			(state == "" || state == eventsapi.ArchiveStateEnabled) {
			names = append(names, n)
		}
	}
	got, next, err := page(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out.NextToken = next
	for _, n := range got {
		ar := m[n]
		out.Archives = append(out.Archives, eventsapi.Archive{ArchiveName: shape.Ptr(ar.name), EventSourceArn: shape.Ptr(busARN(ar.p, ar.doc.Bus)),
			State: shape.Ptr(eventsapi.ArchiveStateEnabled), RetentionDays: shape.Ptr(ar.doc.RetentionDays),
			SizeBytes: shape.Ptr(ar.stats.size.Load()), EventCount: shape.Ptr(ar.stats.count.Load()), CreationTime: msTime(ar.doc.Created)})
	}
	return out, nil
}

// UpdateArchive changes the description, pattern, retention or key; a
// member left out keeps its value (our decision, as UpdateEventBus). An
// empty EventPattern removes the pattern (every event is archived). A
// shorter retention takes effect at the next sweep.
func (s *Service) UpdateArchive(ctx context.Context, in *eventsapi.UpdateArchiveRequest) (*eventsapi.UpdateArchiveResponse, error) {
	c := callOf(ctx)
	if s.arc == nil {
		return nil, errNoArchive(shape.Value(in.ArchiveName))
	}
	a := s.arc
	a.mu.Lock()
	defer a.mu.Unlock()
	old, err := s.archiveFor(c, shape.Value(in.ArchiveName))
	if err != nil {
		return nil, err
	}
	d := old.doc
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.EventPattern != nil {
		d.Pattern = *in.EventPattern
	}
	if in.RetentionDays != nil {
		if *in.RetentionDays < 0 {
			return nil, validation("Parameter RetentionDays is not valid. Reason: RetentionDays must be 0 or greater.")
		}
		d.RetentionDays = *in.RetentionDays
	}
	if in.KmsKeyIdentifier != nil {
		d.Kms = *in.KmsKeyIdentifier
	}
	ar, err := compileArchive(c.p, old.name, d, old.stats)
	if err != nil {
		return nil, patternError(err)
	}
	if err := s.saveArchive(ctx, ar); err != nil {
		return nil, err
	}
	a.put(ar)
	return &eventsapi.UpdateArchiveResponse{ArchiveArn: shape.Ptr(ar.arn), State: shape.Ptr(eventsapi.ArchiveStateEnabled),
		CreationTime: msTime(d.Created)}, nil
}

// DeleteArchive deletes the archive and its events. Replays already
// running from it end FAILED when they next read (our decision: AWS does
// not say).
func (s *Service) DeleteArchive(ctx context.Context, in *eventsapi.DeleteArchiveRequest) (*eventsapi.DeleteArchiveResponse, error) {
	c := callOf(ctx)
	if s.arc == nil {
		return nil, errNoArchive(shape.Value(in.ArchiveName))
	}
	a := s.arc
	a.mu.Lock()
	defer a.mu.Unlock()
	ar, err := s.archiveFor(c, shape.Value(in.ArchiveName))
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM events_archives WHERE account = ? AND region = ? AND name = ?`,
		c.p.account, c.p.region, ar.name); err != nil {
		return nil, fmt.Errorf("delete archive: %w", err)
	}
	delete(a.byName[c.p], ar.name)
	a.reindex(c.p, ar.doc.Bus)
	lo := archiveKeyPrefix(c.p, ar.name)
	if err := a.kv.DeleteRange(lo, prefixEnd(lo), pebble.Sync); err != nil {
		// The row is gone; CreateArchive of the same name clears the rest.
		s.log.Warn("events: archived events of a deleted archive not removed", "archive", ar.arn, "err", err)
	}
	return &eventsapi.DeleteArchiveResponse{}, nil
}
