package insights

import (
	"strings"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

// vecStats runs a query of the form
//
//	[filter cond | ...] | stats aggregates by fields or bin(period)
//
// over a column-wise block without building rows, when every field the
// filters and the by list read is a dictionary column there: a filter is
// evaluated once per combination of dictionary values (its result is a
// function of them), a row's group is a small integer computed from its
// codes and its time bucket, and aggregates read their arguments straight
// from the columns. Groups are merged into the worker's statsState at the
// end of the block with the same keys the row path would give them, so the
// answers are the row path's. Rows of other shapes (nested values, text)
// and blocks where a field is not a dictionary take the row path.
type vecStats struct {
	filters []vecFilter
	by      []vecBy
	aggs    []string // per statsPlan.aggs: the argument's field, "" for count(*)
	plan    *statsPlan
}

type vecFilter struct {
	cond   evalFn
	fields []string
}

type vecBy struct {
	field string // a JSON field; "" for bin
	step  int64  // bin: the period in milliseconds
	fn    evalFn // bin: the compiled expression
}

// maxVecCells bounds a block's table of filter results or groups.
const maxVecCells = 1 << 16

// newVecStats returns the vectorised form of p (whose first skip stages
// the column reader decides), or nil when p does not have that form.
func newVecStats(p *plan, skip int) *vecStats {
	if p.stats == nil || len(p.stats.byExprs) != len(p.stats.by) {
		return nil
	}
	v := &vecStats{plan: p.stats}
	for _, s := range p.pre[skip:] {
		if s.kind != stFilter || s.index != nil {
			return nil
		}
	}
	for _, s := range p.pre[skip:] {
		fields, ok := jsonFieldsOf(s.expr)
		if !ok {
			return nil
		}
		v.filters = append(v.filters, vecFilter{cond: s.cond, fields: fields})
	}
	for i, e := range p.stats.byExprs {
		switch e := e.(type) {
		case *query.FieldRef:
			name, ok := jsonField(e)
			if !ok {
				return nil
			}
			v.by = append(v.by, vecBy{field: name})
		case *query.Call:
			d, ok := binPeriod(e)
			if !ok {
				return nil
			}
			v.by = append(v.by, vecBy{step: d, fn: p.stats.by[i]})
		default:
			return nil
		}
	}
	for _, a := range p.stats.aggs {
		if a.arg == nil {
			v.aggs = append(v.aggs, "")
			continue
		}
		f, ok := a.argExpr.(*query.FieldRef)
		if !ok {
			return nil
		}
		name, ok := jsonField(f)
		if !ok {
			return nil
		}
		v.aggs = append(v.aggs, name)
	}
	return v
}

// jsonField is the flattened name of a reference to a field of the event's
// JSON (not an @ field).
func jsonField(f *query.FieldRef) (string, bool) {
	name := flatName(f)
	return name, !strings.HasPrefix(name, "@")
}

// binPeriod: the length of bin(period) with a fixed-length period.
func binPeriod(c *query.Call) (int64, bool) {
	if c.Func == nil || c.Func.Name != "bin" || len(c.Args) != 1 {
		return 0, false
	}
	d, ok := c.Args[0].(*query.DurationLit)
	if !ok {
		return 0, false
	}
	p, err := funcs.ParsePeriod(d.Text)
	if err != nil || p.Unit == funcs.UnitWeek {
		return 0, false
	}
	ms, ok := p.Millis()
	return ms, ok && ms > 0
}

// jsonFieldsOf lists the JSON fields e reads, and false when it reads
// anything else (an @ field, or an implicit one through a function such
// as bin).
func jsonFieldsOf(e query.Expr) ([]string, bool) {
	ok := true
	var out []string
	var walk func(e query.Expr)
	walk = func(e query.Expr) {
		switch e := e.(type) {
		case *query.FieldRef:
			name, j := jsonField(e)
			ok = ok && j
			out = append(out, name)
		case *query.Binary:
			walk(e.L)
			walk(e.R)
		case *query.Unary:
			walk(e.X)
		case *query.Call:
			if e.Func == nil || e.Func.Kind == query.Aggregate {
				ok = false
			} else if f, found := funcs.Lookup(e.Name); !found || f.Implicit != "" {
				ok = false
			}
			for _, a := range e.Args {
				walk(a)
			}
		case *query.InList:
			walk(e.X)
			for _, x := range e.List {
				walk(x)
			}
		case *query.Like:
			walk(e.X)
			walk(e.Pattern)
		case *query.StringLit, *query.NumberLit, *query.DurationLit, *query.RegexLit:
		default:
			ok = false
		}
	}
	walk(e)
	return out, ok
}

// vecField is one field's values in a block as small codes: 0 no value,
// then the string column's dictionary, then the scalar column's.
type vecField struct {
	vals  []funcs.Value // by code
	codes []uint16      // per row
}

// vecGroup is one group of a block.
type vecGroup struct {
	codes []int // per by: its code (bin: the bucket)
	accs  []acc
}

// vecScratch is a worker's reusable state for vecStats.
type vecScratch struct {
	fields   map[string]*vecField
	leftover []int // rows the row path must take
	codes    []int16
}

// block aggregates the flat rows of the reader's current block into st; it
// reports false, having done nothing, when the block's columns do not
// allow it. The rows it left (other shapes) are in cr.vecs.leftover.
func (v *vecStats) block(st *statsState, cr *colReader, b *logstore.Block) (int64, bool) {
	sc := &cr.vecs
	if sc.fields == nil {
		sc.fields = map[string]*vecField{}
	}
	clear(sc.fields)
	n := b.Len()
	field := func(name string) (*vecField, bool) {
		if f, ok := sc.fields[name]; ok {
			return f, f != nil
		}
		f := cr.codes(name, n, &sc.codes)
		sc.fields[name] = f
		return f, f != nil
	}
	cols := cr.cols
	shapes := cols.Shapes()

	// The filters' result tables and the group table's dimensions.
	type filterTable struct {
		f      *vecFilter
		fields []*vecField
		memo   []int8 // 0 unknown, 1 pass, 2 fail
	}
	tables := make([]filterTable, len(v.filters))
	for i := range v.filters {
		t := &tables[i]
		t.f = &v.filters[i]
		cells := 1
		for _, name := range t.f.fields {
			f, ok := field(name)
			if !ok {
				return 0, false
			}
			t.fields = append(t.fields, f)
			cells *= len(f.vals)
			if cells > maxVecCells {
				return 0, false
			}
		}
		t.memo = make([]int8, cells)
	}
	byFields := make([]*vecField, len(v.by))
	cards := make([]int, len(v.by))
	var bucket0 []int64 // per by: bin's first bucket start
	bucket0 = make([]int64, len(v.by))
	cells := 1
	for i, by := range v.by {
		if by.field != "" {
			f, ok := field(by.field)
			if !ok {
				return 0, false
			}
			byFields[i], cards[i] = f, len(f.vals)
		} else {
			first := floorDiv(b.Timestamp[0], by.step) * by.step
			bucket0[i] = first
			cards[i] = int((floorDiv(b.Timestamp[n-1], by.step)*by.step-first)/by.step) + 1
		}
		cells *= cards[i]
		if cells > maxVecCells {
			return 0, false
		}
	}
	args := make([]func(i int) funcs.Value, len(v.aggs))
	for k, name := range v.aggs {
		if name == "" {
			continue
		}
		if f, ok := field(name); ok {
			args[k] = func(i int) funcs.Value { return f.vals[f.codes[i]] }
		} else {
			args[k] = cr.valueOf(name)
		}
	}

	groups := make([]*vecGroup, cells)
	sc.leftover = sc.leftover[:0]
	var matched int64
	var ev row
	for i := range n {
		if cr.lits != nil && !cr.hit[i] {
			continue
		}
		sh := &shapes[cols.Shape(i)]
		if !sh.Flat || len(sh.Slots) > maxJSONFields {
			sc.leftover = append(sc.leftover, i)
			continue
		}
		pass := true
		for ti := range tables {
			t := &tables[ti]
			cell := 0
			for _, f := range t.fields {
				cell = cell*len(f.vals) + int(f.codes[i])
			}
			if t.memo[cell] == 0 {
				ev = row{hasEvent: true, jsonDone: true, json: ev.json[:0]}
				for fi, f := range t.fields {
					if val := f.vals[f.codes[i]]; !val.IsNull() {
						ev.json = append(ev.json, namedVal{t.f.fields[fi], val})
					}
				}
				t.memo[cell] = 2
				if funcs.Truthy(t.f.cond(&ev, nil)) {
					t.memo[cell] = 1
				}
			}
			if t.memo[cell] != 1 {
				pass = false
				break
			}
		}
		if !pass {
			continue
		}
		matched++
		cell := 0
		for bi, by := range v.by {
			c := 0
			if by.field != "" {
				c = int(byFields[bi].codes[i])
			} else {
				c = int((floorDiv(b.Timestamp[i], by.step)*by.step - bucket0[bi]) / by.step)
			}
			cell = cell*cards[bi] + c
		}
		g := groups[cell]
		if g == nil {
			g = &vecGroup{accs: make([]acc, len(v.aggs))}
			rest := cell
			g.codes = make([]int, len(v.by))
			for bi := len(v.by) - 1; bi >= 0; bi-- {
				g.codes[bi] = rest % cards[bi]
				rest /= cards[bi]
			}
			groups[cell] = g
		}
		for k := range v.aggs {
			spec := &v.plan.aggs[k]
			if args[k] == nil {
				g.accs[k].n++
				continue
			}
			g.accs[k].addValue(spec, args[k](i), b.Timestamp[i], b.Seq[i])
		}
	}
	keys := make([]funcs.Value, len(v.by))
	for _, g := range groups {
		if g == nil {
			continue
		}
		for bi, by := range v.by {
			if by.field != "" {
				keys[bi] = byFields[bi].vals[g.codes[bi]]
			} else {
				ev = row{hasEvent: true, ts: bucket0[bi] + int64(g.codes[bi])*by.step}
				keys[bi] = by.fn(&ev, nil)
			}
		}
		sg := st.group(keys)
		for k := range v.aggs {
			sg.accs[k].merge(&v.plan.aggs[k], &g.accs[k])
		}
	}
	return matched, true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
