package insights

import (
	"context"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
	"github.com/vigilhq/vigil/internal/logstore"
)

// Blocks is the log store as the engine reads it (*logstore.Store).
type Blocks interface {
	Scan(ctx context.Context, p logstore.Partition, q logstore.ScanQuery) (*logstore.Scanner, error)
}

// MaxResults bounds the rows of one query: StartQuery's limit is at most
// 10,000 and is 10,000 when not given.
const MaxResults = 10000

// scanWorkers is how many goroutines read blocks for one query.
const scanWorkers = 2

// partialEvery is how often a running query reports its rows so far.
const partialEvery = time.Second

// Engine runs Logs Insights queries over the log store: the Executor the
// Manager uses. It holds no per-query state; Run may be called
// concurrently.
//
// Supported: fields, display, filter, parse (glob and regex, and regex
// multi: exec_parsemulti.go), stats (one or two; count, count_distinct
// (exact), sum, avg, min, max, pct (nearest rank, exact), stddev (sample),
// earliest, latest, sortsFirst, sortsLast (exec_sortsfirst.go); by fields,
// expressions and bin), sort, limit, dedup, unnest (exec_unnest.go),
// unmask (exec_unmask.go), addtotals (exec_addtotals.go), join (over
// Spec.JoinGroups: exec_join.go), lookup (OUTPUT and OUTPUTNEW, over
// Spec.Lookups: exec_lookup.go) and filterIndex (over Spec.Indexes:
// exec_filterindex.go), pattern and pattern ... | diff
// [previousDay|previousWeek|previousMonth] (exec_pattern.go), logcompare
// (exec_logcompare.go) and anomaly (exec_anomaly.go). SOURCE time options
// (start=, end=) are applied by the caller (SourceWindow) and refused in a
// join subquery, by Unsupported and by Run.
//
// Fields (CWL_AnalyzeLogData-discoverable-fields): the system fields
// @timestamp, @message, @logStream, @log (account:group), @ingestionTime
// and @ptr; a message that is a JSON object is flattened into a.b.c for
// nested objects and a.0, a.1 for arrays, the first 200 leaves in document
// order; only the names the query references are extracted (CloudTrail
// logs are JSON). Other events are matched against the formats the guide
// lists (exec_discover.go): Lambda START/END/REPORT lines (@type,
// @requestId, @duration, @billedDuration, @memorySize, @maxMemoryUsed,
// @initDuration, @xrayTraceId, @xraySegmentId) and application lines
// (@requestId, and the first embedded JSON object, flattened), default-
// format VPC flow log records (version, accountId, interfaceId, srcAddr,
// ...) and Route 53 query logs (queryName, queryType, ...); any other
// event has only the system fields.
//
// Decisions where the guide is silent: without fields, display or stats a
// row has @timestamp, @message, @logStream and @log; event rows always end
// with @ptr (GetQueryResults: "Only the fields requested in the query are
// returned, along with a @ptr field"); null cells are omitted; event rows
// come newest first unless the query sorts; sort without asc/desc is
// ascending; missing sort values come last; stats rows come ordered by
// their by values ascending, a missing by value forms its own group, and
// stats over no events returns no row. The result is at most Spec.Limit
// (default and maximum MaxResults) rows, and at most a limit command's.
type Engine struct {
	blocks Blocks
	clock  clock.Clock

	// spillGroups and spillDir: exec_statsspill.go (0, "": the defaults).
	spillGroups int
	spillDir    string
}

// NewEngine returns an Engine reading blocks; clk supplies the queries'
// now() (nil: clock.System{}).
func NewEngine(blocks Blocks, clk clock.Clock) *Engine {
	if clk == nil {
		clk = clock.System{}
	}
	return &Engine{blocks: blocks, clock: clk}
}

