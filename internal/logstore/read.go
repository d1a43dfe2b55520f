package logstore

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/base64"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Query selects events of one log group for Read (GetLogEvents,
// FilterLogEvents).
type Query struct {
	Group string
	// Streams restricts the read to these streams; StreamPrefix to streams
	// whose names start with it. Both empty: every stream.
	Streams      []string
	StreamPrefix string
	// Start and End bound timestamps: Start ≤ t < End; End 0 is unbounded.
	Start, End int64
	// RequiredSubstrings: strings that every matching message contains,
	// compared case-insensitively (ASCII letters). A segment block whose
	// trigram summary shows that none of its messages contains one of them
	// is skipped without being read or decompressed; strings shorter than 3
	// bytes constrain nothing. It is only a pre-filter, and a promise from
	// the caller: Match decides, and a message lacking one of them may be
	// skipped even when Match would accept it.
	RequiredSubstrings []string
	// AnyOf: alternatives of texts, a matching message holding every text
	// of one of them (exact bytes). Rows that hold none of them are dropped
	// before Match: on a column-wise block, decided on its shapes and
	// columns without rebuilding messages (Columns.FindText; a text that is
	// not TextSafe by its longest TextSafe piece, which narrows the rows
	// Match decides); on other blocks, by one search of the block's
	// messages per text. A promise from the caller, as RequiredSubstrings.
	AnyOf [][]string
	// Columns, when set, is given each column-wise block before its
	// messages are rebuilt and returns a filter of its rows: rows it
	// rejects are dropped unread; Match still decides the others. It must
	// never reject a row Match would accept.
	Columns func(c *Columns) (keep func(row int) bool, err error)
	// Match, when set, selects events by message. It may be called from the
	// reading goroutine only, and must not keep msg.
	Match func(msg []byte) bool
	// Backward reads from the newest event to the oldest.
	Backward bool
	// After resumes after this position (in the read's direction).
	After Cursor
	// Limit bounds the records returned; default 10,000.
	Limit int
	// MaxBytes bounds the message bytes returned (0: no bound); at least one
	// record is returned when one matches.
	MaxBytes int
}

// ScanStats count a read's or scan's work.
type ScanStats struct {
	Blocks         int64 // blocks considered (segment blocks and head snapshots)
	BlocksSkipped  int64 // skipped by their trigram summary
	BytesScanned   int64 // message bytes of the blocks decoded
	RecordsScanned int64 // rows in the time range of the blocks decoded
}

// Page is one Read's answer. Records are in the read's direction; their
// Messages share one buffer owned by the page.
type Page struct {
	Records []Record
	// Next is the position after the last record (After's value for the
	// next page); More reports that another matching event exists there.
	Next  Cursor
	More  bool
	Stats ScanStats
}

type streamPred func(string) bool

func (q *Query) streamPred() streamPred {
	switch {
	case len(q.Streams) > 0:
		return func(s string) bool { return slices.Contains(q.Streams, s) }
	case q.StreamPrefix != "":
		return func(s string) bool { return strings.HasPrefix(s, q.StreamPrefix) }
	}
	return nil
}

func endOf(e int64) int64 {
	if e == 0 {
		return math.MaxInt64
	}
	return e
}

// source is a time-ordered sequence of blocks: one segment's blocks of a
// group, or a head snapshot.
type source struct {
	blocks []*blockRef
	static *Block
}

// snapshot collects g's sources overlapping [start, end) (segments
// acquired; call release).
func (s *Store) snapshot(g *group, start, end int64, pred streamPred) (srcs []source, dels []deletion) {
	headBlock := func(h *head) *Block {
		return h.block(g.name, func(i int) bool {
			return h.ts[i] >= start && h.ts[i] < end && (pred == nil || pred(h.streams[h.stream[i]]))
		})
	}
	s.viewMu.RLock()
	dels = slices.Clone(g.dels)
	var cur *source
	for _, b := range g.blocks {
		if b.maxT < start || b.minT >= end || (pred != nil && !b.hasStream(pred)) {
			continue
		}
		if cur == nil || cur.blocks[0].seg != b.seg {
			srcs = append(srcs, source{})
			cur = &srcs[len(srcs)-1]
			b.seg.acquire()
		}
		cur.blocks = append(cur.blocks, b)
	}
	if g.frozen != nil {
		if b := headBlock(g.frozen); b.Len() > 0 {
			srcs = append(srcs, source{static: b})
		}
	}
	g.mu.Lock()
	hb := headBlock(g.head)
	g.mu.Unlock()
	s.viewMu.RUnlock()
	if hb.Len() > 0 {
		srcs = append(srcs, source{static: hb})
	}
	return srcs, dels
}

