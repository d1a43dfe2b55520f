package metricmath

// fnSearch implements SEARCH('query', 'Statistic'[, Period]): the handler's
// Env.Search runs the parsed query against the metric catalogue. The result
// is always an array (possibly empty). An omitted period is the
// expression's Period.
func (ev *evaluator) fnSearch(c *Call) (val, *Error) {
	period := c.Period
	if period == 0 {
		period = int(ev.env.Period().Seconds())
	}
	found, err := ev.env.Search(ev.ctx, *c.Search, c.Stat, period)
	if err != nil {
		return val{}, errorf(c.P, "SEARCH failed: %v", err)
	}
	out := make([]*series, len(found))
	for i, s := range found {
		out[i] = fromSeries(s)
	}
	return arrayVal(out), nil
}
