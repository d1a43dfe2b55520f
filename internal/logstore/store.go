package logstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/wal"
)

// Options configure a Store. The zero value is usable.
type Options struct {
	// Clock decides when the head is old enough for Maintain to flush it;
	// default clock.System{}.
	Clock clock.Clock
	// Logger; default slog.Default().
	Logger *slog.Logger
	// MaxHeadBytes is how many message bytes the in-memory head holds before
	// a background flush writes it to a segment; default 64 MiB. Appends
	// wait while a second full head is waiting for a flush (memory bound:
	// about 2× this, plus per-event overhead; a flushed head's buffers
	// are kept for the next one's records, up to this, while ingest goes
	// on).
	MaxHeadBytes int
	// FlushInterval is how old the head's oldest data may get before
	// Maintain flushes it; default 5 minutes.
	FlushInterval time.Duration
	// BlockBytes is the message bytes per block; default 1 MiB.
	BlockBytes int
	// NoSync skips fsync (benchmarks only).
	NoSync bool

	// summaryRatio bounds a block's summary to 1/summaryRatio of its
	// message bytes; default sumMaxRatio (tests with tiny blocks lower it).
	summaryRatio int
}

// Store is the log store of one directory.
//
// Append, the reads, the deletions, Flush and Maintain are safe for
// concurrent use. Reset must not run concurrently with other calls (dev
// reset). Close must be called once; afterwards calls return ErrClosed.
type Store struct {
	dir  string
	opts Options
	log  *slog.Logger

	// appendMu: Append holds it shared while it numbers its events, inserts
	// them into the head and queues its WAL record; flush (head swap + WAL
	// rotation), deletions, Reset and Close hold it exclusively.
	appendMu sync.RWMutex
	closed   bool
	wal      *wal.Writer
	seq      atomic.Uint64 // last sequence number given
	flushed  atomic.Uint64 // every event numbered ≤ it is in a segment

	// mapMu guards groups.
	mapMu  sync.RWMutex
	groups map[string]*group

	// viewMu: reads hold it shared while they take their sources; flush
	// holds it exclusively to swap a frozen head for its blocks.
	viewMu sync.RWMutex

	// maintMu serialises flushes, deletions and Reset.
	maintMu  sync.Mutex
	nextSeg  uint64
	manifest *os.File

	free      recFree // Append's record buffers (ingest.go)
	headBytes atomic.Int64
	headSince atomic.Int64 // clock ms of the oldest unflushed append; 0 none
	swapMu    sync.Mutex
	swapped   chan struct{} // closed at each head swap

	kick        chan struct{}
	stop        chan struct{}
	flusherDone chan struct{}
}

// group is one (partition, log group).
type group struct {
	key  string
	p    Partition
	name string

	mu   sync.Mutex // guards head
	head *head

	// guarded by viewMu
	frozen *head
	blocks []*blockRef // ordered by segment, then time
	dels   []deletion
}

// head holds a group's unflushed events in arrival order. Messages live
// in 1 MiB chunks (no copying as the head grows).
type head struct {
	ts, ingest []int64
	seq        []uint64
	stream     []uint32
	loc        []msgLoc
	chunks     [][]byte
	recs       [][]byte // the chunks that are Append's records, at full capacity (ingest.go)
	bytes      int
	streams    []string
	streamIdx  map[string]uint32
}

type msgLoc struct{ chunk, off, len uint32 }

const headChunk = 1 << 20

func newHead() *head { return &head{streamIdx: map[string]uint32{}} }

func (h *head) len() int { return len(h.ts) }

func (h *head) msg(i int) []byte {
	l := h.loc[i]
	return h.chunks[l.chunk][l.off : l.off+l.len]
}

func (h *head) add(stream string, seq uint64, evs []Event) {
	si, ok := h.streamIdx[stream]
	if !ok {
		si = uint32(len(h.streams))
		h.streams = append(h.streams, stream)
		h.streamIdx[stream] = si
	}
	for i, e := range evs {
		h.ts = append(h.ts, e.Timestamp)
		h.ingest = append(h.ingest, e.IngestionTime)
		h.seq = append(h.seq, seq+uint64(i))
		h.stream = append(h.stream, si)
		n := len(h.chunks)
		if n == 0 || len(h.chunks[n-1])+len(e.Message) > cap(h.chunks[n-1]) {
			h.chunks = append(h.chunks, make([]byte, 0, max(headChunk, len(e.Message))))
			n++
		}
		c := &h.chunks[n-1]
		h.loc = append(h.loc, msgLoc{uint32(n - 1), uint32(len(*c)), uint32(len(e.Message))})
		*c = append(*c, e.Message...)
		h.bytes += len(e.Message)
	}
}

