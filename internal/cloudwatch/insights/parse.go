package insights

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxQueryLength is the longest query accepted: the API model's limit on MetricDataQuery.Expression.
const MaxQueryLength = 2048

// MaxLimit is the largest LIMIT a query may give, and the most series a query returns without one.
const MaxLimit = 500

// Error is a problem with the query text. Pos is the 1-based character position the problem was found
// at (0 when the problem is the whole query). The handler returns it to the client as a ValidationError.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string {
	if e.Pos <= 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s (at position %d)", e.Msg, e.Pos)
}

func errAt(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Function is an aggregate function of the SELECT and ORDER BY clauses.
type Function uint8

const (
	Avg Function = iota + 1
	Count
	Max
	Min
	Sum
)

var functionNames = [...]string{Avg: "AVG", Count: "COUNT", Max: "MAX", Min: "MIN", Sum: "SUM"}

func (f Function) String() string {
	if int(f) < len(functionNames) && f != 0 {
		return functionNames[f]
	}
	return "Function(" + strconv.Itoa(int(f)) + ")"
}

// Statistic is the CloudWatch statistic that computes the function over one series' datapoints.
func (f Function) Statistic() string {
	switch f {
	case Avg:
		return "Average"
	case Count:
		return "SampleCount"
	case Max:
		return "Maximum"
	case Min:
		return "Minimum"
	case Sum:
		return "Sum"
	}
	return ""
}

func lookupFunction(word string) Function {
	switch strings.ToUpper(word) {
	case "AVG":
		return Avg
	case "COUNT":
		return Count
	case "MAX":
		return Max
	case "MIN":
		return Min
	case "SUM":
		return Sum
	}
	return 0
}

// Query is a parsed Metrics Insights query. It is immutable once parsed and safe for concurrent Runs.
type Query struct {
	Function  Function
	Metric    string
	Namespace string
	// Schema is set for FROM SCHEMA(...): only series whose dimension names are exactly SchemaKeys match
	// (no dimensions at all when SchemaKeys is empty). SchemaKeys are sorted and distinct.
	Schema     bool
	SchemaKeys []string
	Where      Condition // nil without a WHERE clause
	GroupBy    []string  // label keys, in the order written
	OrderBy    *OrderBy  // nil without an ORDER BY clause
	Limit      int       // 0 without a LIMIT clause
}

// OrderBy ranks the result series by Function computed over each series' datapoints.
type OrderBy struct {
	Function Function
	Desc     bool
}

// Condition is a WHERE clause expression: *Comparison, *And or *Or.
type Condition interface {
	// Match reports whether a series with the given dimensions satisfies the condition.
	Match(dims []Dimension) bool
	write(b *strings.Builder, parent int)
}

// Comparison is `Key = 'Value'` (or `!=` when Not). A series that lacks the label satisfies neither
// form, as a NULL compares in SQL.
type Comparison struct {
	Key, Value string
	Not        bool
}

// And holds when both sides hold; Or when either does.
type And struct{ L, R Condition }
type Or struct{ L, R Condition }

func (c *Comparison) Match(dims []Dimension) bool {
	v, ok := lookupDim(dims, c.Key)
	return ok && (v == c.Value) != c.Not
}
func (c *And) Match(dims []Dimension) bool { return c.L.Match(dims) && c.R.Match(dims) }
func (c *Or) Match(dims []Dimension) bool  { return c.L.Match(dims) || c.R.Match(dims) }

const (
	precOr = iota + 1
	precAnd
)

func (c *Comparison) write(b *strings.Builder, _ int) {
	b.WriteString(quoteIdent(c.Key))
	if c.Not {
		b.WriteString(" != ")
	} else {
		b.WriteString(" = ")
	}
	b.WriteString(quoteString(c.Value))
}

func (c *And) write(b *strings.Builder, parent int) {
	c.L.write(b, precAnd)
	b.WriteString(" AND ")
	c.R.write(b, precAnd)
}

func (c *Or) write(b *strings.Builder, parent int) {
	if parent == precAnd {
		b.WriteByte('(')
	}
	c.L.write(b, precOr)
	b.WriteString(" OR ")
	c.R.write(b, precOr)
	if parent == precAnd {
		b.WriteByte(')')
	}
}

// String prints the query in a normal form: keywords upper case, identifiers quoted only when they must
// be, conditions parenthesised only where precedence needs it. Parsing the result gives an equal Query.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(q.Function.String())
	b.WriteByte('(')
	b.WriteString(quoteIdent(q.Metric))
	b.WriteString(") FROM ")
	if q.Schema {
		b.WriteString("SCHEMA(")
		b.WriteString(quoteIdent(q.Namespace))
		for _, k := range q.SchemaKeys {
			b.WriteString(", ")
			b.WriteString(quoteIdent(k))
		}
		b.WriteByte(')')
	} else {
		b.WriteString(quoteIdent(q.Namespace))
	}
	if q.Where != nil {
		b.WriteString(" WHERE ")
		q.Where.write(&b, 0)
	}
	if len(q.GroupBy) > 0 {
		b.WriteString(" GROUP BY ")
		for i, k := range q.GroupBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteIdent(k))
		}
	}
	if q.OrderBy != nil {
		b.WriteString(" ORDER BY ")
		b.WriteString(q.OrderBy.Function.String())
		if q.OrderBy.Desc {
			b.WriteString("() DESC")
		} else {
			b.WriteString("() ASC")
		}
	}
	if q.Limit > 0 {
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.Itoa(q.Limit))
	}
	return b.String()
}

