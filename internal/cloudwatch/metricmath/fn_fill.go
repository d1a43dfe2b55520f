package metricmath

// fnFill implements FILL(TS | TS[], S | TS | REPEAT | LINEAR).
//
// The filled series is non-sparse over the request: every period of the grid
// Start + k*period (the series' period) that has no data point gets one.
// Data points off the grid are kept as they are.
//   - S: the scalar (a missing scalar, such as MIN of an empty series,
//     fills nothing);
//   - TS: the filler series' value at that timestamp, if it has one;
//   - REPEAT: the most recent real value before the gap; periods before the
//     first real value stay missing;
//   - LINEAR: linear interpolation (by time) between the real values on
//     either side of the gap; periods before the first or after the last
//     real value stay missing.
func (ev *evaluator) fnFill(c *Call) (val, *Error) {
	x, err := ev.eval(c.Args[0])
	if err != nil {
		return val{}, err
	}
	if err := wantKinds(c, 0, x, KindSeries, KindArray); err != nil {
		return val{}, err
	}
	mode := ""
	var filler val
	if kw, ok := c.Args[1].(*Keyword); ok {
		mode = kw.Name
	} else {
		if filler, err = ev.eval(c.Args[1]); err != nil {
			return val{}, err
		}
		if err := wantKinds(c, 1, filler, KindScalar, KindSeries); err != nil {
			return val{}, err
		}
	}
	fill := func(s *series) *series {
		grid := ev.grid(ev.periodOf(s))
		out := s.derive()
		out.t = make([]int64, 0, len(grid)+len(s.t))
		out.v = make([]float64, 0, len(grid)+len(s.t))
		i, g := 0, 0
		for i < len(s.t) || g < len(grid) {
			if g >= len(grid) || i < len(s.t) && s.t[i] <= grid[g] {
				if g < len(grid) && s.t[i] == grid[g] {
					g++
				}
				out.t = append(out.t, s.t[i])
				out.v = append(out.v, s.v[i])
				i++
				continue
			}
			t := grid[g]
			g++
			var y float64
			var ok bool
			switch mode {
			case "REPEAT":
				if i > 0 {
					y, ok = s.v[i-1], true
				}
			case "LINEAR":
				if i > 0 && i < len(s.t) {
					t0, t1 := s.t[i-1], s.t[i]
					v0, v1 := s.v[i-1], s.v[i]
					y, ok = v0+(v1-v0)*float64(t-t0)/float64(t1-t0), true
				}
			default:
				if filler.kind == KindScalar {
					y, ok = filler.scalar, finite(filler.scalar)
				} else {
					y, ok = lookup(filler.ts, t)
				}
			}
			if ok && finite(y) {
				out.t = append(out.t, t)
				out.v = append(out.v, y)
			}
		}
		return out
	}
	if x.kind == KindSeries {
		return seriesVal(fill(x.ts)), nil
	}
	out := make([]*series, len(x.arr))
	for i, s := range x.arr {
		out[i] = fill(s)
	}
	return arrayVal(out), nil
}
