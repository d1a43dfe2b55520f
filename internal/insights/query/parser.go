package query

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// maxDepth bounds expression nesting so a hostile query cannot exhaust the
// stack.
const maxDepth = 200

// Parse parses a Logs Insights QL query string. It returns a *ParseError for
// anything malformed or unknown; nothing in the query is ignored.
func Parse(src string) (q *Query, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			q, err = nil, b.err
		}
	}()
	p := &parser{lx: lexer{src: src}, src: src}
	p.tok = p.lx.scan(0)
	q = p.parseQuery(false)
	if p.tok.kind != tEOF {
		p.mismatch("'|'")
	}
	validate(p, q)
	return q, nil
}

// MustParse is Parse for queries known to be valid (tests, built-in
// queries); it panics on error.
func MustParse(src string) *Query {
	q, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return q
}

type parser struct {
	lx    lexer
	src   string
	tok   token
	depth int
}

func (p *parser) next()       { p.tok = p.lx.scan(p.tok.end) }
func (p *parser) peek() token { return p.lx.scan(p.tok.end) }

func (p *parser) failAt(pos int, format string, args ...any) {
	panic(bail{newError(p.src, pos, fmt.Sprintf(format, args...))})
}

// mismatch reports the current token as unexpected.
func (p *parser) mismatch(expecting string) {
	p.failAt(p.tok.pos, "mismatched input %s expecting %s", p.lx.describe(p.tok), expecting)
}

// isWord reports whether t is the bare (unquoted, undotted) word w, compared
// case-insensitively: keywords and command names are case-insensitive
// (AWS's examples write both "filter ... in" and "FILTER ... IN").
func isWord(t token, w string) bool {
	return t.kind == tIdent && !t.quoted && len(t.segs) == 1 && strings.EqualFold(t.segs[0].Name, w)
}

func (p *parser) is(w string) bool { return isWord(p.tok, w) }

func (p *parser) expect(k tokKind, what string) token {
	if p.tok.kind != k {
		p.mismatch(what)
	}
	t := p.tok
	p.next()
	return t
}

func (p *parser) expectWord(w string) {
	if !p.is(w) {
		p.mismatch("'" + w + "'")
	}
	p.next()
}

// atCommandEnd reports whether the current command has ended.
func (p *parser) atCommandEnd(sub bool) bool {
	return p.tok.kind == tPipe || p.tok.kind == tEOF || (sub && p.tok.kind == tRParen)
}

// parseQuery parses [SOURCE ... |] command { | command }. In a subquery
// (sub) the query ends at the closing parenthesis.
func (p *parser) parseQuery(sub bool) *Query {
	q := &Query{}
	if p.tok.kind == tEOF || (sub && p.tok.kind == tRParen) {
		if sub {
			p.failAt(p.tok.pos, "subquery is empty")
		}
		p.failAt(p.tok.pos, "query is empty")
	}
	if p.is("SOURCE") {
		q.Source = p.parseSource(sub)
		if p.tok.kind != tPipe {
			return q
		}
		p.next()
	}
	for {
		q.Commands = append(q.Commands, p.parseCommand(sub))
		if !p.atCommandEnd(sub) {
			p.mismatch("'|'")
		}
		if p.tok.kind != tPipe {
			return q
		}
		p.next()
	}
}

type commandParser func(p *parser, pos int, sub bool) Command

var commandParsers map[string]commandParser

func init() {
	commandParsers = map[string]commandParser{
		"fields":      parseFields,
		"display":     parseDisplay,
		"filter":      parseFilter,
		"where":       parseFilter,
		"filterindex": parseFilterIndex,
		"stats":       parseStats,
		"sort":        parseSort,
		"limit":       parseLimit,
		"parse":       parseParse,
		"dedup":       parseDedup,
		"unmask":      parseUnmask,
		"unnest":      parseUnnest,
		"pattern":     parsePattern,
		"anomaly":     parseAnomaly,
		"diff":        parseDiff,
		"lookup":      parseLookup,
		"addtotals":   parseAddTotals,
		"logcompare":  parseLogCompare,
		"join":        parseJoin,
	}
}