// UnsupportedError is a query Vigil cannot run: a command or function not
// implemented yet, or an argument it refuses. Pos is the byte offset in the
// query string. StartQuery answers it as MalformedQueryException.
type UnsupportedError struct {
	Msg string
	Pos int
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s (at offset %d)", e.Msg, e.Pos)
}

// Unsupported reports whether the engine can run q: nil, or an
// *UnsupportedError naming the first command or function it cannot.
func Unsupported(q *query.Query) error {
	_, err := compilePlan(q, "", nil)
	return err
}

type stageKind uint8

const (
	stFilter stageKind = iota
	stFields           // fields and display: compute and set
	stParse
	stLookup // row-local like the kinds above: runs in the scan workers
	stSort
	stLimit
	stDedup
	stStats
	stRows // a rowsStage (exec_rowstage.go)
)

type proj struct {
	name string
	fn   evalFn
}

type stage struct {
	kind  stageKind
	cond  evalFn
	expr  query.Expr // stFilter: what cond was compiled from
	projs []proj
	parse *parsePlan
	keys  []sortKey
	n     int
	dedup []evalFn
	stats *statsPlan
	rows  rowsStage

	lookup *lookupPlan
	index  *indexFilter // filterIndex (kind stFilter)
}

type parsePlan struct {
	src   evalFn
	re    *regexp.Regexp
	names []string
	idx   []int
}

// plan is a compiled query: pre runs on each event in the scan workers;
// stats (when the first blocking command is stats) aggregates per worker;
// rest runs on the merged rows.
type plan struct {
	env      *fieldEnv
	pre      []stage
	stats    *statsPlan
	rest     []stage
	cols     []string // result columns; nil: the default
	required []string
	// requiredExact: the first stage is the filter required comes from and
	// tests nothing else.
	requiredExact bool
	topK          int // > 0: workers may keep only the first topK rows by rest[0]'s keys
	// timeOrder: the block order that lets a top-k scan stop early.
	timeOrder logstore.ScanOrder
	// timeRedefined: fields or display gives @timestamp another value.
	timeRedefined bool
	// statsOut: the stats rows Run can return (exec_statsspill.go).
	statsOut statsOut
}

// defaultCols are the columns of a query without fields, display or stats.
// GetQueryResults returns "only the fields requested in the query ...
// along with a @ptr field"; with none requested we return the system
// fields that identify the event (our decision).
var defaultCols = []string{"@timestamp", "@message", "@logStream", "@log"}

