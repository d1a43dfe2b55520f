package metricmath

import (
	"context"
	"math"
	"slices"
	"time"
)

// Eval evaluates e against env. The result is a series or an array of
// series; a scalar final result is an error, as in CloudWatch ("The final
// result of any math expression must be a single time series or an array of
// time series"). Errors are *Error, except that a context error or an error
// from env.Search is returned wrapped in an *Error positioned at the SEARCH.
func Eval(ctx context.Context, e *Expr, env Env) (Result, error) {
	ev := &evaluator{ctx: ctx, env: env}
	v, err := ev.eval(e.Root)
	if err != nil {
		return Result{}, err
	}
	switch v.kind {
	case KindSeries:
		return Result{Kind: KindSeries, Series: v.ts.export()}, nil
	case KindArray:
		out := make([]Series, len(v.arr))
		for i, s := range v.arr {
			out[i] = s.export()
		}
		return Result{Kind: KindArray, Array: out}, nil
	}
	return Result{}, errorf(e.Root.Pos(), "The expression returns a scalar; the final result of a math expression must be a time series or an array of time series")
}

type evaluator struct {
	ctx context.Context
	env Env
}

func (ev *evaluator) eval(n Node) (val, *Error) {
	switch n := n.(type) {
	case *Number:
		return scalarVal(n.Value), nil
	case *Ident:
		r, ok := ev.env.Metric(n.Name)
		if !ok {
			return val{}, errorf(n.P, "Unrecognized metric or expression id %s", n.Name)
		}
		v, ok := fromResult(r)
		if !ok {
			return val{}, errorf(n.P, "The id %s has no result", n.Name)
		}
		return v, nil
	case *Array:
		return ev.evalArray(n)
	case *Unary:
		x, err := ev.eval(n.X)
		if err != nil {
			return val{}, err
		}
		if n.Op == "-" {
			return mapValue(x, func(f float64) float64 { return -f }), nil
		}
		return mapValue(x, func(f float64) float64 { return b2f(f == 0) }), nil
	case *Binary:
		return ev.evalBinary(n)
	case *Call:
		if err := ev.ctx.Err(); err != nil {
			return val{}, errorf(n.P, "Evaluation stopped: %v", err)
		}
		return ev.call(n)
	case *Keyword:
		return val{}, errorf(n.P, "Unexpected keyword %s", n.Name)
	case *StringLit:
		return val{}, errorf(n.P, "Unexpected string %q", n.Value)
	}
	return val{}, errorf(n.Pos(), "Unexpected expression")
}

