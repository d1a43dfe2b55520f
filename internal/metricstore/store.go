package metricstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/wal"
)

// Options configure a Store. The zero value is usable.
type Options struct {
	// Clock drives receipt times (ListMetrics' RecentlyActive), rollups and
	// retention; default clock.System{}.
	Clock clock.Clock
	// Logger; default slog.Default().
	Logger *slog.Logger
	// MaxHeadSamples is how many raw samples the in-memory head holds before
	// a background flush persists it to Pebble; default 1,000,000 (about
	// 20 MiB of head; a flush's Pebble batch of 100,000 series adds about
	// 60 MiB while it commits).
	MaxHeadSamples int
	// FlushInterval is how old the head's oldest data may get before
	// Maintain persists it; default 10 minutes. Persisting less often makes
	// fewer, larger chunks; the WAL keeps unpersisted data durable.
	FlushInterval time.Duration
	// NoSync skips the WAL's fsync. Benchmarks only: acknowledged data may
	// then be lost by a machine crash (not by kill -9).
	NoSync bool
}

// Store is the metrics engine of one data directory.
//
// Append, Query, Series and Maintain are safe for concurrent use. Reset
// must not run concurrently with requests that write (dev reset). Close
// must be called once; afterwards Append returns ErrClosed.
type Store struct {
	db    *pebble.DB
	dir   string
	clock clock.Clock
	log   *slog.Logger
	opts  Options

	// appendMu: Append holds it shared while it inserts into heads and
	// queues its WAL record; flush (head swap + WAL rotation), Reset and
	// Close hold it exclusively, so a WAL segment and the head generation
	// swapped out together hold exactly the same datums. Query holds it
	// shared while it takes its view, so no head is frozen meanwhile.
	appendMu sync.RWMutex
	closed   bool

	mapMu     sync.RWMutex
	series    seriesTable // by encoded series key
	unindexed map[*series]struct{}
	nextSID   uint64

	dirtyMu sync.Mutex
	dirty   []*series // series with head samples

	headSamples atomic.Int64
	headSince   atomic.Int64 // receipt ms of the oldest unpersisted datum; 0 none
	kicked      atomic.Bool

	// viewMu: queries hold it shared while they read Pebble and heads;
	// flush holds it exclusively to drop frozen heads once persisted, so a
	// query sees each datum exactly once.
	viewMu sync.RWMutex

	// maintMu serialises flush, compaction, rollups, retention and Reset.
	maintMu      sync.Mutex
	gen          uint64 // last chunk sequence number used
	dirtyWindows map[tierWindowKey]struct{}

	wal     *wal.Writer
	callSeq atomic.Uint64
	scratch sync.Pool

	links entityLinks // series–entity links (entity.go)

	kick        chan struct{}
	stop        chan struct{}
	flusherDone chan struct{}
}

type tierWindowKey struct {
	tier   int
	window int64
}

// series is one interned series and its head.
type series struct {
	id  uint64
	key string // encoded series key

	mu     sync.Mutex
	head   samples
	frozen *samples // being persisted; read by queries until dropped
	// frozenGen is the chunk seq the frozen samples are persisted under:
	// queries skip those chunks while frozen is set, so a datum is never
	// counted twice between the commit and the drop.
	frozenGen uint64
	inDirty   bool
	// lastLen is how many samples the head held when last persisted: the
	// next head starts with that capacity instead of growing to it again.
	lastLen int32

	lastWrite atomic.Int64 // receipt ms
	durable   atomic.Bool  // its definition is in a synced WAL record or in Pebble
	indexed   atomic.Bool  // its index keys are in Pebble
	defCall   atomic.Uint64
	// persistedLast is the last write time in the Pebble index (flush only).
	persistedLast int64
}

const (
	keyWALSeg = "metrics/m/walseg" // WAL segments ≤ this are persisted
	recBatch  = 1
)