func compilePlan(q *query.Query, account string, fenv *funcs.Env) (*plan, error) {
	p := &plan{env: &fieldEnv{account: account, want: map[string]bool{}, prefix: map[string]bool{}}}
	c := &compiler{env: p.env, fenv: fenv}
	var stages []stage
	hasSort, hasStats := false, false
	var cols []string
	addCol := func(n string) {
		if !slices.Contains(cols, n) {
			cols = append(cols, n)
		}
	}
	for _, cmd := range q.Commands {
		var s stage
		switch cmd := cmd.(type) {
		case *query.FilterCmd:
			fn, err := c.compile(cmd.Cond)
			if err != nil {
				return nil, err
			}
			s = stage{kind: stFilter, cond: fn, expr: cmd.Cond}
		case *query.FieldsCmd, *query.DisplayCmd:
			var ps []query.Projection
			if f, ok := cmd.(*query.FieldsCmd); ok {
				ps = f.Exprs
			} else {
				ps = cmd.(*query.DisplayCmd).Exprs
				cols = []string{}
			}
			s = stage{kind: stFields}
			for _, pr := range ps {
				fn, err := c.compile(pr.Expr)
				if err != nil {
					return nil, err
				}
				s.projs = append(s.projs, proj{pr.Name(), fn})
				if pr.Name() == "@timestamp" && !isTimestamp(pr.Expr) {
					p.timeRedefined = true
				}
				addCol(pr.Name())
			}
		case *query.ParseCmd:
			pp, err := compileParse(c, cmd)
			if err != nil {
				return nil, err
			}
			s = stage{kind: stParse, parse: pp}
			if cmd.Multi {
				s = stage{kind: stRows, rows: parseMultiStage{pp}}
			}
		case *query.SortCmd:
			s = stage{kind: stSort}
			for _, k := range cmd.Keys {
				fn, err := c.compile(k.Expr)
				if err != nil {
					return nil, err
				}
				// Without asc or desc we sort ascending (our decision: the
				// guide writes the order in every example).
				s.keys = append(s.keys, sortKey{fn: fn, desc: k.Order == query.SortDesc, ts: isTimestamp(k.Expr)})
			}
			hasSort = true
		case *query.LimitCmd:
			s = stage{kind: stLimit, n: cmd.N}
		case *query.DedupCmd:
			s = stage{kind: stDedup}
			for _, f := range cmd.Fields {
				s.dedup = append(s.dedup, c.fieldRef(f))
			}
		case *query.StatsCmd:
			sp, err := compileStats(c, cmd)
			if err != nil {
				return nil, err
			}
			s = stage{kind: stStats, stats: sp}
			hasStats = true
			cols = append(append([]string{}, sp.byNames...), sp.itemNames...)
		case *query.UnnestCmd:
			s = compileUnnest(c, cmd)
		case *query.UnmaskCmd:
			s = compileUnmask(cmd)
		case *query.AddTotalsCmd:
			s, cols = addTotalsStage(c, cmd, cols)
		case *query.JoinCmd:
			var err error
			if s, err = joinStageOf(c, cmd); err != nil {
				return nil, err
			}
		case *query.LookupCmd:
			s, cols = lookupStage(c, cmd, cols)
		case *query.FilterIndexCmd:
			fi, err := compileFilterIndex(c, cmd)
			if err != nil {
				return nil, err
			}
			s = stage{kind: stFilter, cond: fi.eval, index: fi}
		case *query.PatternCmd:
			var err error
			if s, err = compilePattern(c, cmd); err != nil {
				return nil, err
			}
			hasStats, cols = true, slices.Clone(patternCols) // pattern rows are aggregates, like stats rows
		case *query.DiffCmd:
			if err := attachDiff(stages, cmd); err != nil {
				return nil, err
			}
			cols = append(cols, diffCols...)
			continue
		case *query.LogCompareCmd:
			var err error
			if s, err = compileLogCompare(c, stages, cmd); err != nil {
				return nil, err
			}
			hasStats, cols = true, append(slices.Clone(patternCols), diffCols...)
		case *query.AnomalyCmd:
			added, implicit, err := compileAnomaly(c, stages, cmd)
			if err != nil {
				return nil, err
			}
			if implicit {
				cols = slices.Clone(patternCols)
			}
			hasStats, cols = true, append(cols, anomalyCols...)
			stages, s = append(stages, added[:len(added)-1]...), added[len(added)-1]
		default:
			return nil, &UnsupportedError{Msg: fmt.Sprintf("The command '%s' is not supported by Vigil yet.", cmd.Name()), Pos: cmd.Start()}
		}
		stages = append(stages, s)
	}
	if q.Source != nil {
		// The caller resolves SOURCE into Spec.Groups; nothing to do here.
		_ = q.Source
	}
	p.cols = cols
	i := 0
	for i < len(stages) && stages[i].kind <= stLookup {
		i++
	}
	p.pre, p.rest = stages[:i], stages[i:]
	if len(p.rest) > 0 && p.rest[0].kind == stStats {
		p.stats = p.rest[0].stats
		p.rest = p.rest[1:]
	}
	if !hasStats {
		// Event results come newest first unless the query sorts them
		// (our decision, matching the console's default query).
		if !hasSort {
			ts := &query.FieldRef{Path: []query.PathElem{{Name: "@timestamp"}}}
			p.rest = append([]stage{{kind: stSort, keys: []sortKey{{fn: c.fieldRef(ts), desc: true, ts: true}}}}, p.rest...)
		}
		p.topK = topK(p.rest)
		p.timeOrder = timeOrder(p)
	}
	p.required, p.requiredExact = requiredSubstrings(q)
	return p, nil
}

