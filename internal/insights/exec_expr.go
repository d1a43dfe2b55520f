package insights

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/insights/funcs"
	"github.com/vigilhq/vigil/internal/insights/query"
)

// evalFn evaluates an expression on a row. aggs holds the results of the
// aggregate calls of a stats item (nil elsewhere).
type evalFn func(r *row, aggs []funcs.Value) funcs.Value

// compiler turns query expressions into evalFns. In a stats item, aggregate
// calls become slots filled by the aggregation (onAgg allocates them).
type compiler struct {
	env   *fieldEnv
	fenv  *funcs.Env
	onAgg func(c *query.Call) (int, error)
	onRef []func(f *query.FieldRef) // called with every field reference compiled (join)
}

func errAt(pos int, format string, args ...any) error {
	return &UnsupportedError{Msg: fmt.Sprintf(format, args...), Pos: pos}
}

// flatName is a field path with [n] indexes written as .n.
func flatName(f *query.FieldRef) string {
	var b strings.Builder
	for i, e := range f.Path {
		if i > 0 {
			b.WriteByte('.')
		}
		if e.IsIndex {
			b.WriteString(strconv.Itoa(e.Index))
		} else {
			b.WriteString(e.Name)
		}
	}
	return b.String()
}

func (c *compiler) want(flat string) {
	c.env.want[flat] = true
	for i := 0; i < len(flat); i++ {
		if flat[i] == '.' {
			c.env.prefix[flat[:i]] = true
		}
	}
}

func (c *compiler) fieldRef(f *query.FieldRef) evalFn {
	for _, fn := range c.onRef {
		fn(f)
	}
	name, flat := f.Name(), flatName(f)
	c.want(flat)
	path := f.Path
	env := c.env
	if len(path) < 2 || path[0].IsIndex {
		return func(r *row, _ []funcs.Value) funcs.Value { return r.field(env, name, flat) }
	}
	// a.b: the field "a.b" (flattened JSON, or an alias), else member b of
	// a map-valued field a (jsonParse).
	head := path[0].Name
	rest := path[1:]
	return func(r *row, _ []funcs.Value) funcs.Value {
		if v := r.field(env, name, flat); !v.IsNull() {
			return v
		}
		v := r.field(env, head, head)
		for _, e := range rest {
			if v.IsNull() {
				return v
			}
			if e.IsIndex {
				v = v.Index(e.Index)
			} else {
				v = v.Get(e.Name)
			}
		}
		return v
	}
}

var cmpOps = map[query.BinaryOp]funcs.CmpOp{
	query.OpEq: funcs.OpEq, query.OpNe: funcs.OpNe, query.OpLt: funcs.OpLt,
	query.OpLe: funcs.OpLe, query.OpGt: funcs.OpGt, query.OpGe: funcs.OpGe,
}

var arithOps = map[query.BinaryOp]funcs.ArithOp{
	query.OpAdd: funcs.OpAdd, query.OpSub: funcs.OpSub, query.OpMul: funcs.OpMul,
	query.OpDiv: funcs.OpDiv, query.OpMod: funcs.OpMod, query.OpPow: funcs.OpPow,
}

func constant(v funcs.Value) evalFn { return func(*row, []funcs.Value) funcs.Value { return v } }

