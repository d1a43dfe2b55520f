package insights

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/vigilhq/vigil/internal/insights/funcs"
)

// External hash aggregation for stats: a query holds at most
// Engine.spillGroups groups of its first stats in memory (split among the
// scan workers). A worker whose state would grow past its share writes its
// groups' partial accumulators to a run file, partitioned by a hash of the
// group key, and starts afresh. At the end each partition is merged on its
// own: its sections of every run plus the in-memory groups that hash to
// it. A partition that is itself too big is spilled again, with another
// hash, at most maxSpillLevels deep (beyond that it stays in memory: only
// hash collisions of distinct keys could get there).
//
// The budget counts groups, not bytes: pct and count_distinct keep their
// values per group, so a few huge groups are not bounded by it.

// defaultSpillGroups is the groups a query's stats keeps in memory before
// it spills.
const defaultSpillGroups = 1_000_000

// spillPartitions is how many partitions a run is split into: each merge
// step holds about 1/spillPartitions of the groups.
const spillPartitions = 16

const maxSpillLevels = 6

// spillDir is a query's temporary directory, made at the first spill,
// holding one file all runs are appended to (creating a file per run costs
// more than writing it). remove deletes it; the query calls it when it
// ends, however it ends.
type spillDir struct {
	parent string // "": os.TempDir()

	mu   sync.Mutex
	path string
	f    *os.File
	w    *bufio.Writer
	size int64
}

// append writes a run: fill writes it to w, starting at file offset off,
// and returns the offset after it. Runs are written one at a time.
func (d *spillDir) append(fill func(w io.Writer, off int64) (int64, error)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f == nil {
		parent := d.parent
		if parent == "" {
			parent = os.TempDir()
		}
		if d.path == "" {
			p, err := os.MkdirTemp(parent, "vigil-insights-stats-")
			if err != nil {
				return fmt.Errorf("insights: stats spill: %w", err)
			}
			d.path = p
		}
		f, err := os.OpenFile(filepath.Join(d.path, "runs"), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("insights: stats spill: %w", err)
		}
		d.f, d.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	end, err := fill(d.w, d.size)
	if err == nil {
		err = d.w.Flush()
	}
	if err != nil {
		// The file's end is unknown now: the query fails with err.
		return fmt.Errorf("insights: stats spill: %w", err)
	}
	d.size = end
	return nil
}

// readAt reads n bytes at off; it may run while a run is appended.
func (d *spillDir) readAt(off, n int64) ([]byte, error) {
	d.mu.Lock()
	f := d.f
	d.mu.Unlock()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("insights: stats spill: %w", err)
	}
	return b, nil
}

func (d *spillDir) remove() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.f != nil {
		d.f.Close()
		d.f = nil
	}
	if d.path == "" {
		return nil
	}
	err := os.RemoveAll(d.path)
	d.path = ""
	return err
}

// spiller collects the runs of one level of partitioning; the states
// spilling into it may do so concurrently.
type spiller struct {
	dir    *spillDir
	level  int // seeds the partition hash
	budget int // the query's groups in memory (level 0)

	mu   sync.Mutex
	runs []spillRun
}

// spillRun is one run: partition i is the spill file's bytes off[i] to
// off[i+1].
type spillRun struct {
	off [spillPartitions + 1]int64
}

// statsSpill is a statsState's link to its spiller; nil: the state is
// unbounded (as a stats over rows in memory is).
type statsSpill struct {
	sp    *spiller
	limit int   // groups held before spilling
	err   error // the first spill failure; the query reports it
	buf   []byte
}

// partitionOf hashes a group key (FNV-1a, seeded by the level so that a
// partition spilled again spreads over new partitions).
func partitionOf(key string, level int) int {
	h := uint64(14695981039346656037) ^ uint64(level)*0x9e3779b97f4a7c15
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= 1099511628211
	}
	h ^= h >> 29
	return int(h % spillPartitions)
}

// spillOut writes st's groups to a new run and clears them. On failure it
// records the error and stops spilling, keeping the groups.
func (st *statsState) spillOut() {
	s := st.spill
	if s.err != nil {
		return
	}
	if err := s.sp.write(st, &s.buf); err != nil {
		s.err, s.limit = err, math.MaxInt
		return
	}
	clear(st.groups)
}

func (sp *spiller) write(st *statsState, buf *[]byte) error {
	var parts [spillPartitions][]*statsGroup
	for k, g := range st.groups {
		i := partitionOf(k, sp.level)
		parts[i] = append(parts[i], g)
	}
	var run spillRun
	err := sp.dir.append(func(w io.Writer, off int64) (int64, error) {
		for i, gs := range parts {
			run.off[i] = off
			for _, g := range gs {
				*buf = appendSpillGroup((*buf)[:0], g.keys, g.accs)
				n, err := w.Write(*buf)
				if err != nil {
					return 0, err
				}
				off += int64(n)
			}
		}
		run.off[spillPartitions] = off
		return off, nil
	})
	if err != nil {
		return err
	}
	sp.mu.Lock()
	sp.runs = append(sp.runs, run)
	sp.mu.Unlock()
	if testOnSpill != nil {
		testOnSpill()
	}
	return nil
}

// testOnSpill, when set by a test, is called after each run is written.
var testOnSpill func()