// filtered returns a copy of h without the rows hide reports.
func (h *head) filtered(hide func(stream string, ts int64, seq uint64) bool) *head {
	out := newHead()
	for i := range h.len() {
		st := h.streams[h.stream[i]]
		if hide(st, h.ts[i], h.seq[i]) {
			continue
		}
		out.add(st, h.seq[i], []Event{{h.ts[i], h.ingest[i], h.msg(i)}})
	}
	return out
}

// block returns the rows of h selected by sel (nil: all), sorted by
// (timestamp, seq), as a Block with its own memory.
func (h *head) block(group string, sel func(i int) bool) *Block {
	return h.rows(group, h.order(sel))
}

func (h *head) rows(group string, idx []int) *Block {
	b := &Block{}
	h.rowsInto(b, group, idx, make([]int32, len(h.streams)))
	return b
}

func groupKey(p Partition, name string) string {
	return p.Account + "\x00" + p.Region + "\x00" + name
}

func splitKey(key string) (Partition, string, bool) {
	a, rest, ok1 := strings.Cut(key, "\x00")
	r, g, ok2 := strings.Cut(rest, "\x00")
	return Partition{a, r}, g, ok1 && ok2
}

// Open opens (creating if needed) the store in dir, reading the segment
// footers and replaying the WAL. Stop it with Close.
func Open(dir string, o Options) (*Store, error) {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxHeadBytes <= 0 {
		o.MaxHeadBytes = 64 << 20
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 5 * time.Minute
	}
	if o.BlockBytes <= 0 {
		o.BlockBytes = 1 << 20
	}
	if o.summaryRatio <= 0 {
		o.summaryRatio = sumMaxRatio
	}
	for _, d := range []string{dir, filepath.Join(dir, "wal"), filepath.Join(dir, "seg")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("logstore: create dir: %w", err)
		}
	}
	s := &Store{dir: dir, opts: o, log: o.Logger}
	if err := s.load(); err != nil {
		return nil, err
	}
	s.startFlusher()
	return s, nil
}

func (s *Store) startFlusher() {
	s.kick = make(chan struct{}, 1)
	s.stop = make(chan struct{})
	s.flusherDone = make(chan struct{})
	s.swapped = make(chan struct{})
	go s.flusher()
}

// load builds the in-memory state from the files and opens the WAL writer.
func (s *Store) load() error {
	s.groups = make(map[string]*group)
	s.seq.Store(0)
	s.headBytes.Store(0)
	s.headSince.Store(0)
	segDir := filepath.Join(s.dir, "seg")
	nums, err := listSegFiles(segDir)
	if err != nil {
		return fmt.Errorf("logstore: list segments: %w", err)
	}
	var walCovered uint64
	s.nextSeg = 1
	for _, n := range nums {
		sg, blocks, walThrough, maxSeq, err := openSegment(segDir, n)
		if err != nil {
			return err
		}
		walCovered = max(walCovered, walThrough)
		if maxSeq > s.seq.Load() {
			s.seq.Store(maxSeq)
		}
		for _, sb := range blocks {
			g := s.groupLocked(sb.key)
			g.blocks = append(g.blocks, sb.ref)
		}
		sg.live.Store(int32(len(blocks)))
		if len(blocks) == 0 {
			os.Remove(sg.path)
			sg.release()
		}
		s.nextSeg = n + 1
	}
	// Every event up to the segments' sequence numbers is in a segment (or
	// deleted); the WAL may hold older ones only when segments were removed,
	// which keeps more deletions than needed, never fewer.
	s.flushed.Store(s.seq.Load())
	// Deletions.
	dels, err := s.readManifest()
	if err != nil {
		return err
	}
	for _, d := range dels {
		if d.kind == delSeqFloor {
			s.seq.Store(max(s.seq.Load(), d.seq))
			continue
		}
		g := s.groupLocked(d.key)
		g.dels = append(g.dels, d)
		s.seq.Store(max(s.seq.Load(), d.seq))
	}
	// WAL replay.
	walDir := filepath.Join(s.dir, "wal")
	wsegs, err := wal.Segments(walDir)
	if err != nil {
		return fmt.Errorf("logstore: list wal: %w", err)
	}
	next := walCovered + 1
	for _, n := range wsegs {
		next = max(next, n+1)
		path := filepath.Join(walDir, wal.SegmentName(n))
		if n <= walCovered {
			os.Remove(path)
			continue
		}
		if _, err := wal.ReadSegment(path, s.replayRecord); err != nil {
			return fmt.Errorf("logstore: replay %s: %w", path, err)
		}
	}
	if s.headBytes.Load() > 0 {
		s.headSince.Store(s.opts.Clock.Now().UnixMilli())
	}
	// Apply deletions to the blocks; drop dead segments and needless records.
	for _, g := range s.groups {
		s.applyDels(g)
	}
	if err := s.rewriteManifest(); err != nil {
		return err
	}
	s.wal, err = wal.Open(walDir, next, wal.Options{NoSync: s.opts.NoSync, OnError: func(err error) { s.log.Error("logstore: wal", "err", err) }})
	if err != nil {
		return err
	}
	return nil
}