func releaseSources(srcs []source) {
	for _, src := range srcs {
		if len(src.blocks) > 0 {
			src.blocks[0].seg.release()
		}
	}
}

// cursorRun walks one source's matching rows in the read's direction.
type cursorRun struct {
	src  source
	bi   int
	blk  *Block
	rows []int32
	ri   int
	buf  []byte
}

type reader struct {
	q     *Query
	pred  streamPred
	dels  []deletion
	req   required
	texts *textFilter // q.AnyOf, or nil
	end   int64
	stats ScanStats
	err   error
	mask  []bool // scratch of Columns filtering
}

func (rd *reader) less(a, b *cursorRun) bool {
	ra, rb := a.rows[a.ri], b.rows[b.ri]
	ta, tb := a.blk.Timestamp[ra], b.blk.Timestamp[rb]
	if ta != tb {
		return (ta < tb) != rd.q.Backward
	}
	return (a.blk.Seq[ra] < b.blk.Seq[rb]) != rd.q.Backward
}

// next positions r on its next matching row; false when exhausted.
func (rd *reader) next(r *cursorRun) bool {
	r.ri++
	for r.ri >= len(r.rows) {
		if !rd.load(r) {
			return false
		}
	}
	return true
}

// load moves r to its next block with matching rows.
func (rd *reader) load(r *cursorRun) bool {
	var b *Block
	if r.src.static != nil {
		if r.bi > 0 {
			return false
		}
		r.bi++
		b = r.src.static
		rd.stats.Blocks++ // heads have no summary: the matcher decides
	} else {
		n := len(r.src.blocks)
		if r.bi >= n {
			return false
		}
		i := r.bi
		if rd.q.Backward {
			i = n - 1 - r.bi
		}
		r.bi++
		ref := r.src.blocks[i]
		rd.stats.Blocks++
		if rd.q.After.Valid {
			if !rd.q.Backward && ref.maxT < rd.q.After.Time || rd.q.Backward && ref.minT > rd.q.After.Time {
				r.rows, r.ri = r.rows[:0], 0
				return true
			}
		}
		may, buf, err := ref.mayMatch(rd.req, r.buf)
		r.buf = buf
		if err != nil {
			rd.err = err
			return false
		}
		if !may {
			rd.stats.BlocksSkipped++
			r.rows, r.ri = r.rows[:0], 0
			return true
		}
		if r.blk == nil || r.blk == r.src.static {
			r.blk = new(Block)
		}
		r.buf, err = ref.load(r.blk, r.buf, rd.q.Columns != nil || rd.texts != nil)
		if err != nil {
			rd.err = err
			return false
		}
		b = r.blk
		b.Group = rd.q.Group
	}
	r.blk = b
	r.rows, r.ri = r.rows[:0], 0
	lo, hi := b.search(rd.q.Start), b.search(rd.end)
	rd.stats.BytesScanned += int64(b.Offsets[hi] - b.Offsets[lo])
	rd.stats.RecordsScanned += int64(hi - lo)
	textsDone := false // rows already filtered by the texts
	if c := b.Columns(); c != nil {
		// Rebuild only the messages the column filters keep.
		var keep func(int) bool
		var err error
		if rd.q.Columns != nil {
			keep, err = rd.q.Columns(c)
		}
		if err == nil && rd.texts != nil {
			textsDone, err = rd.texts.onColumns(c)
		}
		switch {
		case err != nil:
		case keep == nil && !textsDone:
			// Nothing decided on the columns: every message is rebuilt,
			// the fastest way.
			err = b.materialize()
		default:
			rd.mask = slices.Grow(rd.mask[:0], b.Len())[:b.Len()]
			for i := range rd.mask {
				rd.mask[i] = i >= lo && i < hi && (keep == nil || keep(i)) && (!textsDone || rd.texts.keep(i))
			}
			err = b.keep(rd.mask)
			lo, hi = 0, b.Len()
		}
		if err != nil {
			rd.err = err
			return false
		}
	}
	texts := rd.texts
	if textsDone {
		texts = nil
	} else if texts != nil {
		texts.onMessages(b, lo, hi)
	}
	var allowed []bool
	if rd.pred != nil || len(rd.dels) > 0 {
		allowed = make([]bool, len(b.Streams))
		for i, s := range b.Streams {
			allowed[i] = rd.pred == nil || rd.pred(s)
		}
	}
	a := rd.q.After
	for i := lo; i < hi; i++ {
		if allowed != nil && !allowed[b.Stream[i]] {
			continue
		}
		if a.Valid {
			t, sq := b.Timestamp[i], b.Seq[i]
			if !rd.q.Backward && (t < a.Time || t == a.Time && sq <= a.Seq) || rd.q.Backward && (t > a.Time || t == a.Time && sq >= a.Seq) {
				continue
			}
		}
		if len(rd.dels) > 0 && hidden(rd.dels, b.Streams[b.Stream[i]], b.Timestamp[i], b.Seq[i]) {
			continue
		}
		if texts != nil && !texts.keep(i) {
			continue
		}
		if rd.q.Match != nil && !rd.q.Match(b.Message(i)) {
			continue
		}
		r.rows = append(r.rows, int32(i))
	}
	if rd.q.Backward {
		slices.Reverse(r.rows)
	}
	return true
}

