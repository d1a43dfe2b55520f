package query

// FieldsCmd is "fields expr [as alias], ...": it adds the listed fields (and
// computed fields) to the results (CWL_QuerySyntax-Fields).
type FieldsCmd struct {
	Pos   int
	Exprs []Projection
}

func (c *FieldsCmd) Start() int     { return c.Pos }
func (c *FieldsCmd) Name() string   { return "fields" }
func (c *FieldsCmd) String() string { return "fields " + joinProjections(c.Exprs) }

func parseFields(p *parser, pos int, sub bool) Command {
	return &FieldsCmd{Pos: pos, Exprs: p.parseProjections(sub, "")}
}

// DisplayCmd is "display expr [as alias], ...": only these fields are
// shown; the last display of a query wins (CWL_QuerySyntax-Display). AWS's
// parse examples display computed fields too ("DISPLAY loggingMessage,
// loggingType = "ERROR" as isError", CWL_QuerySyntax-examples).
type DisplayCmd struct {
	Pos   int
	Exprs []Projection
}

func (c *DisplayCmd) Start() int     { return c.Pos }
func (c *DisplayCmd) Name() string   { return "display" }
func (c *DisplayCmd) String() string { return "display " + joinProjections(c.Exprs) }

func parseDisplay(p *parser, pos int, sub bool) Command {
	return &DisplayCmd{Pos: pos, Exprs: p.parseProjections(sub, "")}
}

// DedupCmd is "dedup field, ...": one result per distinct combination of
// values, the first in sort order; null values are never duplicates; only
// limit may follow it (CWL_QuerySyntax-Dedup).
type DedupCmd struct {
	Pos    int
	Fields []*FieldRef
}

func (c *DedupCmd) Start() int     { return c.Pos }
func (c *DedupCmd) Name() string   { return "dedup" }
func (c *DedupCmd) String() string { return "dedup " + joinFields(c.Fields) }

func parseDedup(p *parser, pos int, sub bool) Command {
	return &DedupCmd{Pos: pos, Fields: p.parseFieldList(sub)}
}