// groupLocked returns the group for key, creating it (mapMu held or no
// concurrency).
func (s *Store) groupLocked(key string) *group {
	g := s.groups[key]
	if g == nil {
		p, name, _ := splitKey(key)
		g = &group{key: key, p: p, name: name, head: newHead()}
		s.groups[key] = g
	}
	return g
}

func (s *Store) getGroup(p Partition, name string, create bool) *group {
	key := groupKey(p, name)
	s.mapMu.RLock()
	g := s.groups[key]
	s.mapMu.RUnlock()
	if g != nil || !create {
		return g
	}
	s.mapMu.Lock()
	g = s.groupLocked(key)
	s.mapMu.Unlock()
	return g
}

// WAL record: uint64 LE first seq, then key, stream, count, and per event
// varint timestamp, zigzag ingestion − timestamp, uvarint length, message.

func (s *Store) replayRecord(p []byte) error {
	if len(p) < 8 {
		return fmt.Errorf("%w: wal record", ErrCorrupt)
	}
	seq := binary.LittleEndian.Uint64(p)
	p = p[8:]
	bad := fmt.Errorf("%w: wal record", ErrCorrupt)
	str := func() (string, bool) {
		l, k := binary.Uvarint(p)
		if k <= 0 || l > uint64(len(p)-k) {
			return "", false
		}
		v := string(p[k : k+int(l)])
		p = p[k+int(l):]
		return v, true
	}
	key, ok1 := str()
	stream, ok2 := str()
	n, k := binary.Uvarint(p)
	if !ok1 || !ok2 || k <= 0 || n > uint64(len(p)) {
		return bad
	}
	p = p[k:]
	g := s.groupLocked(key)
	evs := make([]Event, 0, n)
	first := seq
	for i := range n {
		t, k1 := binary.Varint(p)
		if k1 <= 0 {
			return bad
		}
		p = p[k1:]
		d, k2 := binary.Uvarint(p)
		if k2 <= 0 {
			return bad
		}
		p = p[k2:]
		l, k3 := binary.Uvarint(p)
		if k3 <= 0 || l > uint64(len(p)-k3) {
			return bad
		}
		msg := p[k3 : k3+int(l)]
		p = p[k3+int(l):]
		es := seq + i
		if hidden(g.dels, stream, t, es) {
			// Flush what precedes the hidden event; restart after it.
			if len(evs) > 0 {
				g.head.add(stream, first, evs)
				evs = evs[:0]
			}
			first = es + 1
			continue
		}
		evs = append(evs, Event{t, t + unzigzag(d), msg})
		s.headBytes.Add(int64(l))
	}
	if len(evs) > 0 {
		g.head.add(stream, first, evs)
	}
	if last := seq + n - 1; n > 0 && last > s.seq.Load() {
		s.seq.Store(last)
	}
	return nil
}

var atPool = sync.Pool{New: func() any { return new([]uint32) }}