// Open opens the engine on db (the shared Pebble store; the engine uses the
// "metrics/" prefix) and dir (its own directory, for the WAL), replaying
// the WAL into the head. Stop it with Close.
func Open(db *pebble.DB, dir string, o Options) (*Store, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxHeadSamples <= 0 {
		o.MaxHeadSamples = 1_000_000
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 10 * time.Minute
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("metricstore: create dir: %w", err)
	}
	s := &Store{
		db: db, dir: dir, clock: o.Clock, log: o.Logger, opts: o,
		series:       newSeriesTable(),
		unindexed:    make(map[*series]struct{}),
		dirtyWindows: make(map[tierWindowKey]struct{}),
		kick:         make(chan struct{}, 1),
		stop:         make(chan struct{}),
		flusherDone:  make(chan struct{}),
		nextSID:      1,
	}
	var err error
	if s.gen, err = s.getUint(keyGen); err != nil {
		return nil, err
	}
	persistedSeg, err := s.getUint(keyWALSeg)
	if err != nil {
		return nil, err
	}
	if err := s.loadNextSID(); err != nil {
		return nil, err
	}
	segs, err := wal.Segments(dir)
	if err != nil {
		return nil, fmt.Errorf("metricstore: list wal: %w", err)
	}
	next := persistedSeg + 1
	if err := s.replay(segs, persistedSeg); err != nil {
		return nil, err
	}
	if len(segs) > 0 && segs[len(segs)-1] >= next {
		next = segs[len(segs)-1] + 1
	}
	if s.headSamples.Load() == 0 {
		// Nothing to replay next time either.
		for _, seg := range segs {
			os.Remove(filepath.Join(dir, wal.SegmentName(seg)))
		}
	}
	s.wal, err = wal.Open(dir, next, wal.Options{NoSync: o.NoSync, OnError: func(err error) { s.log.Error("metricstore: wal", "err", err) }})
	if err != nil {
		return nil, err
	}
	go s.flusher()
	return s, nil
}

func (s *Store) getUint(key string) (uint64, error) {
	v, c, err := s.db.Get([]byte(key))
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("metricstore: read %s: %w", key, err)
	}
	defer c.Close()
	if len(v) != 8 {
		return 0, fmt.Errorf("metricstore: corrupt %s", key)
	}
	return binary.BigEndian.Uint64(v), nil
}

func (s *Store) loadNextSID() error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixRev), UpperBound: []byte("metrics/r0")})
	if err != nil {
		return err
	}
	defer it.Close()
	if it.Last() && len(it.Key()) == len(prefixRev)+8 {
		s.nextSID = binary.BigEndian.Uint64(it.Key()[len(prefixRev):]) + 1
	}
	return it.Error()
}

// scratch is per-Append working memory, pooled.
type scratch struct {
	meta []uint8
	sers []*series
	// keys holds the encoded series keys of the call's datums, refs
	// where each is and its hash (resolve).
	keys []byte
	refs []keyRef
	// prefix is resolve's callKey memory.
	prefix []byte
	defs   []*series
	sid    []byte
	ts     []byte
	ms     []byte
	vs     []byte
	xs     []byte
	rec    []byte
}

func (s *Store) getScratch(n int) *scratch {
	sc, _ := s.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	if cap(sc.meta) < n {
		sc.meta = make([]uint8, n)
		sc.sers = make([]*series, n)
	}
	sc.meta, sc.sers = sc.meta[:n], sc.sers[:n]
	return sc
}

