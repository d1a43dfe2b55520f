package insights

import (
	"math"
	"slices"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// aggKind is an aggregate function of stats (CWL_QuerySyntax-Stats).
type aggKind uint8

const (
	aggCount aggKind = iota // count(*), count(), count(field)
	aggCountDistinct
	aggSum
	aggAvg
	aggMin
	aggMax
	aggPct
	aggStddev
	aggEarliest
	aggLatest
	aggSortsFirst
	aggSortsLast
)

var aggKinds = map[string]aggKind{
	"count": aggCount, "count_distinct": aggCountDistinct, "sum": aggSum, "avg": aggAvg,
	"min": aggMin, "max": aggMax, "pct": aggPct, "stddev": aggStddev,
	"earliest": aggEarliest, "latest": aggLatest,
	"sortsFirst": aggSortsFirst, "sortsLast": aggSortsLast,
}

type aggSpec struct {
	kind    aggKind
	arg     evalFn     // nil: count(*) or count()
	argExpr query.Expr // what arg was compiled from
	pct     float64
}

// acc accumulates one aggregate of one group. Accumulators of different
// workers for the same group merge.
type acc struct {
	n        int64
	sum      float64
	sumsq    float64 // for stddev
	ext      funcs.Value
	extNum   float64
	extTs    int64
	extSeq   uint64
	has      bool
	nums     []float64
	distinct map[string]struct{}
}

func (a *acc) add(s *aggSpec, r *row) {
	if s.arg == nil {
		a.n++
		return
	}
	a.addValue(s, s.arg(r, nil), r.ts, r.seq)
}

// addValue adds the argument's value v of the event (ts, seq).
func (a *acc) addValue(s *aggSpec, v funcs.Value, ts int64, seq uint64) {
	if v.IsNull() {
		return
	}
	switch s.kind {
	case aggCount:
		a.n++
	case aggCountDistinct:
		if a.distinct == nil {
			a.distinct = map[string]struct{}{}
		}
		a.distinct[v.String()] = struct{}{}
	case aggSum, aggAvg, aggStddev:
		x, ok := v.Number()
		if !ok {
			return
		}
		a.n++
		a.sum += x
		a.sumsq += x * x
	case aggMin, aggMax:
		x, ok := v.Number()
		if !ok {
			return
		}
		if !a.has || (s.kind == aggMin && x < a.extNum) || (s.kind == aggMax && x > a.extNum) {
			a.has, a.ext, a.extNum = true, v, x
		}
	case aggPct:
		if x, ok := v.Number(); ok {
			a.nums = append(a.nums, x)
		}
	case aggEarliest, aggLatest:
		a.takeExt(s.kind, v, ts, seq)
	case aggSortsFirst, aggSortsLast:
		a.takeSorted(s.kind, v, ts, seq)
	}
}

func (a *acc) takeExt(k aggKind, v funcs.Value, ts int64, seq uint64) {
	before := ts < a.extTs || ts == a.extTs && seq < a.extSeq
	if !a.has || (k == aggEarliest) == before {
		a.has, a.ext, a.extTs, a.extSeq = true, v, ts, seq
	}
}

func (a *acc) merge(s *aggSpec, b *acc) {
	switch s.kind {
	case aggCount:
		a.n += b.n
	case aggCountDistinct:
		if a.distinct == nil {
			a.distinct = b.distinct
			return
		}
		for k := range b.distinct {
			a.distinct[k] = struct{}{}
		}
	case aggSum, aggAvg, aggStddev:
		a.n, a.sum, a.sumsq = a.n+b.n, a.sum+b.sum, a.sumsq+b.sumsq
	case aggMin, aggMax:
		if b.has && (!a.has || (s.kind == aggMin && b.extNum < a.extNum) || (s.kind == aggMax && b.extNum > a.extNum)) {
			a.has, a.ext, a.extNum = true, b.ext, b.extNum
		}
	case aggPct:
		a.nums = append(a.nums, b.nums...)
	case aggEarliest, aggLatest:
		if b.has {
			a.takeExt(s.kind, b.ext, b.extTs, b.extSeq)
		}
	case aggSortsFirst, aggSortsLast:
		if b.has {
			a.takeSorted(s.kind, b.ext, b.extTs, b.extSeq)
		}
	}
}

func (a *acc) result(s *aggSpec) funcs.Value {
	switch s.kind {
	case aggCount:
		return funcs.Num(float64(a.n))
	case aggCountDistinct:
		return funcs.Num(float64(len(a.distinct)))
	case aggSum:
		if a.n == 0 {
			return funcs.Null
		}
		return funcs.Num(a.sum)
	case aggAvg:
		if a.n == 0 {
			return funcs.Null
		}
		return funcs.Num(a.sum / float64(a.n))
	case aggStddev:
		if a.n < 2 {
			return funcs.Null
		}
		// Sample standard deviation from exact-for-integers sums, so the
		// result does not depend on how blocks were split among workers.
		n := float64(a.n)
		return funcs.Num(math.Sqrt(max(0, (a.sumsq-a.sum*a.sum/n)/(n-1))))
	case aggMin, aggMax, aggEarliest, aggLatest, aggSortsFirst, aggSortsLast:
		if !a.has {
			return funcs.Null
		}
		return a.ext
	case aggPct:
		if len(a.nums) == 0 {
			return funcs.Null
		}
		slices.Sort(a.nums)
		// Nearest rank: the smallest value with at least p% of the values
		// at or below it.
		rank := int(math.Ceil(s.pct / 100 * float64(len(a.nums))))
		rank = min(max(rank, 1), len(a.nums))
		return funcs.Num(a.nums[rank-1])
	}
	return funcs.Null
}

// statsPlan is one compiled stats command.
type statsPlan struct {
	by        []evalFn
	byExprs   []query.Expr // what by was compiled from
	byNames   []string
	aggs      []aggSpec
	items     []evalFn
	itemNames []string
}

func compileStats(c *compiler, s *query.StatsCmd) (*statsPlan, error) {
	p := &statsPlan{}
	for _, b := range s.By {
		fn, err := c.compile(b.Expr)
		if err != nil {
			return nil, err
		}
		p.by = append(p.by, fn)
		p.byExprs = append(p.byExprs, b.Expr)
		p.byNames = append(p.byNames, b.Name())
	}
	ac := *c
	ac.onAgg = func(call *query.Call) (int, error) {
		kind, ok := aggKinds[call.Func.Name]
		if !ok {
			return 0, errAt(call.Pos, "The function '%s' is not supported by Vigil yet.", call.Name)
		}
		spec := aggSpec{kind: kind}
		if len(call.Args) > 0 {
			if _, star := call.Args[0].(*query.Star); !star {
				arg, err := c.compile(call.Args[0])
				if err != nil {
					return 0, err
				}
				spec.arg, spec.argExpr = arg, call.Args[0]
			}
		}
		if spec.arg == nil && kind != aggCount {
			return 0, errAt(call.Pos, "%s needs a field", call.Name)
		}
		if kind == aggPct {
			n, ok := call.Args[1].(*query.NumberLit)
			if !ok || n.Value < 0 || n.Value > 100 {
				return 0, errAt(call.Pos, "pct takes a percentile from 0 to 100")
			}
			spec.pct = n.Value
		}
		p.aggs = append(p.aggs, spec)
		return len(p.aggs) - 1, nil
	}
	for _, it := range s.Aggs {
		fn, err := ac.compile(it.Expr)
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, fn)
		p.itemNames = append(p.itemNames, it.Name())
	}
	return p, nil
}