// Append stores events in one stream of a log group, creating the group and
// stream in the store if needed. It returns once the events are durable
// (their WAL record is fsynced). Events may be in any order; concurrent
// Appends to one stream are allowed. The events' Message bytes are copied.
// Readers may see the events slightly before Append returns.
func (s *Store) Append(ctx context.Context, p Partition, groupName, stream string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	key := groupKey(p, groupName)
	size := 0
	for _, e := range events {
		size += len(e.Message)
	}
	if size > MaxAppendBytes {
		return ErrTooLarge
	}
	if err := s.waitForRoom(ctx); err != nil {
		return err
	}
	// The record becomes a chunk of the head (ingest.go).
	ap := atPool.Get().(*[]uint32)
	buf, at := s.walRecord(key, stream, events, size, *ap)

	s.appendMu.RLock()
	if s.closed {
		s.appendMu.RUnlock()
		return ErrClosed
	}
	n := uint64(len(events))
	first := s.seq.Add(n) - n + 1
	binary.LittleEndian.PutUint64(buf[wal.HeaderLen:], first)
	g := s.getGroup(p, groupName, true)
	g.mu.Lock()
	g.head.addRecord(stream, first, events, buf, at)
	g.mu.Unlock()
	t, err := s.wal.Submit(buf)
	s.appendMu.RUnlock()
	*ap = at
	atPool.Put(ap)
	if err != nil {
		return err
	}
	s.headSince.CompareAndSwap(0, s.opts.Clock.Now().UnixMilli())
	if s.headBytes.Add(int64(size)) >= int64(s.opts.MaxHeadBytes) {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return t.Wait()
}

// waitForRoom blocks while the head is twice its budget (a flush is behind).
func (s *Store) waitForRoom(ctx context.Context) error {
	for s.headBytes.Load() >= 2*int64(s.opts.MaxHeadBytes) {
		s.swapMu.Lock()
		ch := s.swapped
		s.swapMu.Unlock()
		select {
		case s.kick <- struct{}{}:
		default:
		}
		if s.headBytes.Load() < 2*int64(s.opts.MaxHeadBytes) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

func (s *Store) flusher() {
	defer close(s.flusherDone)
	for {
		select {
		case <-s.stop:
			return
		case <-s.kick:
			if s.headBytes.Load() >= int64(s.opts.MaxHeadBytes) {
				if err := s.Flush(context.Background()); err != nil && !errors.Is(err, ErrClosed) {
					s.log.Error("logstore: flush", "err", err)
				}
			}
		}
	}
}

// Maintain flushes the head when its oldest data is older than
// FlushInterval, and drops the record buffers kept for Append when none
// was used since its last call. The server's scheduler calls it every
// minute.
func (s *Store) Maintain(ctx context.Context) error {
	s.free.idle()
	since := s.headSince.Load()
	if since == 0 || s.opts.Clock.Now().UnixMilli()-since < s.opts.FlushInterval.Milliseconds() {
		return nil
	}
	return s.Flush(ctx)
}

// Flush writes the head to a new segment and drops the WAL it covered.
func (s *Store) Flush(ctx context.Context) error {
	s.maintMu.Lock()
	defer s.maintMu.Unlock()
	return s.flushLocked()
}

func (s *Store) flushLocked() error {
	// Swap heads and rotate the WAL together: the closed WAL segments hold
	// exactly the frozen events.
	s.appendMu.Lock()
	if s.closed {
		s.appendMu.Unlock()
		return ErrClosed
	}
	s.mapMu.RLock()
	var frozen []*group
	s.viewMu.Lock()
	for _, g := range s.groups {
		g.mu.Lock()
		if g.head.len() > 0 {
			g.frozen, g.head = g.head, g.head.successor() // flush.go
			frozen = append(frozen, g)
		}
		g.mu.Unlock()
	}
	s.viewMu.Unlock()
	s.mapMu.RUnlock()
	walSeg, err := s.wal.Rotate()
	maxSeq := s.seq.Load()
	s.flushed.Store(maxSeq)
	s.headBytes.Store(0)
	s.headSince.Store(0)
	s.appendMu.Unlock()
	s.swapMu.Lock()
	close(s.swapped)
	s.swapped = make(chan struct{})
	s.swapMu.Unlock()
	if err != nil {
		return err
	}
	if len(frozen) == 0 {
		return s.wal.RemoveThrough(walSeg)
	}
	slices.SortFunc(frozen, func(a, b *group) int { return strings.Compare(a.key, b.key) })

	sg, blocks, err := s.writeSegment(frozen, walSeg, maxSeq)
	if err != nil {
		// The frozen heads stay readable and in the WAL; put them back so
		// the next flush retries.
		s.viewMu.Lock()
		for _, g := range frozen {
			g.mu.Lock()
			old := g.head
			g.head = g.frozen
			for i := range old.len() {
				g.head.add(old.streams[old.stream[i]], old.seq[i], []Event{{old.ts[i], old.ingest[i], old.msg(i)}})
			}
			g.frozen = nil
			g.mu.Unlock()
		}
		s.viewMu.Unlock()
		return err
	}
	s.viewMu.Lock()
	heads := make([]*head, len(frozen))
	for i, g := range frozen {
		g.blocks = append(g.blocks, blocks[i]...)
		heads[i], g.frozen = g.frozen, nil
	}
	s.viewMu.Unlock()
	for _, h := range heads {
		s.free.put(h, s.opts.MaxHeadBytes) // ingest.go
	}
	_ = sg
	return s.wal.RemoveThrough(walSeg)
}

// writeSegment writes the frozen heads of groups into a new segment file.
// blocks[i] are group i's blocks.
func (s *Store) writeSegment(groups []*group, walThrough, maxSeq uint64) (*segment, [][]*blockRef, error) {
	segDir := filepath.Join(s.dir, "seg")
	num := s.nextSeg
	path := filepath.Join(segDir, segFileName(num))
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("logstore: create segment: %w", err)
	}
	fail := func(err error) (*segment, [][]*blockRef, error) {
		f.Close()
		os.Remove(tmp)
		return nil, nil, fmt.Errorf("logstore: write segment: %w", err)
	}
	sg := &segment{num: num, path: path}
	var all []segBlock
	out := make([][]*blockRef, len(groups))
	var off int64
	tri := new(trigramBits)
	var buf []byte
	part := new(Block) // one block at a time: its buffers are reused
	for gi, g := range groups {
		h := g.frozen
		idx := h.order(nil)
		remap := make([]int32, len(h.streams))
		for len(idx) > 0 {
			k := h.blockRows(idx, s.opts.BlockBytes)
			h.rowsInto(part, g.name, idx[:k], remap)
			idx = idx[k:]
			bytes := part.MessageBytes()
			var sumLen int
			buf, sumLen = encodeBlockSummary(buf[:0], part, tri, bytes/s.opts.summaryRatio) // blocksum.go
			ref := &blockRef{seg: sg, off: off, sumLen: uint32(sumLen), hasSum: true, dataLen: uint32(len(buf) - sumLen), crc: wal.Checksum(buf),
				minT: part.Timestamp[0], maxT: part.Timestamp[part.Len()-1], count: uint32(part.Len()), raw: uint32(bytes), streams: part.Streams}
			ref.minSeq, ref.maxSeq = slices.Min(part.Seq), slices.Max(part.Seq)
			if _, err := f.Write(buf); err != nil {
				return fail(err)
			}
			off += int64(len(buf))
			out[gi] = append(out[gi], ref)
			all = append(all, segBlock{g.key, ref})
		}
	}
	if _, err := f.Write(encodeFooter(all, walThrough, maxSeq)); err != nil {
		return fail(err)
	}
	if !s.opts.NoSync {
		if err := f.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	if !s.opts.NoSync {
		if err := wal.SyncDir(segDir); err != nil {
			return nil, nil, err
		}
	}
	rf, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	sg.f = rf
	sg.refs.Store(1)
	sg.live.Store(int32(len(all)))
	s.nextSeg++
	return sg, out, nil
}

// Close flushes nothing (the WAL holds the head), stops the background
// flusher and closes the files.
func (s *Store) Close() error {
	s.stopFlusher()
	s.maintMu.Lock()
	defer s.maintMu.Unlock()
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.closeFiles()
}

func (s *Store) stopFlusher() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.flusherDone
}

func (s *Store) closeFiles() error {
	err := s.wal.Close()
	if s.manifest != nil {
		err = errors.Join(err, s.manifest.Close())
		s.manifest = nil
	}
	seen := map[*segment]bool{}
	for _, g := range s.groups {
		for _, b := range g.blocks {
			if !seen[b.seg] {
				seen[b.seg] = true
				b.seg.release()
			}
		}
	}
	return err
}

// Reset deletes every event (dev reset). It must not run concurrently with
// other calls.
func (s *Store) Reset(ctx context.Context) error {
	s.stopFlusher()
	s.maintMu.Lock()
	defer s.maintMu.Unlock()
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	if s.closed {
		return ErrClosed
	}
	err := s.closeFiles()
	s.groups = nil
	for _, d := range []string{"wal", "seg"} {
		err = errors.Join(err, os.RemoveAll(filepath.Join(s.dir, d)), os.MkdirAll(filepath.Join(s.dir, d), 0o700))
	}
	err = errors.Join(err, os.Remove(filepath.Join(s.dir, manifestName)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("logstore: reset: %w", err)
	}
	if err := s.load(); err != nil {
		return err
	}
	s.startFlusher()
	return nil
}