// timeOrder: for a top-k plan sorted first by the events' @timestamp
// (which no row-local stage redefines), the direction blocks are best read
// in (logstore.NewestFirst or OldestFirst) so that the scan can skip the
// blocks that cannot reach the top k; else logstore.AnyOrder.
func timeOrder(p *plan) logstore.ScanOrder {
	if p.topK == 0 || !p.rest[0].keys[0].ts {
		return logstore.AnyOrder
	}
	if p.timeRedefined {
		return logstore.AnyOrder
	}
	for _, s := range p.pre {
		switch s.kind {
		case stFilter, stFields:
		case stParse:
			if slices.Contains(s.parse.names, "@timestamp") {
				return logstore.AnyOrder
			}
		default:
			return logstore.AnyOrder
		}
	}
	if p.rest[0].keys[0].desc {
		return logstore.NewestFirst
	}
	return logstore.OldestFirst
}

func isTimestamp(e query.Expr) bool {
	f, ok := e.(*query.FieldRef)
	return ok && f.Name() == "@timestamp"
}

// topK: when rest is a sort followed only by limits and projections, a
// worker need keep only the first MaxResults (or limit) rows in sort order.
func topK(rest []stage) int {
	if len(rest) == 0 || rest[0].kind != stSort {
		return 0
	}
	k := MaxResults
	for _, s := range rest[1:] {
		switch s.kind {
		case stLimit:
			k = min(k, s.n)
		case stFields:
		default:
			return 0
		}
	}
	return k
}

func compileParse(c *compiler, cmd *query.ParseCmd) (*parsePlan, error) {
	src := &query.FieldRef{Pos: cmd.Pos, Path: []query.PathElem{{Name: "@message"}}}
	if cmd.Field != nil {
		src = cmd.Field
	}
	pp := &parsePlan{src: c.fieldRef(src), names: cmd.Names}
	if cmd.Mode == query.ParseRegex {
		pp.re = cmd.Regex
		for _, n := range cmd.Names {
			pp.idx = append(pp.idx, pp.re.SubexpIndex(n))
		}
		return pp, nil
	}
	// A glob: literal text with * capturing, shortest match each, except a
	// trailing * which takes the rest of the value.
	parts := strings.Split(cmd.Pattern, "*")
	var b strings.Builder
	b.WriteString("(?s)")
	for i, part := range parts {
		if i > 0 {
			if i == len(parts)-1 && part == "" {
				b.WriteString("(.*)")
			} else {
				b.WriteString("(.*?)")
			}
		}
		b.WriteString(regexp.QuoteMeta(part))
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, &UnsupportedError{Msg: err.Error(), Pos: cmd.Pos}
	}
	pp.re = re
	for i := range cmd.Names {
		pp.idx = append(pp.idx, i+1)
	}
	return pp, nil
}

// requiredSubstrings: literals every matching message must contain, from a
// leading filter of @message like "text" (or a plain-literal /regex/),
// joined by and. Like is case-sensitive, so the literal must occur. exact:
// the filter is nothing else, so a message passes it exactly when it holds
// every literal.
func requiredSubstrings(q *query.Query) (subs []string, exact bool) {
	if len(q.Commands) == 0 {
		return nil, false
	}
	f, ok := q.Commands[0].(*query.FilterCmd)
	if !ok {
		return nil, false
	}
	exact = true
	var walk func(e query.Expr)
	walk = func(e query.Expr) {
		if b, ok := e.(*query.Binary); ok && b.Op == query.OpAnd {
			walk(b.L)
			walk(b.R)
			return
		}
		if lit, ok := likeLiteral(e); ok {
			subs = append(subs, lit)
		} else {
			exact = false
		}
	}
	walk(f.Cond)
	return subs, exact
}