// commandNames lists the commands for error messages.
const commandNames = "a command (fields, display, filter, where, filterIndex, stats, sort, limit, parse, dedup, unmask, unnest, pattern, anomaly, diff, lookup, addtotals, logcompare, join)"

func (p *parser) parseCommand(sub bool) Command {
	t := p.tok
	if t.kind == tIdent && !t.quoted && len(t.segs) == 1 {
		name := strings.ToLower(t.segs[0].Name)
		if name == "source" {
			p.failAt(t.pos, "SOURCE must be the first command of the query")
		}
		if f, ok := commandParsers[name]; ok {
			p.next()
			return f(p, t.pos, sub)
		}
	}
	p.mismatch(commandNames)
	return nil
}

// ---- expressions ----

// parseExpr parses a full expression. Precedence, loosest first:
//
//	or
//	and
//	not (prefix)
//	comparison: = != < <= > >= =~ like, not like, in, not in
//	+ -
//	* / %
//	- (prefix)
//	^ (right-associative)
func (p *parser) parseExpr() Expr {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(p.tok.pos, "expression is nested too deeply")
	}
	e := p.parseOr()
	p.depth--
	return e
}

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.is("or") {
		p.next()
		y := p.parseAnd()
		x = &Binary{Pos: x.Start(), Op: OpOr, L: x, R: y}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseNot()
	for p.is("and") {
		p.next()
		y := p.parseNot()
		x = &Binary{Pos: x.Start(), Op: OpAnd, L: x, R: y}
	}
	return x
}

func (p *parser) parseNot() Expr {
	if p.is("not") {
		pos := p.tok.pos
		p.next()
		p.depth++
		if p.depth > maxDepth {
			p.failAt(p.tok.pos, "expression is nested too deeply")
		}
		x := p.parseNot()
		p.depth--
		return &Unary{Pos: pos, Op: OpNot, X: x}
	}
	return p.parseCmp()
}

var cmpOps = map[tokKind]BinaryOp{tEq: OpEq, tNe: OpNe, tLt: OpLt, tLe: OpLe, tGt: OpGt, tGe: OpGe}

func (p *parser) parseCmp() Expr {
	x := p.parseAdd()
	for {
		if op, ok := cmpOps[p.tok.kind]; ok {
			p.next()
			y := p.parseAdd()
			x = &Binary{Pos: x.Start(), Op: op, L: x, R: y}
			continue
		}
		switch {
		case p.tok.kind == tMatch:
			p.next()
			x = &Like{Pos: x.Start(), Op: OpMatch, X: x, Pattern: p.parsePattern("=~")}
		case p.is("like"):
			p.next()
			x = &Like{Pos: x.Start(), Op: OpLike, X: x, Pattern: p.parsePattern("like")}
		case p.is("in"):
			p.next()
			x = &InList{Pos: x.Start(), X: x, List: p.parseList()}
		case p.is("not") && (isWord(p.peek(), "like") || isWord(p.peek(), "in")):
			p.next()
			if p.is("like") {
				p.next()
				x = &Like{Pos: x.Start(), Op: OpLike, Not: true, X: x, Pattern: p.parsePattern("not like")}
			} else {
				p.next()
				x = &InList{Pos: x.Start(), X: x, Not: true, List: p.parseList()}
			}
		default:
			return x
		}
	}
}

// parsePattern parses the right side of like / =~: a quoted substring or a
// /regular expression/.
func (p *parser) parsePattern(op string) Expr {
	switch p.tok.kind {
	case tString:
		s := &StringLit{Pos: p.tok.pos, Value: p.tok.str}
		p.next()
		return s
	case tSlash:
		return p.parseRegex()
	}
	p.mismatch("a quoted string or a /regular expression/ after " + op)
	return nil
}

// parseList parses [e1, e2, ...], the right side of in.
func (p *parser) parseList() []Expr {
	p.expect(tLBrack, "'[' to start the list after in")
	var list []Expr
	if p.tok.kind == tRBrack {
		p.next()
		return list
	}
	for {
		list = append(list, p.parseExpr())
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		p.expect(tRBrack, "',' or ']'")
		return list
	}
}

