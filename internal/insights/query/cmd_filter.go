package query

// FilterCmd is "filter cond" (or its alias "where cond",
// CWL_QuerySyntax-Where): keep the events for which cond holds.
type FilterCmd struct {
	Pos  int
	Cond Expr
}

func (c *FilterCmd) Start() int     { return c.Pos }
func (c *FilterCmd) Name() string   { return "filter" }
func (c *FilterCmd) String() string { return "filter " + c.Cond.String() }

func parseFilter(p *parser, pos int, sub bool) Command {
	return &FilterCmd{Pos: pos, Cond: p.parseExpr()}
}

// FilterIndexCmd is "filterIndex cond": like filter, and it also restricts
// the scan to log groups whose field index holds the value
// (CWL_QuerySyntax-FilterIndex).
type FilterIndexCmd struct {
	Pos  int
	Cond Expr
}

func (c *FilterIndexCmd) Start() int     { return c.Pos }
func (c *FilterIndexCmd) Name() string   { return "filterIndex" }
func (c *FilterIndexCmd) String() string { return "filterIndex " + c.Cond.String() }

func parseFilterIndex(p *parser, pos int, sub bool) Command {
	return &FilterIndexCmd{Pos: pos, Cond: p.parseExpr()}
}
