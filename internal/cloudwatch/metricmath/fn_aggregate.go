package metricmath

import "math"

// fnAggregate implements AVG, MAX, MIN, SUM, STDDEV and DATAPOINT_COUNT.
//
// Of one series the result is a scalar over its data points: SUM and
// DATAPOINT_COUNT of an empty series are 0, the others are missing (NaN).
// Of an array the result is one series over the union of the timestamps:
// SUM and AVG count a missing value as 0 (AVG divides by the number of
// series, as documented: "Missing values are treated as 0"), MIN, MAX and
// STDDEV use only the values present, DATAPOINT_COUNT counts the series that
// report a value. STDDEV is the population standard deviation.
func fnAggregate(c *Call, x val) (val, *Error) {
	if err := wantKinds(c, 0, x, KindSeries, KindArray); err != nil {
		return val{}, err
	}
	if x.kind == KindSeries {
		return scalarVal(reduce(c.Name, x.ts.v, 1)), nil
	}
	out := &series{}
	if len(x.arr) == 0 {
		return seriesVal(out), nil
	}
	out.period = x.arr[0].period
	times := unionTimes(x.arr)
	idx := make([]int, len(x.arr))
	buf := make([]float64, 0, len(x.arr))
	out.t = make([]int64, 0, len(times))
	out.v = make([]float64, 0, len(times))
	for _, t := range times {
		buf = buf[:0]
		for i, s := range x.arr {
			for idx[i] < len(s.t) && s.t[idx[i]] < t {
				idx[i]++
			}
			if idx[i] < len(s.t) && s.t[idx[i]] == t {
				buf = append(buf, s.v[idx[i]])
			}
		}
		y := reduce(c.Name, buf, len(x.arr))
		if finite(y) {
			out.t = append(out.t, t)
			out.v = append(out.v, y)
		}
	}
	return seriesVal(out), nil
}

// reduce aggregates vs; n is the number of values AVG divides by (missing
// values count as 0), at least len(vs).
func reduce(name string, vs []float64, n int) float64 {
	switch name {
	case "DATAPOINT_COUNT":
		return float64(len(vs))
	case "SUM":
		s := 0.0
		for _, v := range vs {
			s += v
		}
		return s
	}
	if len(vs) == 0 {
		return math.NaN()
	}
	switch name {
	case "AVG":
		s := 0.0
		for _, v := range vs {
			s += v
		}
		return s / float64(max(n, len(vs)))
	case "MIN":
		m := vs[0]
		for _, v := range vs[1:] {
			m = math.Min(m, v)
		}
		return m
	case "MAX":
		m := vs[0]
		for _, v := range vs[1:] {
			m = math.Max(m, v)
		}
		return m
	case "STDDEV":
		mean := 0.0
		for _, v := range vs {
			mean += v
		}
		mean /= float64(len(vs))
		ss := 0.0
		for _, v := range vs {
			ss += (v - mean) * (v - mean)
		}
		return math.Sqrt(ss / float64(len(vs)))
	}
	return math.NaN()
}