type runHeap struct {
	rd   *reader
	runs []*cursorRun
}

func (h *runHeap) Len() int           { return len(h.runs) }
func (h *runHeap) Less(i, j int) bool { return h.rd.less(h.runs[i], h.runs[j]) }
func (h *runHeap) Swap(i, j int)      { h.runs[i], h.runs[j] = h.runs[j], h.runs[i] }
func (h *runHeap) Push(x any)         { h.runs = append(h.runs, x.(*cursorRun)) }
func (h *runHeap) Pop() any {
	r := h.runs[len(h.runs)-1]
	h.runs = h.runs[:len(h.runs)-1]
	return r
}

// Read returns one page of the group's events matching q, interleaved from
// all selected streams in (timestamp, seq) order.
func (s *Store) Read(ctx context.Context, p Partition, q Query) (*Page, error) {
	if q.Limit <= 0 {
		q.Limit = 10000
	}
	page := &Page{}
	s.appendMu.RLock()
	closed := s.closed
	s.appendMu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	g := s.getGroup(p, q.Group, false)
	if g == nil {
		return page, nil
	}
	rd := &reader{q: &q, pred: q.streamPred(), req: requiredTrigrams(q.RequiredSubstrings), texts: newTextFilter(q.AnyOf), end: endOf(q.End)}
	srcs, dels := s.snapshot(g, q.Start, rd.end, rd.pred)
	defer releaseSources(srcs)
	rd.dels = dels
	h := &runHeap{rd: rd}
	for _, src := range srcs {
		r := &cursorRun{src: src, ri: -1}
		if rd.next(r) {
			h.runs = append(h.runs, r)
		}
		if rd.err != nil {
			return nil, rd.err
		}
	}
	heap.Init(h)
	var msgs []byte
	type pending struct {
		rec        Record
		start, end int
	}
	var recs []pending
	n := 0
	for h.Len() > 0 && len(recs) < q.Limit {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		r := h.runs[0]
		i := int(r.rows[r.ri])
		m := r.blk.Message(i)
		if q.MaxBytes > 0 && len(recs) > 0 && len(msgs)+len(m) > q.MaxBytes {
			break
		}
		rec := r.blk.Record(i)
		rec.Message = nil
		recs = append(recs, pending{rec, len(msgs), len(msgs) + len(m)})
		msgs = append(msgs, m...)
		if rd.next(r) {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
		if rd.err != nil {
			return nil, rd.err
		}
	}
	page.Records = make([]Record, len(recs))
	for i, pr := range recs {
		page.Records[i] = pr.rec
		page.Records[i].Message = msgs[pr.start:pr.end:pr.end]
	}
	if len(recs) > 0 {
		page.Next = CursorOf(&page.Records[len(recs)-1])
	} else {
		page.Next = q.After
	}
	page.More = h.Len() > 0
	page.Stats = rd.stats
	return page, nil
}

// --- record pointers ------------------------------------------------------------

// EncodePtr returns the opaque pointer (@ptr) of an event of group.
func EncodePtr(group string, r *Record) string {
	b := make([]byte, 0, len(group)+24)
	b = append(b, 1)
	b = appendStr(b, group)
	b = binary.AppendVarint(b, r.Timestamp)
	b = binary.AppendUvarint(b, r.Seq)
	return base64.RawURLEncoding.EncodeToString(b)
}

// GetRecord returns the event a pointer from EncodePtr designates, in
// partition p (ErrNotFound when it is not there). It also returns the group.
func (s *Store) GetRecord(ctx context.Context, p Partition, ptr string) (string, Record, error) {
	b, err := base64.RawURLEncoding.DecodeString(ptr)
	if err != nil || len(b) < 1 || b[0] != 1 {
		return "", Record{}, ErrBadPointer
	}
	b = b[1:]
	l, k := binary.Uvarint(b)
	if k <= 0 || l > uint64(len(b)-k) {
		return "", Record{}, ErrBadPointer
	}
	group := string(b[k : k+int(l)])
	b = b[k+int(l):]
	ts, k := binary.Varint(b)
	if k <= 0 {
		return "", Record{}, ErrBadPointer
	}
	seq, k2 := binary.Uvarint(b[k:])
	if k2 <= 0 || k+k2 != len(b) {
		return "", Record{}, ErrBadPointer
	}
	page, err := s.Read(ctx, p, Query{Group: group, Start: ts, End: ts + 1, After: Cursor{Time: ts, Seq: seq - 1, Valid: true}, Limit: 1})
	if err != nil {
		return "", Record{}, err
	}
	if len(page.Records) == 0 || page.Records[0].Seq != seq {
		return "", Record{}, ErrNotFound
	}
	return group, page.Records[0], nil
}

// --- scans --------------------------------------------------------------------------

// ScanQuery selects blocks for Scan.
type ScanQuery struct {
	Groups     []string
	Start, End int64 // Start ≤ t < End; End 0 is unbounded
	// RequiredSubstrings: as Query's. Load skips a segment block whose
	// summary shows that none of its messages contains one of them; the
	// caller still tests every row of the blocks it gets.
	RequiredSubstrings []string
	// Columns: columnar blocks come column-wise (Block.Columns) without
	// their messages.
	Columns bool
	// Order: the order Run hands out blocks in (by their newest or oldest
	// event) for a reader that can stop early; blocks still overlap.
	Order ScanOrder
	// Skip, when set, is asked before each block is loaded with the
	// block's time bounds; true skips it. Called concurrently.
	Skip func(minT, maxT int64) bool
}

// ScanOrder is the order Scanner.Run hands out blocks in.
type ScanOrder uint8

const (
	AnyOrder    ScanOrder = iota
	NewestFirst           // by each block's newest event, newest first
	OldestFirst           // by each block's oldest event, oldest first
)

// Scanner is a snapshot of the blocks a scan reads. Load may be called
// concurrently (with different Blocks); Close once when done.
type Scanner struct {
	items   []scanItem
	req     required
	columns bool
	skip    func(minT, maxT int64) bool
	start   int64
	end     int64
	srcs    []source

	blocks, skipped, bytes, records atomic.Int64
}

type scanItem struct {
	group      string
	ref        *blockRef
	static     *Block
	dels       []deletion
	minT, maxT int64
}

// Scan takes a snapshot of the blocks of the groups that may hold events
// of q: the Logs Insights engine's entry point. Blocks come in no
// particular order across groups and sources; each block's rows are sorted
// by (timestamp, seq).
func (s *Store) Scan(ctx context.Context, p Partition, q ScanQuery) (*Scanner, error) {
	s.appendMu.RLock()
	closed := s.closed
	s.appendMu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	sc := &Scanner{req: requiredTrigrams(q.RequiredSubstrings), start: q.Start, end: endOf(q.End), columns: q.Columns, skip: q.Skip}
	for _, name := range q.Groups {
		g := s.getGroup(p, name, false)
		if g == nil {
			continue
		}
		srcs, dels := s.snapshot(g, sc.start, sc.end, nil)
		sc.srcs = append(sc.srcs, srcs...)
		for _, src := range srcs {
			if src.static != nil {
				// The head, as one sorted block, is cut into pieces of about
				// a segment block's size so that the workers share it.
				st := src.static
				for lo := 0; lo < st.Len(); {
					hi, bytes := lo, 0
					for hi < st.Len() && (hi == lo || bytes < s.opts.BlockBytes) {
						bytes += len(st.Message(hi))
						hi++
					}
					piece := *st
					piece.slice(lo, hi)
					sc.items = append(sc.items, scanItem{group: name, static: &piece, minT: piece.Timestamp[0], maxT: piece.Timestamp[piece.Len()-1]})
					lo = hi
				}
			}
			for _, b := range src.blocks {
				sc.items = append(sc.items, scanItem{group: name, ref: b, dels: dels, minT: b.minT, maxT: b.maxT})
			}
		}
	}
	switch q.Order {
	case NewestFirst:
		slices.SortStableFunc(sc.items, func(a, b scanItem) int { return cmp.Compare(b.maxT, a.maxT) })
	case OldestFirst:
		slices.SortStableFunc(sc.items, func(a, b scanItem) int { return cmp.Compare(a.minT, b.minT) })
	}
	return sc, nil
}

// Len is the number of blocks in the snapshot.
func (sc *Scanner) Len() int { return len(sc.items) }

// Load fills b with block i's rows in the scan's time range. It reports
// false when the block was skipped by its trigram summary or has no such
// rows.
func (sc *Scanner) Load(i int, b *Block, scratch *[]byte) (bool, error) {
	it := &sc.items[i]
	sc.blocks.Add(1)
	if sc.skip != nil && sc.skip(it.minT, it.maxT) {
		sc.skipped.Add(1)
		return false, nil
	}
	if it.static != nil {
		*b = *it.static
		b.raw = nil
	} else {
		may, buf, err := it.ref.mayMatch(sc.req, *scratch)
		*scratch = buf
		if err != nil {
			return false, err
		}
		if !may {
			sc.skipped.Add(1)
			return false, nil
		}
		*scratch, err = it.ref.load(b, *scratch, sc.columns)
		if err != nil {
			return false, err
		}
	}
	b.Group = it.group
	lo, hi := b.search(sc.start), b.search(sc.end)
	b.slice(lo, hi)
	if len(it.dels) > 0 {
		keep := make([]bool, b.Len())
		any := false
		for r := range keep {
			keep[r] = !hidden(it.dels, b.Streams[b.Stream[r]], b.Timestamp[r], b.Seq[r])
			any = any || !keep[r]
		}
		if any {
			if err := b.keep(keep); err != nil {
				return false, err
			}
		}
	}
	sc.bytes.Add(int64(b.MessageBytes()))
	sc.records.Add(int64(b.Len()))
	return b.Len() > 0, nil
}

// Run loads every block with workers goroutines and calls fn with each
// non-empty one (worker identifies the goroutine; b is reused after fn
// returns). The first error stops the scan.
func (sc *Scanner) Run(ctx context.Context, workers int, fn func(worker int, b *Block) error) error {
	workers = max(1, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	var stop atomic.Bool
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b Block
			var scratch []byte
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(sc.items) {
					return
				}
				err := ctx.Err()
				if err == nil {
					var ok bool
					ok, err = sc.Load(i, &b, &scratch)
					if err == nil && ok {
						err = fn(w, &b)
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					stop.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// Stats reports the scan's work so far.
func (sc *Scanner) Stats() ScanStats {
	return ScanStats{Blocks: sc.blocks.Load(), BlocksSkipped: sc.skipped.Load(), BytesScanned: sc.bytes.Load(), RecordsScanned: sc.records.Load()}
}

// Close releases the snapshot's segment files.
func (sc *Scanner) Close() { releaseSources(sc.srcs); sc.srcs = nil }
