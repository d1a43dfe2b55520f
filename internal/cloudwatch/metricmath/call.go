package metricmath

// call evaluates a function call; the behaviour of each function lives in
// the fn_*.go file of its family.
func (ev *evaluator) call(c *Call) (val, *Error) {
	switch c.Name {
	case "METRICS":
		return ev.fnMetrics(c)
	case "SEARCH":
		return ev.fnSearch(c)
	case "PERIOD":
		return ev.fnPeriod(c)
	case "IF":
		return ev.fnIf(c)
	case "FILL":
		return ev.fnFill(c)
	case "SORT":
		return ev.fnSort(c)
	case "SLICE":
		return ev.fnSlice(c)
	}
	args := make([]val, len(c.Args))
	for i, a := range c.Args {
		v, err := ev.eval(a)
		if err != nil {
			return val{}, err
		}
		args[i] = v
	}
	switch c.Name {
	case "ABS", "CEIL", "FLOOR", "LOG", "LOG10":
		return fnPointwise(c, args[0])
	case "AVG", "MAX", "MIN", "SUM", "STDDEV", "DATAPOINT_COUNT":
		return fnAggregate(c, args[0])
	case "DIFF", "DIFF_TIME", "RATE", "RUNNING_SUM":
		return fnSequential(c, args[0])
	case "FIRST", "LAST", "REMOVE_EMPTY", "METRIC_COUNT":
		return fnArray(c, args[0])
	case "MINUTE", "HOUR", "DAY", "DATE", "MONTH", "YEAR", "EPOCH":
		return ev.fnDatetime(c, args[0])
	case "TIME_SERIES":
		return ev.fnTimeSeries(c, args[0])
	}
	return val{}, errorf(c.P, "Unrecognized function %s", c.Name)
}

// wantKinds returns an error unless v is one of the kinds.
func wantKinds(c *Call, i int, v val, kinds ...Kind) *Error {
	for _, k := range kinds {
		if v.kind == k {
			return nil
		}
	}
	var want string
	for j, k := range kinds {
		if j > 0 {
			if j == len(kinds)-1 {
				want += " or "
			} else {
				want += ", "
			}
		}
		want += k.article()
	}
	pos := c.P
	if i < len(c.Args) {
		pos = c.Args[i].Pos()
	}
	return errorf(pos, "Invalid argument %d of %s: expected %s, got %s", i+1, c.Name, want, v.kind.article())
}