// likeLiteral returns the text of `@message like "text"` or of a
// case-sensitive plain-literal regular expression.
func likeLiteral(e query.Expr) (string, bool) {
	l, ok := e.(*query.Like)
	if !ok {
		return "", false
	}
	fr, ok := l.X.(*query.FieldRef)
	if l.Not || !ok || fr.Name() != "@message" {
		return "", false
	}
	switch p := l.Pattern.(type) {
	case *query.StringLit:
		return p.Value, true
	case *query.RegexLit:
		if re, err := syntax.Parse(p.Source, syntax.Perl); err == nil {
			re = re.Simplify()
			if re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase == 0 {
				return string(re.Rune), true
			}
		}
	}
	return "", false
}

// runRow applies row-local stages; false when a filter dropped the row.
func runRow(stages []stage, r *row) bool {
	for i := range stages {
		s := &stages[i]
		switch s.kind {
		case stFilter:
			if !funcs.Truthy(s.cond(r, nil)) {
				return false
			}
		case stFields:
			for _, pr := range s.projs {
				r.set(pr.name, pr.fn(r, nil))
			}
		case stParse:
			v := s.parse.src(r, nil)
			if v.IsNull() {
				continue
			}
			m := s.parse.re.FindStringSubmatchIndex(v.String())
			if m == nil {
				continue
			}
			text := v.String()
			for j, n := range s.parse.names {
				k := s.parse.idx[j]
				if k < 0 || m[2*k] < 0 {
					continue
				}
				r.set(n, funcs.Str(text[m[2*k]:m[2*k+1]]))
			}
		case stLookup:
			s.lookup.apply(r)
		}
	}
	return true
}

// applyRest runs stages over a row set. Rows are cloned before they are
// changed, so the input may be shared.
func applyRest(stages []stage, rows []*row) []*row {
	for i := range stages {
		s := &stages[i]
		switch s.kind {
		case stFilter, stFields, stParse, stLookup:
			out := rows[:0:0]
			for _, r := range rows {
				c := r
				if s.kind != stFilter {
					c = r.clone()
				}
				if runRow(stages[i:i+1], c) {
					out = append(out, c)
				}
			}
			rows = out
		case stSort:
			rows = slices.Clone(rows)
			sortRows(rows, s.keys)
		case stLimit:
			if len(rows) > s.n {
				rows = rows[:s.n]
			}
		case stDedup:
			// One row per distinct combination, the first in the current
			// order; a row with a null key is never a duplicate
			// (CWL_QuerySyntax-Dedup).
			seen := map[string]bool{}
			out := rows[:0:0]
			var buf []byte
			for _, r := range rows {
				buf = buf[:0]
				null := false
				for _, fn := range s.dedup {
					v := fn(r, nil)
					null = null || v.IsNull()
					buf = append(v.AppendTo(append(buf, byte(v.Kind()))), 0xff)
				}
				if !null {
					if seen[string(buf)] {
						continue
					}
					seen[string(buf)] = true
				}
				out = append(out, r)
			}
			rows = out
		case stStats:
			st := newStatsState(s.stats)
			for _, r := range rows {
				st.add(r)
			}
			rows = st.rows()
		case stRows:
			rows = s.rows.apply(rows)
		}
	}
	return rows
}

type sortKey struct {
	fn   evalFn
	desc bool
	ts   bool // the key is the event's @timestamp
}

