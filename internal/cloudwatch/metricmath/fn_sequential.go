package metricmath

// fnSequential implements DIFF, DIFF_TIME, RATE and RUNNING_SUM, which look
// at consecutive data points of one series (or of each series of an array).
// Missing periods are skipped: "preceding value" is the previous data point
// present. DIFF, DIFF_TIME and RATE have no value at the first data point.
// RATE is (value - previous value) / (seconds between the two timestamps).
func fnSequential(c *Call, x val) (val, *Error) {
	if err := wantKinds(c, 0, x, KindSeries, KindArray); err != nil {
		return val{}, err
	}
	f := func(s *series) *series {
		out := s.derive()
		switch c.Name {
		case "RUNNING_SUM":
			out.t = append([]int64(nil), s.t...)
			out.v = make([]float64, len(s.v))
			sum := 0.0
			for i, v := range s.v {
				sum += v
				out.v[i] = sum
			}
			return out
		}
		for i := 1; i < len(s.t); i++ {
			dt := float64(s.t[i]-s.t[i-1]) / 1e9
			var y float64
			switch c.Name {
			case "DIFF":
				y = s.v[i] - s.v[i-1]
			case "DIFF_TIME":
				y = dt
			case "RATE":
				y = (s.v[i] - s.v[i-1]) / dt
			}
			if finite(y) {
				out.t = append(out.t, s.t[i])
				out.v = append(out.v, y)
			}
		}
		return out
	}
	if x.kind == KindSeries {
		return seriesVal(f(x.ts)), nil
	}
	out := make([]*series, len(x.arr))
	for i, s := range x.arr {
		out[i] = f(s)
	}
	return arrayVal(out), nil
}
