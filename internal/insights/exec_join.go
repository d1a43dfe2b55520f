package insights

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// joinStage is "join [type=inner|left] left=L right=R where L.f = R.g
// [and ...] (SOURCE ... [| commands])" (CWL_QuerySyntax-Join): the rows so
// far (L) combined with the result rows of the subquery (R) whose key
// fields are equal. inner "returns only matching records", left "all
// records from the primary data source and matching records from the
// secondary". After the join, L.x is field x of the left row and R.x field
// x of the right row.
//
// The subquery is a query of its own: it reads the log groups of its
// SOURCE (Spec.JoinGroups, or the groups it names) over the query's time
// range, runs its commands, and its rows are indexed before the main scan.
//
// Our decisions where the guide is silent:
//   - Keys are equal when their printed values are (200 and "200" match); a
//     row with a missing key field matches nothing (left keeps it alone).
//   - A left row matching several right rows gives one row per match, in
//     the subquery's result order.
//   - A field without an alias is the left row's (so @timestamp, @message
//     and @ptr are the left event's); the right row's fields are reached
//     only through R.
//   - SOURCE time options (start=, end=) are not supported in subqueries.
type joinStage struct {
	q     *query.Query // the subquery
	sub   *plan
	outer bool // type=left
	// The key fields of each side, pairwise.
	leftKeys, rightKeys []evalFn
	// The fields named L.x and R.x after the join, set on each joined row.
	leftRefs, rightRefs []aliasRef

	// The subquery's rows by key, each as the values of rightRefs; set by
	// prepareJoins before the scan and read-only after.
	index map[string][][]funcs.Value
}

// aliasRef is a field named through a join alias: name as written (R.x)
// and the field on its side (x).
type aliasRef struct {
	name string
	fn   evalFn
}

func joinStageOf(c *compiler, cmd *query.JoinCmd) (stage, error) {
	for _, g := range cmd.Sub.Source.Groups {
		if len(g.Options) > 0 {
			return stage{}, errAt(cmd.Sub.Source.Pos, "Options of log groups in SOURCE are not supported by Vigil yet.")
		}
	}
	sub, err := compilePlan(cmd.Sub, c.env.account, c.fenv)
	if err != nil {
		return stage{}, err
	}
	j := &joinStage{q: cmd.Sub, sub: sub, outer: cmd.Type == "left"}
	left := &compiler{env: c.env, fenv: c.fenv}
	right := &compiler{env: sub.env, fenv: c.fenv}
	for _, eq := range equalities(cmd.On) {
		l, r := eq.L.(*query.FieldRef), eq.R.(*query.FieldRef)
		if l.Path[0].Name == cmd.Right {
			l, r = r, l
		}
		j.leftKeys = append(j.leftKeys, left.fieldRef(unaliased(l)))
		j.rightKeys = append(j.rightKeys, right.fieldRef(unaliased(r)))
	}
	// Every field the rest of the query names through an alias is set on
	// the joined rows; the hook sees them as the later commands compile.
	seen := map[string]bool{}
	c.onRef = append(c.onRef, func(f *query.FieldRef) {
		if len(f.Path) < 2 || f.Path[0].IsIndex || seen[f.Name()] {
			return
		}
		switch f.Path[0].Name {
		case cmd.Left:
			j.leftRefs = append(j.leftRefs, aliasRef{f.Name(), left.fieldRef(unaliased(f))})
		case cmd.Right:
			j.rightRefs = append(j.rightRefs, aliasRef{f.Name(), right.fieldRef(unaliased(f))})
		default:
			return
		}
		seen[f.Name()] = true
	})
	return stage{kind: stRows, rows: j}, nil
}

// equalities lists the a.f = b.g comparisons of a join condition joined by
// and (the parser accepts no other form).
func equalities(e query.Expr) []*query.Binary {
	b := e.(*query.Binary)
	if b.Op == query.OpAnd {
		return append(equalities(b.L), equalities(b.R)...)
	}
	return []*query.Binary{b}
}

// unaliased is f without its alias: R.a.b is a.b.
func unaliased(f *query.FieldRef) *query.FieldRef {
	return &query.FieldRef{Pos: f.Pos, Path: f.Path[1:]}
}

// joinKey appends the key of r (each value's printed form, length-prefixed)
// to buf; false when a key field is missing.
func joinKey(buf []byte, r *row, keys []evalFn) ([]byte, bool) {
	for _, fn := range keys {
		v := fn(r, nil)
		if v.IsNull() {
			return buf, false
		}
		s := v.String()
		buf = append(binary.AppendUvarint(buf, uint64(len(s))), s...)
	}
	return buf, true
}

// build indexes the subquery's result rows.
func (j *joinStage) build(rows []*row) {
	j.index = map[string][][]funcs.Value{}
	var buf []byte
	for _, r := range rows {
		k, ok := joinKey(buf[:0], r, j.rightKeys)
		buf = k
		if !ok {
			continue
		}
		vals := make([]funcs.Value, len(j.rightRefs))
		for i, ref := range j.rightRefs {
			vals[i] = ref.fn(r, nil)
		}
		j.index[string(k)] = append(j.index[string(k)], vals)
	}
}

func (j *joinStage) apply(rows []*row) []*row {
	out := make([]*row, 0, len(rows))
	var buf []byte
	for _, l := range rows {
		var matches [][]funcs.Value
		if k, ok := joinKey(buf[:0], l, j.leftKeys); ok {
			matches, buf = j.index[string(k)], k
		}
		for _, m := range matches {
			out = append(out, j.joined(l, m))
		}
		if len(matches) == 0 && j.outer {
			out = append(out, j.joined(l, nil))
		}
	}
	return out
}

// joined is l with the aliased fields set: the right ones from right (the
// values of rightRefs), or missing when there is no right row.
func (j *joinStage) joined(l *row, right []funcs.Value) *row {
	c := l.clone()
	for _, ref := range j.leftRefs {
		c.set(ref.name, ref.fn(l, nil))
	}
	for i, ref := range j.rightRefs {
		v := funcs.Null
		if right != nil {
			v = right[i]
		}
		c.set(ref.name, v)
	}
	return c
}

// prepareJoins runs the subquery of each join of p and indexes its rows;
// the statistics are those of the subqueries' scans.
func (e *Engine) prepareJoins(ctx context.Context, spec Spec, p *plan) (Stats, error) {
	var total Stats
	for i := range p.rest {
		j, ok := p.rest[i].rows.(*joinStage)
		if !ok {
			continue
		}
		sub, err := j.spec(spec)
		if err != nil {
			return total, err
		}
		prep, err := e.prepare(ctx, sub, j.sub)
		if err != nil {
			return total, err
		}
		rows, scanned, err := e.scan(ctx, sub, j.sub, nil)
		if err != nil {
			return total, fmt.Errorf("insights: join subquery: %w", err)
		}
		j.build(applyRest(j.sub.rest, rows))
		total = total.add(prep).add(scanned)
	}
	return total, nil
}

// spec is the subquery's own spec: its log groups, the query's time range
// and account data.
func (j *joinStage) spec(spec Spec) (Spec, error) {
	src := j.q.Source
	groups, ok := spec.JoinGroups[src]
	if !ok {
		if src.LogGroups != nil {
			return Spec{}, errAt(src.Pos, "SOURCE logGroups() in a join subquery must be resolved by the caller")
		}
		for _, g := range src.Groups {
			groups = append(groups, g.Name)
		}
	}
	spec.Query, spec.QueryString, spec.Groups = j.q, j.q.String(), groups
	return spec, nil
}