// evalArray builds an array from [a, b, …]: each element is a series or an
// array (flattened, so [METRICS("4xx"), METRICS("5xx")] works).
func (ev *evaluator) evalArray(n *Array) (val, *Error) {
	var out []*series
	for _, e := range n.Elems {
		v, err := ev.eval(e)
		if err != nil {
			return val{}, err
		}
		switch v.kind {
		case KindSeries:
			out = append(out, v.ts)
		case KindArray:
			out = append(out, v.arr...)
		default:
			return val{}, errorf(e.Pos(), "An array can contain only time series, not a scalar")
		}
	}
	return arrayVal(out), nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// binop returns the result of one operator on two values; a non-finite
// result (division by zero, overflow, 0^-1 …) is dropped by the callers.
func binop(op string) func(a, b float64) float64 {
	switch op {
	case "+":
		return func(a, b float64) float64 { return a + b }
	case "-":
		return func(a, b float64) float64 { return a - b }
	case "*":
		return func(a, b float64) float64 { return a * b }
	case "/":
		return func(a, b float64) float64 {
			if b == 0 {
				return math.NaN()
			}
			return a / b
		}
	case "^":
		return math.Pow
	case "==":
		return func(a, b float64) float64 { return b2f(a == b) }
	case "!=":
		return func(a, b float64) float64 { return b2f(a != b) }
	case "<":
		return func(a, b float64) float64 { return b2f(a < b) }
	case "<=":
		return func(a, b float64) float64 { return b2f(a <= b) }
	case ">":
		return func(a, b float64) float64 { return b2f(a > b) }
	case ">=":
		return func(a, b float64) float64 { return b2f(a >= b) }
	case "AND":
		return func(a, b float64) float64 { return b2f(a != 0 && b != 0) }
	case "OR":
		return func(a, b float64) float64 { return b2f(a != 0 || b != 0) }
	}
	return nil
}

func (ev *evaluator) evalBinary(n *Binary) (val, *Error) {
	l, err := ev.eval(n.L)
	if err != nil {
		return val{}, err
	}
	r, err := ev.eval(n.R)
	if err != nil {
		return val{}, err
	}
	f := binop(n.Op)
	switch {
	case l.kind == KindScalar && r.kind == KindScalar:
		return scalarVal(f(l.scalar, r.scalar)), nil
	case l.kind == KindSeries && r.kind == KindSeries:
		out := combine(l.ts, r.ts, f)
		out.label, out.props = "", nil
		return seriesVal(out), nil
	case l.kind == KindSeries && r.kind == KindScalar:
		return seriesVal(mapSeries(l.ts, func(x float64) float64 { return f(x, r.scalar) })), nil
	case l.kind == KindScalar && r.kind == KindSeries:
		return seriesVal(mapSeries(r.ts, func(x float64) float64 { return f(l.scalar, x) })), nil
	case l.kind == KindArray && r.kind == KindArray:
		return val{}, errorf(n.P, "The operator %s cannot combine two arrays of time series", n.Op)
	case l.kind == KindArray:
		out := make([]*series, len(l.arr))
		for i, s := range l.arr {
			if r.kind == KindScalar {
				out[i] = mapSeries(s, func(x float64) float64 { return f(x, r.scalar) })
			} else {
				out[i] = combine(s, r.ts, f)
			}
		}
		return arrayVal(out), nil
	default: // r is an array
		out := make([]*series, len(r.arr))
		for i, s := range r.arr {
			if l.kind == KindScalar {
				out[i] = mapSeries(s, func(x float64) float64 { return f(l.scalar, x) })
			} else {
				out[i] = combine(l.ts, s, f)
				out[i].label, out[i].props = s.label, s.props
			}
		}
		return arrayVal(out), nil
	}
}

// mapValue applies f to a scalar, each point of a series, or each series of
// an array.
func mapValue(v val, f func(float64) float64) val {
	switch v.kind {
	case KindScalar:
		return scalarVal(f(v.scalar))
	case KindSeries:
		return seriesVal(mapSeries(v.ts, f))
	}
	out := make([]*series, len(v.arr))
	for i, s := range v.arr {
		out[i] = mapSeries(s, f)
	}
	return arrayVal(out)
}

// mapSeries applies f to every point, dropping non-finite results. The
// result keeps the label, properties and period of s.
func mapSeries(s *series, f func(float64) float64) *series {
	out := s.derive()
	out.t = make([]int64, 0, len(s.t))
	out.v = make([]float64, 0, len(s.v))
	for i, x := range s.v {
		y := f(x)
		if y == 0 {
			y = 0 // no negative zero in results
		}
		if finite(y) {
			out.t = append(out.t, s.t[i])
			out.v = append(out.v, y)
		}
	}
	return out
}

// combine applies f over the union of the timestamps of a and b, a missing
// value counting as 0. The result keeps a's label, properties and period.
func combine(a, b *series, f func(x, y float64) float64) *series {
	out := a.derive()
	if out.period == 0 {
		out.period = b.period
	}
	out.t = make([]int64, 0, max(len(a.t), len(b.t)))
	out.v = make([]float64, 0, max(len(a.t), len(b.t)))
	emit := func(t int64, y float64) {
		if y == 0 {
			y = 0 // no negative zero in results
		}
		if finite(y) {
			out.t = append(out.t, t)
			out.v = append(out.v, y)
		}
	}
	if slices.Equal(a.t, b.t) {
		for i, t := range a.t {
			emit(t, f(a.v[i], b.v[i]))
		}
		return out
	}
	i, j := 0, 0
	for i < len(a.t) || j < len(b.t) {
		switch {
		case j >= len(b.t) || i < len(a.t) && a.t[i] < b.t[j]:
			emit(a.t[i], f(a.v[i], 0))
			i++
		case i >= len(a.t) || b.t[j] < a.t[i]:
			emit(b.t[j], f(0, b.v[j]))
			j++
		default:
			emit(a.t[i], f(a.v[i], b.v[j]))
			i++
			j++
		}
	}
	return out
}

// unionTimes returns the sorted union of the timestamps of ss.
func unionTimes(ss []*series) []int64 {
	if len(ss) == 0 {
		return nil
	}
	first := ss[0].t
	same := true
	for _, s := range ss[1:] {
		if !slices.Equal(s.t, first) {
			same = false
			break
		}
	}
	if same {
		return first
	}
	n := 0
	for _, s := range ss {
		n += len(s.t)
	}
	all := make([]int64, 0, n)
	for _, s := range ss {
		all = append(all, s.t...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// periodOf is the step of s for non-sparse functions.
func (ev *evaluator) periodOf(s *series) time.Duration {
	if s != nil && s.period > 0 {
		return s.period
	}
	return ev.env.Period()
}

// grid returns Start + k*period for every k >= 0 with the time before End.
func (ev *evaluator) grid(period time.Duration) []int64 {
	if period <= 0 {
		return nil
	}
	start, end := ev.env.Start().UnixNano(), ev.env.End().UnixNano()
	if end <= start {
		return nil
	}
	n := (end - start + int64(period) - 1) / int64(period)
	if n > maxGridPoints {
		n = maxGridPoints
	}
	out := make([]int64, n)
	for k := range out {
		out[k] = start + int64(k)*int64(period)
	}
	return out
}

// maxGridPoints caps non-sparse results (GetMetricData returns at most
// 100,800 datapoints per call).
const maxGridPoints = 100800
