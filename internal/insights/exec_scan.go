package insights

import (
	"context"
	"math"
	"sync"
	"sync/atomic"

	"github.com/vigilhq/vigil/internal/logstore"
)

// worker is one scan goroutine's state; mu guards it against progress
// snapshots.
type worker struct {
	mu    sync.Mutex
	rows  []*row
	stats *statsState
	cols  *colReader
}

// scan reads spec's window through p's row-local stages, and through its
// first stats when it has one, with scanWorkers goroutines. It returns the
// rows the plan's blocking stages take (the stats rows, or the events,
// unsorted; a top-k plan's workers keep only what its sort and limit can
// return) and the scan's statistics (no LogGroupsScanned). progress, when
// not nil, is called after each block with a function that copies the rows
// kept so far.
func (e *Engine) scan(ctx context.Context, spec Spec, p *plan, progress func(kept func() []*row, st Stats)) ([]*row, Stats, error) {
	q := logstore.ScanQuery{
		Groups: spec.Groups, Start: spec.Start, End: spec.End + 1, RequiredSubstrings: p.required, Columns: true,
		Order: p.timeOrder,
	}
	// A top-k scan by time reads blocks newest (oldest) first and skips a
	// block once a worker holds k rows all newer (older) than its events.
	var cutoff atomic.Int64
	switch p.timeOrder {
	case logstore.NewestFirst:
		cutoff.Store(math.MinInt64)
		q.Skip = func(_, maxT int64) bool { return maxT < cutoff.Load() }
	case logstore.OldestFirst:
		cutoff.Store(math.MaxInt64)
		q.Skip = func(minT, _ int64) bool { return minT > cutoff.Load() }
	}
	sc, err := e.blocks.Scan(ctx, spec.Partition, q)
	if err != nil {
		return nil, Stats{}, err
	}
	defer sc.Close()

	var matched atomic.Int64
	stats := func() Stats {
		ss := sc.Stats()
		return Stats{RecordsMatched: float64(matched.Load()), RecordsScanned: float64(ss.RecordsScanned), BytesScanned: float64(ss.BytesScanned)}
	}
	var spill *spiller // exec_statsspill.go
	if p.stats != nil {
		spill = e.statsSpiller()
		defer spill.dir.remove() // best effort: a leftover directory is only disk space
	}
	ws := make([]*worker, scanWorkers)
	for i := range ws {
		ws[i] = &worker{cols: newColReader(p)}
		if p.stats != nil {
			ws[i].stats = newStatsState(p.stats)
			ws[i].stats.spill = spill.share(scanWorkers)
		}
	}
	kept := func() []*row {
		var rows []*row
		for _, w := range ws {
			w.mu.Lock()
			rows = append(rows, w.rows...)
			w.mu.Unlock()
		}
		return rows
	}
	err = sc.Run(ctx, scanWorkers, func(wi int, b *logstore.Block) error {
		n, err := ws[wi].block(p, b, &cutoff)
		if err == nil && ws[wi].stats != nil {
			err = ws[wi].stats.spill.err
		}
		matched.Add(n)
		if err == nil && progress != nil {
			progress(kept, stats())
		}
		return err
	})
	if err != nil {
		return nil, stats(), err
	}
	if p.stats != nil {
		states := make([]*statsState, len(ws))
		for i, w := range ws {
			states[i] = w.stats
		}
		rows, err := finishStats(ctx, p.stats, states, spill, p.statsOut)
		if err != nil {
			return nil, stats(), err
		}
		return rows, stats(), nil
	}
	return kept(), stats(), nil
}

// block runs one block's events through the plan and reports how many
// passed its row-local stages. For a top-k plan by time it then raises
// cutoff to its k-th row's time.
func (w *worker) block(p *plan, b *logstore.Block, cutoff *atomic.Int64) (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cr := w.cols
	if c := b.Columns(); c == nil {
		cr = nil
	} else if err := cr.begin(c, b.Len()); err != nil {
		return 0, err
	}
	var n int64
	count := b.Len()
	var leftover []int // when the vectorised path took the block: the rows it left
	vectorised := false
	if cr != nil && cr.vec != nil && w.stats != nil {
		var m int64
		if m, vectorised = cr.vec.block(w.stats, cr, b); vectorised {
			n += m
			leftover = cr.vecs.leftover
			count = len(leftover)
		}
	}
	var reuse *row
	for k := range count {
		i := k
		if vectorised {
			i = leftover[k]
		}
		r := reuse
		if r == nil {
			r = &row{}
		}
		*r = row{hasEvent: true, group: b.Group, stream: b.Streams[b.Stream[i]], ts: b.Timestamp[i],
			ingest: b.IngestionTime[i], seq: b.Seq[i], vals: r.vals[:0], json: r.json[:0]}
		pre := p.pre
		if cr == nil {
			r.msg = string(b.Message(i))
		} else if cr.fill(r, i) {
			pre = pre[cr.skip:]
		} else {
			reuse = r
			continue
		}
		if !runRow(pre, r) {
			reuse = r
			continue
		}
		n++
		if w.stats != nil {
			w.stats.add(r)
			reuse = r
			continue
		}
		reuse = nil
		w.rows = append(w.rows, r)
		if p.topK > 0 && len(w.rows) >= 2*p.topK+1024 {
			w.trim(p)
		}
	}
	if p.timeOrder != logstore.AnyOrder && len(w.rows) >= p.topK {
		if len(w.rows) > p.topK {
			w.trim(p)
		}
		kth := w.rows[p.topK-1].ts
		for {
			c := cutoff.Load()
			better := kth > c
			if p.timeOrder == logstore.OldestFirst {
				better = kth < c
			}
			if !better || cutoff.CompareAndSwap(c, kth) {
				break
			}
		}
	}
	if cr != nil {
		// Rows outlive the block: the ones kept get their messages now.
		for _, r := range w.rows {
			r.message()
		}
		if cr.err != nil {
			return n, cr.err
		}
	}
	return n, nil
}

// trim keeps the first topK rows in the plan's sort order.
func (w *worker) trim(p *plan) {
	sortRows(w.rows, p.rest[0].keys)
	clear(w.rows[p.topK:])
	w.rows = w.rows[:p.topK]
}