// absorb merges a group's accumulators into st's group of keys.
func (st *statsState) absorb(keys []funcs.Value, accs []acc) {
	g := st.group(keys)
	for i := range st.p.aggs {
		g.accs[i].merge(&st.p.aggs[i], &accs[i])
	}
}

// statsOut bounds the rows a stats returns when only the first k of them
// (in the order of keys, then the by values) can reach the result.
type statsOut struct {
	k    int       // 0: no bound
	keys []sortKey // rest's leading sort, or nil
}

// statsOutBound: the rows after the first stats are the query's result
// when rest is an optional sort followed only by limits and fields (which
// neither drop nor add rows); then at most limit, or a limit command's n,
// of them are returned.
func statsOutBound(rest []stage, limit int) statsOut {
	o := statsOut{k: limit}
	if len(rest) > 0 && rest[0].kind == stSort {
		o.keys, rest = rest[0].keys, rest[1:]
	}
	for _, s := range rest {
		switch s.kind {
		case stLimit:
			o.k = min(o.k, s.n)
		case stFields:
		default:
			return statsOut{}
		}
	}
	return o
}

// trim keeps the first o.k rows in output order. A limit 0 keeps none.
func (o statsOut) trim(p *statsPlan, rows []*row) []*row {
	sortRows(rows, p.byKeys())
	if o.keys != nil {
		sortRows(rows, o.keys) // stable: ties stay in by order, as in applyRest
	}
	if len(rows) > o.k {
		clear(rows[o.k:])
		rows = rows[:o.k]
	}
	return rows
}

func (p *statsPlan) byKeys() []sortKey {
	keys := make([]sortKey, len(p.byNames))
	for i, n := range p.byNames {
		keys[i] = sortKey{fn: fieldOf(n)}
	}
	return keys
}

// finishStats merges the workers' states into the stats rows, ordered by
// the by values ascending; with a bound, only the rows that can reach the
// result. states spilled into sp (nil: none can have).
func finishStats(ctx context.Context, p *statsPlan, states []*statsState, sp *spiller, out statsOut) ([]*row, error) {
	for _, st := range states {
		if st.spill != nil && st.spill.err != nil {
			return nil, st.spill.err
		}
	}
	if sp == nil || len(sp.runs) == 0 {
		st := states[0]
		for _, o := range states[1:] {
			st.merge(o)
		}
		return st.rows(), nil
	}
	rows, err := sp.merge(ctx, p, states, out)
	if err != nil {
		return nil, err
	}
	sortRows(rows, p.byKeys())
	return rows, nil
}

// merge merges the runs and states partition by partition into rows, in no
// particular order (bounded by out when out.k > 0).
func (sp *spiller) merge(ctx context.Context, p *statsPlan, states []*statsState, out statsOut) ([]*row, error) {
	var parts [spillPartitions][]*statsGroup
	for _, st := range states {
		for k, g := range st.groups {
			i := partitionOf(k, sp.level)
			parts[i] = append(parts[i], g)
		}
	}
	limit := states[0].spill.limit * len(states)
	var rows []*row
	keys := make([]funcs.Value, len(p.by))
	accs := make([]acc, len(p.aggs))
	for i := range spillPartitions {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st := newStatsState(p)
		var child *spiller
		if sp.level+1 < maxSpillLevels {
			child = &spiller{dir: sp.dir, level: sp.level + 1}
			st.spill = &statsSpill{sp: child, limit: limit}
		}
		for _, g := range parts[i] {
			st.absorb(g.keys, g.accs)
		}
		parts[i] = nil
		for _, run := range sp.runs {
			b, err := sp.readSection(run, i)
			if err != nil {
				return nil, err
			}
			d := spillDecoder{b: b}
			for len(d.b) > 0 {
				if err := d.group(keys, accs); err != nil {
					return nil, fmt.Errorf("%w (at offset %d)", err, run.off[i])
				}
				st.absorb(keys, accs)
			}
		}
		if st.spill != nil && st.spill.err != nil {
			return nil, st.spill.err
		}
		var got []*row
		if child != nil && len(child.runs) > 0 {
			var err error
			if got, err = child.merge(ctx, p, []*statsState{st}, out); err != nil {
				return nil, err
			}
		} else {
			got = make([]*row, 0, len(st.groups))
			for _, g := range st.groups {
				got = append(got, st.row(g))
			}
		}
		rows = append(rows, got...)
		if out.k > 0 && len(rows) >= 2*out.k+1024 {
			rows = out.trim(p, rows)
		}
	}
	if out.k > 0 && len(rows) > out.k {
		rows = out.trim(p, rows)
	}
	return rows, nil
}

// readSection reads partition i of a run.
func (sp *spiller) readSection(run spillRun, i int) ([]byte, error) {
	n := run.off[i+1] - run.off[i]
	if n == 0 {
		return nil, nil
	}
	return sp.dir.readAt(run.off[i], n)
}

// statsSpiller returns the spiller of a query's first stats.
func (e *Engine) statsSpiller() *spiller {
	g := e.spillGroups
	if g <= 0 {
		g = defaultSpillGroups
	}
	return &spiller{dir: &spillDir{parent: e.spillDir}, budget: g}
}

// share is the spill link of one of n workers: each holds 1/n of the
// query's budget.
func (sp *spiller) share(n int) *statsSpill {
	return &statsSpill{sp: sp, limit: max(1, sp.budget/n)}
}