func (p *parser) parseAdd() Expr {
	x := p.parseMul()
	for p.tok.kind == tPlus || p.tok.kind == tMinus {
		op := OpAdd
		if p.tok.kind == tMinus {
			op = OpSub
		}
		p.next()
		y := p.parseMul()
		x = &Binary{Pos: x.Start(), Op: op, L: x, R: y}
	}
	return x
}

func (p *parser) parseMul() Expr {
	x := p.parseUnary()
	for {
		var op BinaryOp
		switch p.tok.kind {
		case tStar:
			op = OpMul
		case tSlash:
			op = OpDiv
		case tPercent:
			op = OpMod
		default:
			return x
		}
		p.next()
		y := p.parseUnary()
		x = &Binary{Pos: x.Start(), Op: op, L: x, R: y}
	}
}

func (p *parser) parseUnary() Expr {
	if p.tok.kind == tMinus {
		pos := p.tok.pos
		p.next()
		p.depth++
		if p.depth > maxDepth {
			p.failAt(p.tok.pos, "expression is nested too deeply")
		}
		x := p.parseUnary()
		p.depth--
		return &Unary{Pos: pos, Op: OpNeg, X: x}
	}
	return p.parsePow()
}

func (p *parser) parsePow() Expr {
	x := p.parsePrimary()
	if p.tok.kind == tCaret {
		p.next()
		p.depth++
		if p.depth > maxDepth {
			p.failAt(p.tok.pos, "expression is nested too deeply")
		}
		y := p.parseUnary()
		p.depth--
		x = &Binary{Pos: x.Start(), Op: OpPow, L: x, R: y}
	}
	return x
}

