package query

import "strings"

// UnmaskCmd is "unmask field": show the content a data protection policy
// masked (CWL_QuerySyntax-Unmask; unmask(field) is also a function).
type UnmaskCmd struct {
	Pos   int
	Field *FieldRef
}

func (c *UnmaskCmd) Start() int     { return c.Pos }
func (c *UnmaskCmd) Name() string   { return "unmask" }
func (c *UnmaskCmd) String() string { return "unmask " + c.Field.String() }

func parseUnmask(p *parser, pos int, sub bool) Command {
	return &UnmaskCmd{Pos: pos, Field: p.parseField()}
}

// UnnestCmd is "unnest field into name": one row per element of the list in
// field, the element in name (CWL_QuerySyntax-Unnest).
type UnnestCmd struct {
	Pos   int
	Field *FieldRef
	Into  string
}

func (c *UnnestCmd) Start() int   { return c.Pos }
func (c *UnnestCmd) Name() string { return "unnest" }
func (c *UnnestCmd) String() string {
	return "unnest " + c.Field.String() + " into " + formatAlias(c.Into)
}

func parseUnnest(p *parser, pos int, sub bool) Command {
	c := &UnnestCmd{Pos: pos, Field: p.parseField()}
	p.expectWord("into")
	c.Into, _ = p.parseName("the name of the unnested field after into")
	return c
}

// PatternCmd is "pattern expr": cluster the values of expr (@message, a
// parsed field or a string function of them) into patterns
// (CWL_QuerySyntax-Pattern).
type PatternCmd struct {
	Pos  int
	Expr Expr
}

func (c *PatternCmd) Start() int     { return c.Pos }
func (c *PatternCmd) Name() string   { return "pattern" }
func (c *PatternCmd) String() string { return "pattern " + c.Expr.String() }

func parsePattern(p *parser, pos int, sub bool) Command {
	return &PatternCmd{Pos: pos, Expr: p.parseExpr()}
}

// AnomalyCmd is "anomaly", which takes no parameters and finds anomalies in
// the patterns before it (CWL_QuerySyntax-Anomaly).
type AnomalyCmd struct{ Pos int }

func (c *AnomalyCmd) Start() int     { return c.Pos }
func (c *AnomalyCmd) Name() string   { return "anomaly" }
func (c *AnomalyCmd) String() string { return "anomaly" }

func parseAnomaly(p *parser, pos int, sub bool) Command { return &AnomalyCmd{Pos: pos} }

// DiffCmd is "diff [previousDay|previousWeek|previousMonth]": compare with
// the preceding time range of equal length, or with the same range a day,
// week or month before (CWL_QuerySyntax-Diff). Period is "" for the plain
// form.
type DiffCmd struct {
	Pos    int
	Period string
}

func (c *DiffCmd) Start() int   { return c.Pos }
func (c *DiffCmd) Name() string { return "diff" }
func (c *DiffCmd) String() string {
	if c.Period == "" {
		return "diff"
	}
	return "diff " + c.Period
}

func parseDiff(p *parser, pos int, sub bool) Command {
	c := &DiffCmd{Pos: pos}
	if p.atCommandEnd(sub) {
		return c
	}
	for _, w := range []string{"previousDay", "previousWeek", "previousMonth"} {
		if p.is(w) {
			c.Period = w
			p.next()
			return c
		}
	}
	p.mismatch("previousDay, previousWeek, previousMonth or '|'")
	return nil
}

// LookupKey is "lookupField [as logField]": the lookup table column and the
// log field it must equal (the same name when as is omitted).
type LookupKey struct {
	Column   string
	LogField *FieldRef
}

// LookupCmd is "lookup table key [as field], ... OUTPUT column, ...": add
// the output columns of the table row whose key columns equal the log
// fields (CWL_QuerySyntax-Lookup). With OUTPUTNEW (New) a field that
// already has a value keeps it.
type LookupCmd struct {
	Pos     int
	Table   string
	Keys    []LookupKey
	New     bool
	Outputs []string
}

func (c *LookupCmd) Start() int   { return c.Pos }
func (c *LookupCmd) Name() string { return "lookup" }
func (c *LookupCmd) String() string {
	var b strings.Builder
	b.WriteString("lookup ")
	b.WriteString(c.Table)
	for i, k := range c.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte(' ')
		b.WriteString(formatAlias(k.Column))
		if k.LogField != nil {
			b.WriteString(" as ")
			b.WriteString(k.LogField.String())
		}
	}
	if c.New {
		b.WriteString(" OUTPUTNEW ")
	} else {
		b.WriteString(" OUTPUT ")
	}
	for i, o := range c.Outputs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(formatAlias(o))
	}
	return b.String()
}