func (s *Store) putScratch(sc *scratch) {
	clear(sc.sers)
	clear(sc.defs)
	sc.defs = sc.defs[:0]
	if cap(sc.rec) > 16<<20 || cap(sc.keys) > 4<<20 {
		return // don't pool huge buffers
	}
	s.scratch.Put(sc)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Append stores ds in partition p. It is durable when it returns nil: the
// datums are in a WAL record covered by an fsync (one fsync serves every
// Append queued meanwhile). The whole batch is refused, and nothing is
// stored, when a datum has an unknown unit (ErrUnknownUnit), more than 30
// dimensions (ErrTooManyDims), or a non-finite value or non-positive count
// (ErrInvalidValue). Duplicate and out-of-order timestamps are accepted and
// aggregate, as in CloudWatch. Datums become visible to Query before Append
// returns; if the WAL write then fails, Append returns the error but the
// datums may stay visible until restart.
//
// Timestamps are truncated to the datum's resolution: the second for
// HighRes datums, the minute otherwise. ds is not retained.
func (s *Store) Append(ctx context.Context, p Partition, ds []Datum) error {
	if len(ds) == 0 {
		return nil
	}
	sc := s.getScratch(len(ds))
	defer s.putScratch(sc)
	if err := validate(ds, sc.meta); err != nil {
		return err
	}
	now := s.clock.Now().UnixMilli()

	s.appendMu.RLock()
	if s.closed {
		s.appendMu.RUnlock()
		return ErrClosed
	}
	if err := s.resolve(p, ds, sc); err != nil {
		s.appendMu.RUnlock()
		return err
	}
	call := s.callSeq.Add(1)
	sc.sid, sc.ts, sc.ms, sc.vs, sc.xs = sc.sid[:0], sc.ts[:0], sc.ms[:0], sc.vs[:0], sc.xs[:0]
	nx := 0
	var prevT int64
	for i := range ds {
		d, ser, m := &ds[i], sc.sers[i], sc.meta[i]
		t, v := sampleOf(d, m)
		if !ser.durable.Load() && ser.defCall.Swap(call) != call {
			sc.defs = append(sc.defs, ser)
		}
		sc.sid = binary.AppendUvarint(sc.sid, ser.id)
		sc.ts = binary.AppendVarint(sc.ts, t-prevT)
		prevT = t
		sc.ms = append(sc.ms, m)
		sc.vs = binary.LittleEndian.AppendUint64(sc.vs, math.Float64bits(v))
		switch {
		case m&metaSet != 0:
			sc.xs = binary.LittleEndian.AppendUint64(sc.xs, math.Float64bits(d.SetCount))
			sc.xs = binary.LittleEndian.AppendUint64(sc.xs, math.Float64bits(d.Min))
			sc.xs = binary.LittleEndian.AppendUint64(sc.xs, math.Float64bits(d.Max))
			nx += 3
		case m&metaCount != 0:
			sc.xs = binary.LittleEndian.AppendUint64(sc.xs, math.Float64bits(d.Count))
			nx++
		}
	}
	sc.rec = s.encodeRecord(sc, now, len(ds), nx)
	// Submitted under appendMu, with the head appends: a flush's rotation
	// then finds the record in the segment it closes, with the head
	// generation it swaps out. The appends come after, while the record is
	// being synced.
	t, err := s.wal.Submit(sc.rec)
	if err == nil {
		s.appendHeads(ds, sc, now)
	}
	s.appendMu.RUnlock()

	s.headSince.CompareAndSwap(0, now)
	if s.headSamples.Add(int64(len(ds))) > int64(s.opts.MaxHeadSamples) && s.kicked.CompareAndSwap(false, true) {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	if err != nil {
		return ErrClosed
	}
	if err := t.Wait(); err != nil {
		return err
	}
	// The definitions are on disk: later Appends need not repeat them.
	for _, ser := range sc.defs {
		ser.durable.Store(true)
	}
	return nil
}

// sampleOf is the head's time (the datum's resolution step) and value of d.
func sampleOf(d *Datum, m uint8) (t int64, v float64) {
	// Constant divisors: the compiler multiplies instead of dividing.
	t = floorDiv(d.T, minute)
	if m&metaHigh != 0 {
		t = floorDiv(d.T, second)
	}
	v = d.Value
	if m&metaSet != 0 {
		v = d.Sum
	}
	return t, v
}

// appendHeads adds ds, resolved in sc, to their series' heads.
func (s *Store) appendHeads(ds []Datum, sc *scratch, now int64) {
	for i := range ds {
		d, ser, m := &ds[i], sc.sers[i], sc.meta[i]
		t, v := sampleOf(d, m)
		ser.mu.Lock()
		h := &ser.head
		if h.t == nil {
			h.reserve(int(ser.lastLen))
		}
		h.t = append(h.t, t)
		h.v = append(h.v, v)
		h.m = append(h.m, m)
		switch {
		case m&metaSet != 0:
			h.x = append(h.x, d.SetCount, d.Min, d.Max)
		case m&metaCount != 0:
			h.x = append(h.x, d.Count)
		}
		s.markDirty(ser)
		ser.mu.Unlock()
		if ser.lastWrite.Load() < now {
			ser.lastWrite.Store(now)
		}
	}
}

// markDirty lists ser for the next flush, once; ser.mu is held (or, in
// replay, nothing else runs).
func (s *Store) markDirty(ser *series) {
	if !ser.inDirty {
		ser.inDirty = true
		s.dirtyMu.Lock()
		s.dirty = append(s.dirty, ser)
		s.dirtyMu.Unlock()
	}
}

// validate checks every datum before anything is stored and computes their
// meta bytes.
func validate(ds []Datum, meta []uint8) error {
	lastUnit, lastID := "\x00", uint8(0)
	for i := range ds {
		d := &ds[i]
		if d.Unit != lastUnit {
			id, ok := unitID(d.Unit)
			if !ok {
				return fmt.Errorf("%w: %q (datum %d)", ErrUnknownUnit, d.Unit, i)
			}
			lastUnit, lastID = d.Unit, id
		}
		if len(d.Key.Dims) > MaxDims {
			return fmt.Errorf("%w (datum %d)", ErrTooManyDims, i)
		}
		m := lastID
		if d.HighRes {
			m |= metaHigh
		}
		if d.IsSet {
			if !(d.SetCount > 0) || math.IsInf(d.SetCount, 0) || !finite(d.Sum) || !finite(d.Min) || !finite(d.Max) {
				return fmt.Errorf("%w (datum %d)", ErrInvalidValue, i)
			}
			m |= metaSet
		} else {
			if !finite(d.Value) || d.Count < 0 || math.IsInf(d.Count, 0) || math.IsNaN(d.Count) {
				return fmt.Errorf("%w (datum %d)", ErrInvalidValue, i)
			}
			if d.Count != 0 && d.Count != 1 {
				m |= metaCount
			}
		}
		meta[i] = m
	}
	return nil
}

func sameKey(a, b *SeriesKey) bool {
	if a.Namespace != b.Namespace || a.MetricName != b.MetricName || len(a.Dims) != len(b.Dims) {
		return false
	}
	if len(a.Dims) > 0 && &a.Dims[0] == &b.Dims[0] {
		return true
	}
	for i := range a.Dims {
		if a.Dims[i] != b.Dims[i] {
			return false
		}
	}
	return true
}

func (s *Store) encodeKey(b []byte, p Partition, k *SeriesKey) []byte {
	return appendSortedRest(appendOrd(appendPartition(b, p), k.Namespace), k)
}

// appendSortedRest is appendSeriesRest for dimensions in any order.
func appendSortedRest(b []byte, k *SeriesKey) []byte {
	if !dimsSorted(k.Dims) {
		c := *k
		c.Dims = sortedDims(k.Dims)
		return appendSeriesRest(b, &c)
	}
	return appendSeriesRest(b, k)
}

// callKey encodes the series keys of one call's datums, which mostly share
// their partition and namespace: that prefix is encoded once per namespace.
type callKey struct {
	prefix []byte
	ns     string
	ok     bool
}

func (c *callKey) encode(b []byte, p Partition, k *SeriesKey) []byte {
	if !c.ok || k.Namespace != c.ns {
		c.prefix = appendOrd(appendPartition(c.prefix[:0], p), k.Namespace)
		c.ns, c.ok = k.Namespace, true
	}
	return appendSortedRest(append(b, c.prefix...), k)
}

// resolve finds or creates the series of every datum into sc.sers, in
// passes over the whole call (see seriesTable): encode and hash every key,
// probe the table by hash, compare the candidates' keys; then create what
// is missing under the exclusive lock.
func (s *Store) resolve(p Partition, ds []Datum, sc *scratch) error {
	ck := callKey{prefix: sc.prefix}
	keys, refs := sc.keys[:0], sc.refs[:0]
	for i := range ds {
		if i > 0 && sameKey(&ds[i].Key, &ds[i-1].Key) {
			refs = append(refs, refs[i-1])
			continue
		}
		start := len(keys)
		keys = ck.encode(keys, p, &ds[i].Key)
		refs = append(refs, keyRef{start: start, end: len(keys)})
	}
	sc.prefix, sc.keys, sc.refs = ck.prefix, keys, refs

	s.mapMu.RLock()
	t := &s.series
	for i := range refs {
		refs[i].hash = t.hash(keys[refs[i].start:refs[i].end])
	}
	for i := range refs {
		sc.sers[i] = t.probe(refs[i].hash)
	}
	misses := 0
	for i, r := range refs {
		ser := sc.sers[i]
		if ser == nil {
			misses++
		} else if ser.key != string(keys[r.start:r.end]) {
			if sc.sers[i] = t.get(keys[r.start:r.end], r.hash); sc.sers[i] == nil {
				misses++
			}
		}
	}
	s.mapMu.RUnlock()
	if misses == 0 {
		return nil
	}
	s.mapMu.Lock()
	defer s.mapMu.Unlock()
	for i, r := range refs {
		if sc.sers[i] != nil {
			continue
		}
		ser, err := s.lookupLocked(keys[r.start:r.end], true)
		if err != nil {
			return err
		}
		sc.sers[i] = ser
	}
	return nil
}

// keyRef is where a datum's encoded series key is in scratch.keys, and its
// hash.
type keyRef struct {
	start, end int
	hash       uint64
}

// lookupLocked returns the series of an encoded key from memory, else from
// the Pebble index, else (when create) a new one. mapMu must be held
// exclusively.
func (s *Store) lookupLocked(key []byte, create bool) (*series, error) {
	h := s.series.hash(key)
	if ser := s.series.get(key, h); ser != nil {
		return ser, nil
	}
	sid, last, found, err := s.indexGet(key)
	if err != nil {
		return nil, err
	}
	if !found && !create {
		return nil, nil
	}
	ser := &series{key: string(key)}
	if found {
		ser.id = sid
		ser.lastWrite.Store(last)
		ser.persistedLast = last
		ser.indexed.Store(true)
		ser.durable.Store(true)
	} else {
		ser.id = s.nextSID
		s.nextSID++
		s.unindexed[ser] = struct{}{}
	}
	s.series.put(ser, h)
	return ser, nil
}

func (s *Store) indexGet(key []byte) (sid uint64, last int64, found bool, err error) {
	k := make([]byte, 0, len(prefixIndex)+len(key))
	k = append(append(k, prefixIndex...), key...)
	v, c, err := s.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("metricstore: read series index: %w", err)
	}
	defer c.Close()
	if len(v) != 16 {
		return 0, 0, false, fmt.Errorf("metricstore: corrupt series index value")
	}
	return binary.BigEndian.Uint64(v), int64(binary.BigEndian.Uint64(v[8:])), true, nil
}

// encodeRecord encodes a WAL batch record after wal.HeaderLen bytes left
// for the frame (wal.Writer.Submit fills them):
//
//	type 1, varint receipt ms, uvarint ndefs, ndefs × (uvarint sid, uvarint len, key),
//	uvarint n, n uvarint sids, n zigzag varint time deltas, n meta bytes,
//	n float64 values, uvarint nx, nx float64 extras.
func (s *Store) encodeRecord(sc *scratch, now int64, n, nx int) []byte {
	b := sc.rec[:0]
	b = append(b, make([]byte, wal.HeaderLen)...)
	b = append(b, recBatch)
	b = binary.AppendVarint(b, now)
	b = binary.AppendUvarint(b, uint64(len(sc.defs)))
	for _, ser := range sc.defs {
		b = binary.AppendUvarint(b, ser.id)
		b = appendLP(b, ser.key)
	}
	b = binary.AppendUvarint(b, uint64(n))
	b = append(b, sc.sid...)
	b = append(b, sc.ts...)
	b = append(b, sc.ms...)
	b = append(b, sc.vs...)
	b = binary.AppendUvarint(b, uint64(nx))
	b = append(b, sc.xs...)
	return b
}

var errCorruptRecord = errors.New("metricstore: corrupt wal record")

// replay loads the WAL segments newer than persisted into the head.
func (s *Store) replay(segs []uint64, persisted uint64) error {
	local := make(map[uint64]*series)
	var datums, lost int
	for _, seg := range segs {
		if seg <= persisted {
			continue
		}
		path := filepath.Join(s.dir, wal.SegmentName(seg))
		clean, err := wal.ReadSegment(path, func(p []byte) error {
			n, l, err := s.replayRecord(p, local)
			datums += n
			lost += l
			return err
		})
		if err != nil {
			return fmt.Errorf("metricstore: replay %s: %w", path, err)
		}
		if !clean {
			s.log.Warn("metricstore: wal segment ends with a torn or corrupt record; ignored the rest", "segment", path)
		}
	}
	if lost > 0 {
		s.log.Error("metricstore: wal datums of unknown series dropped", "count", lost)
	}
	if datums > 0 {
		s.log.Info("metricstore: replayed wal", "datums", datums, "series", len(local))
	}
	return nil
}

func (s *Store) replayRecord(p []byte, local map[uint64]*series) (datums, lost int, err error) {
	r := reader{b: p}
	if r.byte() != recBatch {
		return 0, 0, errCorruptRecord
	}
	now := r.varint()
	s.mapMu.Lock()
	defer s.mapMu.Unlock()
	ndefs := r.uvarint()
	for i := uint64(0); i < ndefs && r.err == nil; i++ {
		sid := r.uvarint()
		key := r.lp()
		if r.err != nil {
			break
		}
		ser := s.series.get(key, s.series.hash(key))
		if ser == nil {
			ser, err = s.lookupLocked(key, true)
			if err != nil {
				return 0, 0, err
			}
			if !ser.indexed.Load() {
				// Keep the id the WAL's datums refer to.
				ser.id = sid
			}
		}
		ser.durable.Store(true)
		if sid >= s.nextSID {
			s.nextSID = sid + 1
		}
		local[sid] = ser
	}
	n := int(r.uvarint())
	if r.err != nil || n > len(r.b) {
		return 0, 0, errCorruptRecord
	}
	sers := make([]*series, n)
	for i := 0; i < n; i++ {
		sid := r.uvarint()
		ser := local[sid]
		if ser == nil && r.err == nil {
			ser, err = s.seriesBySID(sid)
			if err != nil {
				return 0, 0, err
			}
			if ser != nil {
				local[sid] = ser
			}
		}
		sers[i] = ser
	}
	ts := make([]int64, n)
	var t int64
	for i := range ts {
		t += r.varint()
		ts[i] = t
	}
	ms := r.bytes(n)
	vs := r.bytes(8 * n)
	nx := int(r.uvarint())
	xs := r.bytes(8 * nx)
	if r.err != nil {
		return 0, 0, errCorruptRecord
	}
	xi := 0
	for i := 0; i < n; i++ {
		m := ms[i]
		e := extras(m)
		if xi+e > nx {
			return 0, 0, errCorruptRecord
		}
		ser := sers[i]
		if ser == nil {
			lost++
			xi += e
			continue
		}
		h := &ser.head
		h.t = append(h.t, ts[i])
		h.v = append(h.v, math.Float64frombits(binary.LittleEndian.Uint64(vs[8*i:])))
		h.m = append(h.m, m)
		for j := 0; j < e; j++ {
			h.x = append(h.x, math.Float64frombits(binary.LittleEndian.Uint64(xs[8*(xi+j):])))
		}
		xi += e
		s.markDirty(ser)
		if ser.lastWrite.Load() < now {
			ser.lastWrite.Store(now)
		}
		datums++
	}
	s.headSamples.Add(int64(datums))
	s.headSince.CompareAndSwap(0, now)
	return datums, lost, nil
}

// seriesBySID finds a persisted series by id (reverse index). mapMu held.
func (s *Store) seriesBySID(sid uint64) (*series, error) {
	v, c, err := s.db.Get(revKey(sid))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	key := append([]byte(nil), v...)
	c.Close()
	return s.lookupLocked(key, false)
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.err = errCorruptRecord
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	v, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err = errCorruptRecord
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *reader) varint() int64 {
	v, k := binary.Varint(r.b)
	if k <= 0 {
		r.err = errCorruptRecord
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || len(r.b) < n {
		r.err = errCorruptRecord
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) lp() []byte { return r.bytes(int(r.uvarint())) }

// flusher persists the head when Append finds it over MaxHeadSamples.
func (s *Store) flusher() {
	defer close(s.flusherDone)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			s.maintMu.Lock()
			if err := s.flush(); err != nil && !errors.Is(err, ErrClosed) {
				s.log.Error("metricstore: flush failed", "err", err)
			}
			s.maintMu.Unlock()
			s.kicked.Store(false)
		}
	}
}

// Close stops the background flusher and the WAL writer. Data not yet
// persisted to Pebble stays in the WAL and is replayed by the next Open.
func (s *Store) Close() error {
	s.appendMu.Lock()
	if s.closed {
		s.appendMu.Unlock()
		return nil
	}
	s.closed = true
	s.appendMu.Unlock()
	close(s.stop)
	<-s.flusherDone
	s.maintMu.Lock()
	defer s.maintMu.Unlock()
	return s.wal.Close()
}

// Reset wipes every metric: the head, the WAL and the engine's Pebble keys
// (dev reset). It must not run concurrently with Append.
func (s *Store) Reset(ctx context.Context) error {
	s.maintMu.Lock()
	defer s.maintMu.Unlock()
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	if s.closed {
		return ErrClosed
	}
	seg, err := s.wal.Rotate()
	if err != nil {
		return err
	}
	s.viewMu.Lock()
	s.mapMu.Lock()
	s.series = newSeriesTable()
	s.unindexed = make(map[*series]struct{})
	s.mapMu.Unlock()
	s.dirtyMu.Lock()
	s.dirty = nil
	s.dirtyMu.Unlock()
	s.viewMu.Unlock()
	s.headSamples.Store(0)
	s.headSince.Store(0)
	s.dirtyWindows = make(map[tierWindowKey]struct{})
	s.links.reset()
	if err := s.wal.RemoveThrough(seg); err != nil {
		return fmt.Errorf("metricstore: reset wal: %w", err)
	}
	if err := s.db.DeleteRange([]byte(prefix), []byte(prefixEndAll), pebble.Sync); err != nil {
		return fmt.Errorf("metricstore: reset: %w", err)
	}
	s.gen = 0
	return nil
}
