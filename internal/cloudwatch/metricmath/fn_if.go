package metricmath

// fnIf implements IF(condition, trueValue[, falseValue]) as tabulated in
// "Using IF expressions". A condition value is true when it is not 0.
//
// With a scalar condition the result is trueValue or falseValue (an empty
// series when falseValue is omitted).
//
// With a series condition the result is a series over the condition's
// timestamps only; for each of them:
//   - true: trueValue's value; a scalar as is; a series missing that
//     timestamp gives 0;
//   - false: falseValue's value; omitted, or a series missing that
//     timestamp, drops the point.
//
// Arrays are not accepted (the documented forms take S and TS only).
func (ev *evaluator) fnIf(c *Call) (val, *Error) {
	args := make([]val, len(c.Args))
	for i, a := range c.Args {
		v, err := ev.eval(a)
		if err != nil {
			return val{}, err
		}
		if err := wantKinds(c, i, v, KindScalar, KindSeries); err != nil {
			return val{}, err
		}
		args[i] = v
	}
	cond := args[0]
	if cond.kind == KindScalar {
		if cond.scalar != 0 && finite(cond.scalar) {
			return args[1], nil
		}
		if len(args) == 3 {
			return args[2], nil
		}
		return seriesVal(&series{}), nil
	}
	out := &series{period: cond.ts.period}
	pick := func(v val, t int64, missing float64) float64 {
		if v.kind == KindScalar {
			return v.scalar
		}
		if y, ok := lookup(v.ts, t); ok {
			return y
		}
		return missing
	}
	var nan = nanValue
	for i, t := range cond.ts.t {
		var y float64
		if cond.ts.v[i] != 0 {
			y = pick(args[1], t, 0)
		} else if len(args) == 3 {
			y = pick(args[2], t, nan)
		} else {
			continue
		}
		if finite(y) {
			out.t = append(out.t, t)
			out.v = append(out.v, y)
		}
	}
	// A single-series result keeps the label of the value it mostly
	// reflects: the true branch when it is a series.
	if args[1].kind == KindSeries {
		out.label, out.props = args[1].ts.label, args[1].ts.props
	}
	return seriesVal(out), nil
}

// lookup finds the value of s at t (binary search).
func lookup(s *series, t int64) (float64, bool) {
	lo, hi := 0, len(s.t)
	for lo < hi {
		m := (lo + hi) / 2
		if s.t[m] < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(s.t) && s.t[lo] == t {
		return s.v[lo], true
	}
	return 0, false
}