// isReserved reports whether a word is on the documented reserved list: the normal form quotes it.
func isReserved(word string) bool {
	_, ok := reservedWords[strings.ToUpper(word)]
	return ok
}

// strictKeywords are the reserved words refused unquoted as identifiers: the words of the grammar
// itself and the SQL words whose use this parser reports by name. AWS's own sample queries use other
// listed words unquoted (SCHEMA("AWS/Usage", Class, Resource, Service, Type) WHERE Type = 'API'), so
// the rest of the documented list is accepted unquoted and merely quoted in the normal form.
var strictKeywords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "GROUP": true, "BY": true, "ORDER": true, "LIMIT": true,
	"ASC": true, "DESC": true, "AND": true, "OR": true, "SCHEMA": true,
	"AVG": true, "COUNT": true, "MAX": true, "MIN": true, "SUM": true,
	"NOT": true, "IN": true, "LIKE": true, "IS": true, "NULL": true, "BETWEEN": true, "AS": true,
	"DISTINCT": true, "HAVING": true, "JOIN": true, "UNION": true, "OFFSET": true, "TRUE": true, "FALSE": true,
}

func isStrictKeyword(word string) bool { return strictKeywords[strings.ToUpper(word)] }

func quoteIdent(s string) string {
	plain := s != "" && !isReserved(s)
	for _, r := range s {
		if !isWordRune(r) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return `"` + escape(s) + `"`
}

func quoteString(s string) string { return "'" + escape(s) + "'" }

func escape(s string) string {
	if !strings.ContainsAny(s, `"'\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '"' || r == '\'' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Parse parses and validates a Metrics Insights query. Errors are *Error.
func Parse(sql string) (*Query, error) {
	if n := len([]rune(sql)); n > MaxQueryLength {
		return nil, &Error{Msg: fmt.Sprintf("The query is %d characters long; the maximum is %d", n, MaxQueryLength)}
	}
	p := &parser{lx: lexer{src: sql}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, errAt(p.tok.pos, "Invalid syntax. The query is empty")
	}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
}

type parser struct {
	lx  lexer
	tok token
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// isKeyword reports whether the current token is the unquoted keyword kw (upper case).
func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tWord && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) expectKeyword(kw string) error {
	if !p.isKeyword(kw) {
		return p.unexpected("Expected " + kw)
	}
	return p.advance()
}

func (p *parser) expect(kind tokKind, what string) error {
	if p.tok.kind != kind {
		return p.unexpected("Expected " + what)
	}
	return p.advance()
}

func (p *parser) unexpected(expected string) *Error {
	return errAt(p.tok.pos, "Invalid syntax. %s but found %s", expected, p.tok.describe())
}

// unsupported lists the SQL that people try and Metrics Insights does not have, so the error names it.
var unsupportedClauses = map[string]string{
	"HAVING":   "HAVING is not supported by Metrics Insights",
	"OFFSET":   "OFFSET is not supported by Metrics Insights",
	"JOIN":     "JOIN is not supported by Metrics Insights: a query reads one namespace",
	"UNION":    "UNION is not supported by Metrics Insights",
	"DISTINCT": "DISTINCT is not supported by Metrics Insights",
	"AS":       "Aliases (AS) are not supported by Metrics Insights",
	"TOP":      "TOP is not supported by Metrics Insights; use ORDER BY FUNCTION() with LIMIT",
}

func (p *parser) query() (*Query, error) {
	q := &Query{}
	if !p.isKeyword("SELECT") {
		return nil, p.unexpected("Expected SELECT")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.selectClause(q); err != nil {
		return nil, err
	}
	if !p.isKeyword("FROM") {
		if p.tok.kind == tComma {
			return nil, errAt(p.tok.pos, "Invalid syntax. A query selects exactly one FUNCTION(metricName)")
		}
		if err := p.unsupportedHere(); err != nil {
			return nil, err
		}
		return nil, p.unexpected("Expected FROM")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.fromClause(q); err != nil {
		return nil, err
	}
	if p.isKeyword("WHERE") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		c, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		q.Where = c
	}
	if p.isKeyword("GROUP") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		for {
			k, err := p.ident("label key")
			if err != nil {
				return nil, err
			}
			q.GroupBy = append(q.GroupBy, k)
			if p.tok.kind != tComma {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	if p.isKeyword("ORDER") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.expectKeyword("BY"); err != nil {
			return nil, err
		}
		ob, err := p.orderBy()
		if err != nil {
			return nil, err
		}
		q.OrderBy = ob
	}
	if p.isKeyword("LIMIT") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		n, err := p.limit()
		if err != nil {
			return nil, err
		}
		q.Limit = n
	}
	if p.tok.kind != tEOF {
		if err := p.unsupportedHere(); err != nil {
			return nil, err
		}
		for _, kw := range []string{"SELECT", "FROM", "WHERE", "GROUP", "ORDER", "LIMIT"} {
			if p.isKeyword(kw) {
				return nil, errAt(p.tok.pos, "Invalid syntax. Unexpected %s: clauses must appear once each, in the order "+
					"SELECT, FROM, WHERE, GROUP BY, ORDER BY, LIMIT", strings.ToUpper(p.tok.text))
			}
		}
		return nil, p.unexpected("Expected end of query")
	}
	return q, nil
}

func (p *parser) unsupportedHere() error {
	if p.tok.kind == tWord {
		if msg, ok := unsupportedClauses[strings.ToUpper(p.tok.text)]; ok {
			return errAt(p.tok.pos, "%s", msg)
		}
	}
	return nil
}

func (p *parser) selectClause(q *Query) error {
	if p.tok.kind == tPunct && p.tok.text == "*" {
		return errAt(p.tok.pos, "Invalid syntax. SELECT * is not supported: select one FUNCTION(metricName), "+
			"where FUNCTION is AVG, COUNT, MAX, MIN or SUM")
	}
	if err := p.unsupportedHere(); err != nil {
		return err
	}
	if p.tok.kind != tWord {
		return p.unexpected("Expected a function (AVG, COUNT, MAX, MIN or SUM)")
	}
	fnTok := p.tok
	if err := p.advance(); err != nil {
		return err
	}
	f := lookupFunction(fnTok.text)
	if f == 0 {
		if p.tok.kind == tLParen {
			return errAt(fnTok.pos, "Unsupported function '%s'. Valid functions are AVG, COUNT, MAX, MIN and SUM", fnTok.text)
		}
		return errAt(fnTok.pos, "Invalid syntax. Expected a function (AVG, COUNT, MAX, MIN or SUM) but found %s",
			fnTok.describe())
	}
	q.Function = f
	if err := p.expect(tLParen, "'(' after "+strings.ToUpper(fnTok.text)); err != nil {
		return err
	}
	if p.tok.kind == tPunct && p.tok.text == "*" {
		return errAt(p.tok.pos, "Invalid syntax. %s(*) is not supported: name the metric, as in %s(CPUUtilization)",
			f, f)
	}
	if p.tok.kind == tRParen {
		return errAt(p.tok.pos, "Invalid syntax. %s needs a metric name, as in %s(CPUUtilization)", f, f)
	}
	m, err := p.ident("metric name")
	if err != nil {
		return err
	}
	q.Metric = m
	if p.tok.kind == tComma {
		return errAt(p.tok.pos, "Invalid syntax. %s takes exactly one metric name", f)
	}
	return p.expect(tRParen, "')'")
}

func (p *parser) fromClause(q *Query) error {
	if p.isKeyword("SCHEMA") {
		schemaTok := p.tok
		if err := p.advance(); err != nil {
			return err
		}
		if p.tok.kind != tLParen {
			// SCHEMA used as a namespace without quotes.
			return errAt(schemaTok.pos, "Invalid syntax. Reserved keyword '%s' must be surrounded by double quotes",
				schemaTok.text)
		}
		if err := p.advance(); err != nil {
			return err
		}
		if p.tok.kind == tRParen {
			return errAt(p.tok.pos, "Invalid syntax. SCHEMA needs at least one argument: the metric namespace")
		}
		ns, err := p.ident("namespace")
		if err != nil {
			return err
		}
		q.Namespace, q.Schema = ns, true
		for p.tok.kind == tComma {
			if err := p.advance(); err != nil {
				return err
			}
			k, err := p.ident("label key")
			if err != nil {
				return err
			}
			q.SchemaKeys = append(q.SchemaKeys, k)
		}
		slices.Sort(q.SchemaKeys)
		q.SchemaKeys = slices.Compact(q.SchemaKeys)
		return p.expect(tRParen, "',' or ')'")
	}
	ns, err := p.ident("namespace")
	if err != nil {
		return err
	}
	q.Namespace = ns
	if p.tok.kind == tComma {
		return errAt(p.tok.pos, "Invalid syntax. A query reads exactly one namespace")
	}
	return nil
}

// notIdentPunct is punctuation that ends an identifier rather than continuing a name that needed quotes.
var notIdentPunct = map[string]bool{";": true, "*": true, "!": true, "<": true, ">": true, "<=": true,
	">=": true, "<>": true, "==": true}

// ident reads a namespace, metric name or label key: an unquoted word that is not reserved, or any
// non-empty double-quoted string.
func (p *parser) ident(what string) (string, error) {
	t := p.tok
	switch t.kind {
	case tQuoted:
		if t.text == "" {
			return "", errAt(t.pos, "Invalid syntax. Empty %s", what)
		}
		return t.text, p.advance()
	case tWord:
		if strings.EqualFold(t.text, "CURRENT_ACCOUNT_ID") {
			return "", errAt(t.pos, "CURRENT_ACCOUNT_ID() is not supported: cross-account queries are not available")
		}
		if isStrictKeyword(t.text) {
			return "", errAt(t.pos, "Invalid syntax. Reserved keyword '%s' must be surrounded by double quotes", t.text)
		}
		if err := p.advance(); err != nil {
			return "", err
		}
		// A word glued to punctuation (AWS/EC2, My.Metric, tag.Env) is an identifier that needed quotes.
		if p.tok.kind == tPunct && p.tok.pos == t.pos+len([]rune(t.text)) && !notIdentPunct[p.tok.text] {
			if p.tok.text == "." && what == "label key" {
				switch {
				case strings.EqualFold(t.text, "tag"):
					return "", errAt(t.pos, "Resource tag labels (tag.<key>) are not supported")
				case strings.EqualFold(t.text, "AWS"):
					return "", errAt(t.pos, "AWS.* labels (AWS.AccountId, AWS.Region) are not supported: "+
						"cross-account and cross-Region queries are not available")
				}
			}
			return "", errAt(t.pos, "Invalid syntax. A %s containing characters other than letters, numbers and "+
				"underscore must be surrounded by double quotes", what)
		}
		return t.text, nil
	case tString:
		return "", errAt(t.pos, "Invalid syntax. A %s must be unquoted or surrounded by double quotes; single "+
			"quotation marks are for label values", what)
	}
	return "", p.unexpected("Expected a " + what)
}

func (p *parser) orExpr() (Condition, error) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = &Or{L: l, R: r}
	}
	return l, nil
}

func (p *parser) andExpr() (Condition, error) {
	l, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("AND") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := p.primary()
		if err != nil {
			return nil, err
		}
		l = &And{L: l, R: r}
	}
	return l, nil
}

var unsupportedOperators = map[string]bool{
	"LIKE": true, "ILIKE": true, "RLIKE": true, "REGEXP": true, "IN": true, "NOT": true, "IS": true,
	"BETWEEN": true, "CONTAINS": true, "MATCHES": true, "SIMILAR": true,
	"<": true, ">": true, "<=": true, ">=": true, "<>": true, "==": true,
}

func unsupportedOperator(t token) *Error {
	op := t.text
	if t.kind == tWord {
		op = strings.ToUpper(op)
	}
	hint := ""
	if op == "<>" || op == "==" {
		hint = map[string]string{"<>": " Use != instead.", "==": " Use = instead."}[op]
	}
	return errAt(t.pos, "Unsupported operator '%s'. The WHERE clause supports =, !=, AND and OR.%s", op, hint)
}

func (p *parser) primary() (Condition, error) {
	if p.tok.kind == tLParen {
		if err := p.advance(); err != nil {
			return nil, err
		}
		c, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		return c, p.expect(tRParen, "')' or a logical operator")
	}
	if p.isKeyword("NOT") {
		return nil, unsupportedOperator(p.tok)
	}
	key, err := p.ident("label key")
	if err != nil {
		return nil, err
	}
	c := &Comparison{Key: key}
	switch {
	case p.tok.kind == tEq:
	case p.tok.kind == tNe:
		c.Not = true
	case (p.tok.kind == tWord || p.tok.kind == tPunct) && unsupportedOperators[strings.ToUpper(p.tok.text)]:
		return nil, unsupportedOperator(p.tok)
	default:
		return nil, p.unexpected("Expected = or !=")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tString {
		if p.tok.kind == tWord && strings.EqualFold(p.tok.text, "CURRENT_ACCOUNT_ID") {
			return nil, errAt(p.tok.pos, "CURRENT_ACCOUNT_ID() is not supported: cross-account queries are not available")
		}
		if p.tok.kind == tWord || p.tok.kind == tQuoted {
			return nil, errAt(p.tok.pos, "Invalid syntax. Label values must be enclosed in single quotation marks, "+
				"as in %s = 'value'", quoteIdent(key))
		}
		return nil, p.unexpected("Expected a label value in single quotation marks")
	}
	c.Value = p.tok.text
	return c, p.advance()
}

func (p *parser) orderBy() (*OrderBy, error) {
	t := p.tok
	if t.kind != tWord {
		return nil, p.unexpected("Expected a function (AVG, COUNT, MAX, MIN or SUM)")
	}
	f := lookupFunction(t.text)
	if err := p.advance(); err != nil {
		return nil, err
	}
	if f == 0 {
		if p.tok.kind == tLParen {
			return nil, errAt(t.pos, "Unsupported function '%s'. Valid functions are AVG, COUNT, MAX, MIN and SUM", t.text)
		}
		return nil, errAt(t.pos, "Invalid syntax. ORDER BY takes a function with empty parentheses, such as MAX(), "+
			"not %s", t.describe())
	}
	if err := p.expect(tLParen, "'(' after "+f.String()); err != nil {
		return nil, err
	}
	if p.tok.kind != tRParen {
		return nil, errAt(p.tok.pos, "Invalid syntax. The ORDER BY function takes no argument: write %s()", f)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	ob := &OrderBy{Function: f}
	switch {
	case p.isKeyword("DESC"):
		ob.Desc = true
		return ob, p.advance()
	case p.isKeyword("ASC"):
		return ob, p.advance()
	}
	return ob, nil
}

func (p *parser) limit() (int, error) {
	t := p.tok
	if t.kind == tPunct && t.text == "-" {
		return 0, errAt(t.pos, "LIMIT must be a whole number from 1 to %d", MaxLimit)
	}
	if t.kind != tWord {
		return 0, p.unexpected("Expected a number after LIMIT")
	}
	for _, r := range t.text {
		if r < '0' || r > '9' {
			return 0, errAt(t.pos, "Invalid syntax. LIMIT takes a whole number but found %s", t.describe())
		}
	}
	if err := p.advance(); err != nil {
		return 0, err
	}
	if p.tok.kind == tPunct && p.tok.text == "." {
		return 0, errAt(t.pos, "LIMIT must be a whole number from 1 to %d", MaxLimit)
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, errAt(t.pos, "LIMIT must be a whole number from 1 to %d, not %s", MaxLimit, t.text)
	}
	return n, nil
}