// compareValues orders two values for sort: numbers (and numeric strings,
// timestamps) numerically when both have a numeric view, otherwise by
// printed text. Nulls are handled by the caller.
func compareValues(a, b funcs.Value) int {
	if x, ok := a.Number(); ok {
		if y, ok := b.Number(); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(a.String(), b.String())
}

// sortRows sorts by keys; rows missing a key's value come last in either
// direction; ties keep event order (seq), so results are deterministic.
func sortRows(rows []*row, keys []sortKey) {
	type keyed struct {
		r *row
		v []funcs.Value
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		vs := make([]funcs.Value, len(keys))
		for j, k := range keys {
			vs[j] = k.fn(r, nil)
		}
		ks[i] = keyed{r, vs}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		for j, k := range keys {
			x, y := a.v[j], b.v[j]
			switch {
			case x.IsNull() && y.IsNull():
				continue
			case x.IsNull():
				return 1
			case y.IsNull():
				return -1
			}
			c := compareValues(x, y)
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		switch {
		case a.r.seq < b.r.seq:
			return -1
		case a.r.seq > b.r.seq:
			return 1
		}
		return 0
	})
	for i := range ks {
		rows[i] = ks[i].r
	}
}

// Run executes spec. It implements Executor.
func (e *Engine) Run(ctx context.Context, spec Spec, partial func([]Row, Stats)) ([]Row, Stats, error) {
	if spec.Query == nil {
		return nil, Stats{}, fmt.Errorf("insights: no query")
	}
	fenv := &funcs.Env{Now: e.clock.Now(), Start: time.UnixMilli(spec.Start).UTC(), End: time.UnixMilli(spec.End).UTC()}
	p, err := compilePlan(spec.Query, spec.Partition.Account, fenv)
	if err != nil {
		return nil, Stats{}, err
	}
	prep, err := e.prepare(ctx, spec, p)
	if err != nil {
		return nil, Stats{}, err
	}
	stats := func(st Stats) Stats {
		st = prep.add(st) // the subqueries' scans count in the query's statistics
		st.LogGroupsScanned = float64(len(spec.Groups))
		return st
	}
	limit := MaxResults
	if spec.Limit > 0 {
		limit = min(spec.Limit, MaxResults)
	}
	finish := func(rows []*row) []Row {
		rows = applyRest(p.rest, rows)
		if len(rows) > limit {
			rows = rows[:limit]
		}
		return p.output(rows)
	}
	var progress func(kept func() []*row, st Stats)
	if partial != nil && p.stats == nil {
		var lastPartial atomic.Int64
		lastPartial.Store(time.Now().UnixNano())
		progress = func(kept func() []*row, st Stats) {
			last := lastPartial.Load()
			if now := time.Now().UnixNano(); now-last >= int64(partialEvery) && lastPartial.CompareAndSwap(last, now) {
				partial(finish(kept()), stats(st))
			}
		}
	}
	p.statsOut = statsOutBound(p.rest, limit)
	rows, st, err := e.scan(ctx, spec, p, progress)
	if err != nil {
		return nil, stats(st), err
	}
	return finish(rows), stats(st), nil
}

// prepare readies a compiled plan for spec: it binds the account's data
// and runs the subqueries the plan needs first (diff's comparison window,
// join's right side), whose statistics it returns.
func (e *Engine) prepare(ctx context.Context, spec Spec, p *plan) (Stats, error) {
	if err := p.bind(spec); err != nil {
		return Stats{}, err
	}
	compared, err := e.prepareDiff(ctx, spec, p)
	if err != nil {
		return Stats{}, err
	}
	joined, err := e.prepareJoins(ctx, spec, p)
	if err != nil {
		return Stats{}, err
	}
	return compared.add(joined), nil
}

// output turns rows into result rows: the query's columns (null cells
// omitted) and, for event rows, @ptr.
func (p *plan) output(rows []*row) []Row {
	cols := p.cols
	if cols == nil {
		cols = defaultCols
	}
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		res := make(Row, 0, len(cols)+1)
		for _, c := range cols {
			v := r.field(p.env, c, c)
			if v.IsNull() {
				continue
			}
			res = append(res, Field{Name: c, Value: v.String()})
		}
		if r.hasEvent && !slices.Contains(cols, "@ptr") {
			res = append(res, Field{Name: "@ptr", Value: r.field(p.env, "@ptr", "@ptr").String()})
		}
		out = append(out, res)
	}
	return out
}