func (p *parser) parseRegex() *RegexLit {
	p.tok = p.lx.scanRegex(p.tok.pos)
	t := p.tok
	re, err := regexp.Compile(t.str)
	if err != nil {
		p.failAt(t.pos, "invalid regular expression /%s/: %s", t.str, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	p.next()
	if p.tok.kind == tIdent && p.tok.pos == t.end {
		// /abc/i: flags are written inline, as (?i), in Logs Insights.
		p.failAt(p.tok.pos, "unexpected %s after a regular expression; write flags inside it, as in /(?i)abc/", p.lx.describe(p.tok))
	}
	return &RegexLit{Pos: t.pos, Source: t.str, Re: re}
}

func (p *parser) parsePrimary() Expr {
	t := p.tok
	switch t.kind {
	case tNumber:
		p.next()
		return &NumberLit{Pos: t.pos, Text: p.src[t.pos:t.end], Value: t.num}
	case tDuration:
		p.next()
		return &DurationLit{Pos: t.pos, Text: p.src[t.pos:t.end], Amount: t.num, Unit: t.unit}
	case tString:
		p.next()
		return &StringLit{Pos: t.pos, Value: t.str}
	case tSlash:
		return p.parseRegex()
	case tLParen:
		p.next()
		e := p.parseExpr()
		p.expect(tRParen, "')'")
		return e
	case tIdent:
		if !t.quoted && len(t.segs) == 1 {
			if isReserved(t.segs[0].Name) {
				p.mismatch("an expression")
			}
			if p.peek().kind == tLParen {
				return p.parseCall()
			}
		}
		return p.parseField()
	}
	p.mismatch("an expression")
	return nil
}

// parseField parses a field path, with [index] and .member continuations
// after an index ("json.users[1].action").
func (p *parser) parseField() *FieldRef {
	if p.tok.kind != tIdent {
		p.mismatch("a field name")
	}
	f := &FieldRef{Pos: p.tok.pos, Path: append([]PathElem(nil), p.tok.segs...)}
	p.next()
	for p.tok.kind == tLBrack {
		p.next()
		t := p.tok
		n, err := strconv.Atoi(p.src[t.pos:t.end])
		if t.kind != tNumber || err != nil || n < 0 {
			p.mismatch("a list index (a non-negative integer)")
		}
		p.next()
		p.expect(tRBrack, "']'")
		f.Path = append(f.Path, PathElem{Index: n, IsIndex: true})
		for p.tok.kind == tDot {
			p.next()
			switch p.tok.kind {
			case tIdent:
				f.Path = append(f.Path, p.tok.segs...)
			case tNumber:
				text := p.src[p.tok.pos:p.tok.end]
				if strings.ContainsAny(text, ".eE") {
					p.mismatch("a field name")
				}
				f.Path = append(f.Path, PathElem{Name: text})
			default:
				p.mismatch("a field name")
			}
			p.next()
		}
	}
	return f
}

// parseName parses a name that is defined rather than referenced: an alias,
// a parse field, an unnest target. Dotted names are joined.
func (p *parser) parseName(what string) (string, int) {
	if p.tok.kind != tIdent {
		p.mismatch(what)
	}
	t := p.tok
	if !t.quoted && len(t.segs) == 1 && isReserved(t.segs[0].Name) {
		p.mismatch(what)
	}
	names := make([]string, len(t.segs))
	for i, s := range t.segs {
		names[i] = s.Name
	}
	p.next()
	return strings.Join(names, "."), t.pos
}

func (p *parser) parseCall() Expr {
	t := p.tok
	name := t.segs[0].Name
	f, ok := LookupFunction(name)
	if !ok {
		p.failAt(t.pos, "unknown function '%s'", name)
	}
	p.next() // name
	p.next() // (
	c := &Call{Pos: t.pos, Name: f.Name, Func: f}
	if p.tok.kind != tRParen {
		for {
			if p.tok.kind == tStar && f.StarArg && p.peek().kind == tRParen {
				c.Args = append(c.Args, &Star{Pos: p.tok.pos})
				p.next()
			} else {
				c.Args = append(c.Args, p.parseExpr())
			}
			if p.tok.kind == tComma {
				p.next()
				continue
			}
			break
		}
	}
	p.expect(tRParen, "',' or ')'")
	n := len(c.Args)
	if n < f.MinArgs || (f.MaxArgs >= 0 && n > f.MaxArgs) {
		p.failAt(t.pos, "function %s %s, got %d", f.Name, arity(f), n)
	}
	if f.PeriodArg >= 0 && f.PeriodArg < n {
		d, ok := c.Args[f.PeriodArg].(*DurationLit)
		if !ok {
			p.failAt(c.Args[f.PeriodArg].Start(), "the period argument of %s must be a time period such as 5m or 1h", f.Name)
		}
		p.checkPeriod(d)
	}
	return c
}

func arity(f *Function) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return strconv.Itoa(n) + " arguments"
	}
	switch {
	case f.MaxArgs < 0:
		return "takes at least " + plural(f.MinArgs)
	case f.MinArgs == 0:
		return "takes at most " + plural(f.MaxArgs)
	case f.MinArgs == f.MaxArgs:
		return "takes " + plural(f.MinArgs)
	default:
		return fmt.Sprintf("takes %d to %s", f.MinArgs, plural(f.MaxArgs))
	}
}

// parseProjections parses "expr [as alias] {, expr [as alias]}" until stop
// says the list ends (the stop word itself is not consumed).
func (p *parser) parseProjections(sub bool, stop string) []Projection {
	var out []Projection
	for {
		pr := Projection{Expr: p.parseExpr()}
		if p.is("as") {
			p.next()
			pr.Alias, pr.AliasPos = p.parseName("an alias name after as")
		}
		out = append(out, pr)
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		if p.atCommandEnd(sub) || (stop != "" && p.is(stop)) {
			return out
		}
		if stop != "" {
			p.mismatch("',', '" + stop + "' or '|'")
		}
		p.mismatch("',' or '|'")
	}
}

// parseFieldList parses "field {, field}".
func (p *parser) parseFieldList(sub bool) []*FieldRef {
	var out []*FieldRef
	for {
		out = append(out, p.parseField())
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		if !p.atCommandEnd(sub) {
			p.mismatch("',' or '|'")
		}
		return out
	}
}

// checkPeriod requires a positive whole number of units: 5m, not 1.5h or 0m.
func (p *parser) checkPeriod(d *DurationLit) {
	if d.Amount < 1 || d.Amount != float64(int64(d.Amount)) {
		p.failAt(d.Pos, "time period must be a positive whole number of units, got %s", d.Text)
	}
}
