package metricmath

import (
	"math"
	"sort"
	"strings"
)

// fnMetrics implements METRICS() and METRICS("substring"): the series of the
// request's MetricStat queries (not expressions), in request order,
// optionally only those whose Id contains the substring (case-sensitive).
func (ev *evaluator) fnMetrics(c *Call) (val, *Error) {
	filter := ""
	if len(c.Args) == 1 {
		filter = c.Args[0].(*StringLit).Value
	}
	var out []*series
	for _, id := range ev.env.MetricIDs() {
		if filter != "" && !strings.Contains(id, filter) {
			continue
		}
		r, ok := ev.env.Metric(id)
		if !ok {
			continue
		}
		v, _ := fromResult(r)
		switch v.kind {
		case KindSeries:
			out = append(out, v.ts)
		case KindArray:
			out = append(out, v.arr...)
		}
	}
	return arrayVal(out), nil
}

// fnArray implements FIRST, LAST (the first/last series of an array; an
// empty array gives an empty series), REMOVE_EMPTY (drops series without
// data points) and METRIC_COUNT (the number of series, a scalar).
func fnArray(c *Call, x val) (val, *Error) {
	if err := wantKinds(c, 0, x, KindArray); err != nil {
		return val{}, err
	}
	switch c.Name {
	case "FIRST", "LAST":
		if len(x.arr) == 0 {
			return seriesVal(&series{}), nil
		}
		if c.Name == "FIRST" {
			return seriesVal(x.arr[0]), nil
		}
		return seriesVal(x.arr[len(x.arr)-1]), nil
	case "REMOVE_EMPTY":
		out := make([]*series, 0, len(x.arr))
		for _, s := range x.arr {
			if s.len() > 0 {
				out = append(out, s)
			}
		}
		return arrayVal(out), nil
	}
	return scalarVal(float64(len(x.arr))), nil
}

// intArg evaluates argument i of c as a non-negative integer scalar.
func (ev *evaluator) intArg(c *Call, i int, what string) (int, *Error) {
	v, err := ev.eval(c.Args[i])
	if err != nil {
		return 0, err
	}
	if err := wantKinds(c, i, v, KindScalar); err != nil {
		return 0, err
	}
	f := v.scalar
	if !finite(f) || f < 0 || f != math.Trunc(f) {
		return 0, errorf(c.Args[i].Pos(), "The %s of %s must be a non-negative integer", what, c.Name)
	}
	if f > math.MaxInt32 {
		f = math.MaxInt32
	}
	return int(f), nil
}

// fnSort implements SORT(TS[], AVG|MIN|MAX|SUM, ASC|DESC[, limit]). The sort
// is stable; series without data points sort last in either order.
func (ev *evaluator) fnSort(c *Call) (val, *Error) {
	x, err := ev.eval(c.Args[0])
	if err != nil {
		return val{}, err
	}
	if err := wantKinds(c, 0, x, KindArray); err != nil {
		return val{}, err
	}
	stat := c.Args[1].(*Keyword).Name
	desc := c.Args[2].(*Keyword).Name == "DESC"
	limit := -1
	if len(c.Args) == 4 {
		if limit, err = ev.intArg(c, 3, "limit"); err != nil {
			return val{}, err
		}
	}
	type keyed struct {
		s *series
		k float64
	}
	ks := make([]keyed, len(x.arr))
	for i, s := range x.arr {
		k := math.NaN()
		if s.len() > 0 {
			k = reduce(stat, s.v, s.len())
		}
		ks[i] = keyed{s, k}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i].k, ks[j].k
		if math.IsNaN(a) || math.IsNaN(b) {
			return !math.IsNaN(a) && math.IsNaN(b)
		}
		if desc {
			return a > b
		}
		return a < b
	})
	if limit >= 0 && limit < len(ks) {
		ks = ks[:limit]
	}
	out := make([]*series, len(ks))
	for i, k := range ks {
		out[i] = k.s
	}
	return arrayVal(out), nil
}

// fnSlice implements SLICE(TS[], start[, end]): zero-based, start inclusive,
// end exclusive (default: the end of the array). Out-of-range bounds are
// clamped; the result is always an array.
func (ev *evaluator) fnSlice(c *Call) (val, *Error) {
	x, err := ev.eval(c.Args[0])
	if err != nil {
		return val{}, err
	}
	if err := wantKinds(c, 0, x, KindArray); err != nil {
		return val{}, err
	}
	start, err := ev.intArg(c, 1, "start")
	if err != nil {
		return val{}, err
	}
	end := len(x.arr)
	if len(c.Args) == 3 {
		if end, err = ev.intArg(c, 2, "end"); err != nil {
			return val{}, err
		}
	}
	end = min(end, len(x.arr))
	start = min(start, end)
	return arrayVal(append([]*series(nil), x.arr[start:end]...)), nil
}