func (c *compiler) compile(e query.Expr) (evalFn, error) {
	switch e := e.(type) {
	case *query.FieldRef:
		return c.fieldRef(e), nil
	case *query.StringLit:
		return constant(funcs.Str(e.Value)), nil
	case *query.NumberLit:
		return constant(funcs.Num(e.Value)), nil
	case *query.DurationLit:
		return constant(funcs.Str(e.Text)), nil
	case *query.RegexLit:
		return nil, errAt(e.Pos, "a regular expression may only follow like or =~")
	case *query.Star:
		return nil, errAt(e.Pos, "* may only be used in count(*)")
	case *query.Binary:
		l, err := c.compile(e.L)
		if err != nil {
			return nil, err
		}
		r, err := c.compile(e.R)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case query.OpAnd:
			return func(x *row, a []funcs.Value) funcs.Value { return funcs.And(l(x, a), r(x, a)) }, nil
		case query.OpOr:
			return func(x *row, a []funcs.Value) funcs.Value { return funcs.Or(l(x, a), r(x, a)) }, nil
		}
		if op, ok := cmpOps[e.Op]; ok {
			return func(x *row, a []funcs.Value) funcs.Value { return funcs.Compare(op, l(x, a), r(x, a)) }, nil
		}
		op := arithOps[e.Op]
		return func(x *row, a []funcs.Value) funcs.Value { return funcs.Arith(op, l(x, a), r(x, a)) }, nil
	case *query.Unary:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		if e.Op == query.OpNot {
			return func(r *row, a []funcs.Value) funcs.Value { return funcs.Not(x(r, a)) }, nil
		}
		return func(r *row, a []funcs.Value) funcs.Value { return funcs.Neg(x(r, a)) }, nil
	case *query.InList:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		list := make([]evalFn, len(e.List))
		for i, le := range e.List {
			if list[i], err = c.compile(le); err != nil {
				return nil, err
			}
		}
		not := e.Not
		return func(r *row, a []funcs.Value) funcs.Value {
			set := make([]funcs.Value, len(list))
			for i, f := range list {
				set[i] = f(r, a)
			}
			v := funcs.In(x(r, a), set)
			if not {
				return funcs.Not(v)
			}
			return v
		}, nil
	case *query.Like:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		var m func(funcs.Value) funcs.Value
		switch p := e.Pattern.(type) {
		case *query.StringLit:
			s := p.Value
			m = func(v funcs.Value) funcs.Value { return funcs.Like(v, s) }
		case *query.RegexLit:
			re, err := funcs.CompileRegex(p.Source)
			if err != nil {
				return nil, errAt(p.Pos, "%v", err)
			}
			m = re.Match
		default:
			return nil, errAt(e.Pos, "like takes a quoted string or a /regular expression/")
		}
		if e.Not {
			return func(r *row, a []funcs.Value) funcs.Value { return funcs.Not(m(x(r, a))) }, nil
		}
		return func(r *row, a []funcs.Value) funcs.Value { return m(x(r, a)) }, nil
	case *query.Call:
		return c.call(e)
	}
	return nil, errAt(e.Start(), "expression %s is not supported by Vigil yet", e)
}

func (c *compiler) call(e *query.Call) (evalFn, error) {
	if e.Func != nil && e.Func.Kind == query.Aggregate {
		if c.onAgg == nil {
			return nil, errAt(e.Pos, "%s may only be used in stats", e.Name)
		}
		slot, err := c.onAgg(e)
		if err != nil {
			return nil, err
		}
		return func(_ *row, a []funcs.Value) funcs.Value { return a[slot] }, nil
	}
	f, ok := funcs.Lookup(e.Name)
	if !ok {
		return nil, errAt(e.Pos, "The function '%s' is not supported by Vigil yet.", e.Name)
	}
	if err := f.CheckArity(len(e.Args)); err != nil {
		return nil, errAt(e.Pos, "%v", err)
	}
	args := make([]evalFn, 0, len(e.Args)+1)
	if f.Implicit != "" {
		implicit := &query.FieldRef{Pos: e.Pos, Path: []query.PathElem{{Name: f.Implicit}}}
		args = append(args, c.fieldRef(implicit))
	}
	lits := make([]funcs.Value, len(e.Args))
	for i, a := range e.Args {
		fn, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		switch a.(type) {
		case *query.StringLit, *query.NumberLit, *query.DurationLit:
			lits[i] = fn(nil, nil)
		}
		args = append(args, fn)
	}
	if f.Check != nil {
		if err := f.Check(lits); err != nil {
			return nil, errAt(e.Pos, "%v", err)
		}
	}
	fenv := c.fenv
	call := f.Call
	if f.Bind != nil {
		if bound := f.Bind(lits); bound != nil {
			call = bound
		}
	}
	return func(r *row, a []funcs.Value) funcs.Value {
		vs := make([]funcs.Value, len(args))
		for i, fn := range args {
			vs[i] = fn(r, a)
		}
		return call(fenv, vs)
	}, nil
}
