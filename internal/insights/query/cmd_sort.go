package query

import "strconv"

// SortOrder is the direction of one sort key.
type SortOrder uint8

const (
	// SortDefault: no asc/desc written; the executor applies Logs
	// Insights' default.
	SortDefault SortOrder = iota
	SortAsc
	SortDesc
)

// SortKey is one "expr [asc|desc]".
type SortKey struct {
	Expr  Expr
	Order SortOrder
}

// SortCmd is "sort key [asc|desc], ..." (CWL_QuerySyntax-Sort).
type SortCmd struct {
	Pos  int
	Keys []SortKey
}

func (c *SortCmd) Start() int   { return c.Pos }
func (c *SortCmd) Name() string { return "sort" }
func (c *SortCmd) String() string {
	s := "sort "
	for i, k := range c.Keys {
		if i > 0 {
			s += ", "
		}
		s += k.Expr.String()
		switch k.Order {
		case SortAsc:
			s += " asc"
		case SortDesc:
			s += " desc"
		}
	}
	return s
}

func parseSort(p *parser, pos int, sub bool) Command {
	c := &SortCmd{Pos: pos}
	for {
		k := SortKey{Expr: p.parseExpr()}
		switch {
		case p.is("asc"):
			k.Order = SortAsc
			p.next()
		case p.is("desc"):
			k.Order = SortDesc
			p.next()
		}
		c.Keys = append(c.Keys, k)
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		if !p.atCommandEnd(sub) {
			p.mismatch("asc, desc, ',' or '|'")
		}
		return c
	}
}

// LimitCmd is "limit n" (CWL_QuerySyntax-Limit).
type LimitCmd struct {
	Pos int
	N   int
}

func (c *LimitCmd) Start() int     { return c.Pos }
func (c *LimitCmd) Name() string   { return "limit" }
func (c *LimitCmd) String() string { return "limit " + strconv.Itoa(c.N) }

func parseLimit(p *parser, pos int, sub bool) Command {
	t := p.tok
	if t.kind != tNumber {
		p.mismatch("a number of results")
	}
	n, err := strconv.Atoi(p.src[t.pos:t.end])
	if err != nil || n < 1 {
		p.failAt(t.pos, "limit must be a positive integer, got %s", p.src[t.pos:t.end])
	}
	p.next()
	return &LimitCmd{Pos: pos, N: n}
}
