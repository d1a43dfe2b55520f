package query

// StatsCmd is "stats agg [as alias], ... [by expr [as alias], ...]"
// (CWL_QuerySyntax-Stats). Each aggregation contains an aggregate function,
// or refers to aliases defined earlier in the same stats ("... as a, ... as
// b, a - b as c"). A query has at most two stats; the second works on the
// rows the first produced.
type StatsCmd struct {
	Pos  int
	Aggs []Projection
	By   []Projection
}

func (c *StatsCmd) Start() int   { return c.Pos }
func (c *StatsCmd) Name() string { return "stats" }
func (c *StatsCmd) String() string {
	s := "stats " + joinProjections(c.Aggs)
	if len(c.By) > 0 {
		s += " by " + joinProjections(c.By)
	}
	return s
}

func parseStats(p *parser, pos int, sub bool) Command {
	c := &StatsCmd{Pos: pos, Aggs: p.parseProjections(sub, "by")}
	if p.is("by") {
		p.next()
		c.By = p.parseProjections(sub, "")
	}
	return c
}