// isTableChar: lookup table names contain only letters, digits, hyphens and
// underscores (CWL_QuerySyntax-Lookup, "Creating and managing lookup
// tables").
func isTableChar(c byte) bool {
	return c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func parseLookup(p *parser, pos int, sub bool) Command {
	c := &LookupCmd{Pos: pos}
	start := p.tok.pos
	end := start
	for end < len(p.src) && isTableChar(p.src[end]) {
		end++
	}
	if end == start || p.tok.kind == tEOF {
		p.mismatch("a lookup table name")
	}
	c.Table = p.src[start:end]
	p.tok = p.lx.scan(end)
	for {
		if p.is("output") || p.is("outputnew") {
			p.mismatch("a lookup table column")
		}
		col, _ := p.parseName("a lookup table column")
		k := LookupKey{Column: col}
		if p.is("as") {
			p.next()
			k.LogField = p.parseField()
		}
		c.Keys = append(c.Keys, k)
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		break
	}
	switch {
	case p.is("outputnew"):
		c.New = true
	case !p.is("output"):
		p.mismatch("',', OUTPUT or OUTPUTNEW")
	}
	p.next()
	for {
		o, _ := p.parseName("a lookup table column to output")
		c.Outputs = append(c.Outputs, o)
		if p.tok.kind != tComma {
			return c
		}
		p.next()
	}
}

// AddTotalsCmd is "addtotals [fieldname=Name] [row=bool] [col=bool] [field,
// ...]": a row-total column (named Total unless fieldname says otherwise,
// on unless row=false) and, with col=true, a summary row; over the listed
// numeric fields or all of them (CWL_QuerySyntax-Addtotals). Row and Col are
// nil when not written.
type AddTotalsCmd struct {
	Pos       int
	FieldName string
	Row, Col  *bool
	Fields    []*FieldRef
}

func (c *AddTotalsCmd) Start() int   { return c.Pos }
func (c *AddTotalsCmd) Name() string { return "addtotals" }
func (c *AddTotalsCmd) String() string {
	s := "addtotals"
	if c.FieldName != "" {
		s += " fieldname=" + formatAlias(c.FieldName)
	}
	b := func(v bool) string {
		if v {
			return "true"
		}
		return "false"
	}
	if c.Row != nil {
		s += " row=" + b(*c.Row)
	}
	if c.Col != nil {
		s += " col=" + b(*c.Col)
	}
	if len(c.Fields) > 0 {
		s += " " + joinFields(c.Fields)
	}
	return s
}

// isOption reports whether the current token starts "key=".
func (p *parser) isOption(key string) bool {
	return p.is(key) && p.peek().kind == tEq
}

func (p *parser) parseBool(what string) *bool {
	var v bool
	switch {
	case p.is("true"):
		v = true
	case p.is("false"):
	default:
		p.mismatch("true or false for " + what)
	}
	p.next()
	return &v
}

func parseAddTotals(p *parser, pos int, sub bool) Command {
	c := &AddTotalsCmd{Pos: pos}
	seen := map[string]bool{}
	for {
		var key string
		for _, k := range []string{"fieldname", "row", "col"} {
			if p.isOption(k) {
				key = k
			}
		}
		if key == "" {
			break
		}
		if seen[key] {
			p.failAt(p.tok.pos, "addtotals option %s is given twice", key)
		}
		seen[key] = true
		p.next() // key
		p.next() // =
		switch key {
		case "fieldname":
			c.FieldName, _ = p.parseName("a field name for fieldname")
		case "row":
			c.Row = p.parseBool("row")
		case "col":
			c.Col = p.parseBool("col")
		}
	}
	if !p.atCommandEnd(sub) {
		c.Fields = p.parseFieldList(sub)
	}
	return c
}

// LogCompareCmd is "logcompare timeshift duration": compare the time window
// with a baseline window shifted back by the duration
// (CWL_QuerySyntax-Logcompare).
type LogCompareCmd struct {
	Pos   int
	Shift *DurationLit
}

func (c *LogCompareCmd) Start() int     { return c.Pos }
func (c *LogCompareCmd) Name() string   { return "logcompare" }
func (c *LogCompareCmd) String() string { return "logcompare timeshift " + c.Shift.String() }

func parseLogCompare(p *parser, pos int, sub bool) Command {
	p.expectWord("timeshift")
	t := p.tok
	if t.kind != tDuration {
		p.mismatch("a duration such as 7d after timeshift")
	}
	p.next()
	d := &DurationLit{Pos: t.pos, Text: p.src[t.pos:t.end], Amount: t.num, Unit: t.unit}
	p.checkPeriod(d)
	return &LogCompareCmd{Pos: pos, Shift: d}
}