type statsGroup struct {
	keys []funcs.Value
	accs []acc
}

// statsState aggregates rows for one stats command; one per worker.
type statsState struct {
	p      *statsPlan
	groups map[string]*statsGroup
	keys   []funcs.Value
	buf    []byte
	spill  *statsSpill // nil: unbounded (exec_statsspill.go)
}

func newStatsState(p *statsPlan) *statsState {
	return &statsState{p: p, groups: map[string]*statsGroup{}, keys: make([]funcs.Value, len(p.by))}
}

func (st *statsState) add(r *row) {
	for i, fn := range st.p.by {
		st.keys[i] = fn(r, nil)
	}
	g := st.group(st.keys)
	for i := range st.p.aggs {
		g.accs[i].add(&st.p.aggs[i], r)
	}
}

// group returns the group of the by values keys, created if new (keys is
// not kept).
func (st *statsState) group(keys []funcs.Value) *statsGroup {
	st.buf = st.buf[:0]
	for _, v := range keys {
		st.buf = append(st.buf, byte(v.Kind()))
		st.buf = v.AppendKey(st.buf)
		st.buf = append(st.buf, 0xff)
	}
	g := st.groups[string(st.buf)]
	if g == nil {
		if st.spill != nil && len(st.groups) >= st.spill.limit {
			st.spillOut()
		}
		g = &statsGroup{keys: slices.Clone(keys), accs: make([]acc, len(st.p.aggs))}
		st.groups[string(st.buf)] = g
	}
	return g
}

func (st *statsState) merge(o *statsState) {
	for k, og := range o.groups {
		g := st.groups[k]
		if g == nil {
			st.groups[k] = og
			continue
		}
		for i := range st.p.aggs {
			g.accs[i].merge(&st.p.aggs[i], &og.accs[i])
		}
	}
}

// rows returns one row per group: the by fields, then the items, ordered by
// the by values ascending.
func (st *statsState) rows() []*row {
	out := make([]*row, 0, len(st.groups))
	for _, g := range st.groups {
		out = append(out, st.row(g))
	}
	sortRows(out, st.p.byKeys())
	return out
}

// row returns a group's row: the by fields, then the items.
func (st *statsState) row(g *statsGroup) *row {
	r := &row{}
	for i, n := range st.p.byNames {
		r.set(n, g.keys[i])
	}
	res := make([]funcs.Value, len(st.p.aggs))
	for i := range st.p.aggs {
		res[i] = g.accs[i].result(&st.p.aggs[i])
	}
	for i, fn := range st.p.items {
		r.set(st.p.itemNames[i], fn(r, res))
	}
	return r
}

// fieldOf reads a computed field by name.
func fieldOf(name string) evalFn {
	return func(r *row, _ []funcs.Value) funcs.Value { return r.field(nil, name, name) }
}
