package query

import (
	"regexp"
	"strconv"
	"strings"
)

// Query is a parsed query: an optional SOURCE clause and the commands of the
// pipeline in order. A Query is immutable once Parse returns it and may be
// shared between goroutines.
type Query struct {
	Source   *Source
	Commands []Command
}

// Node is implemented by every expression and command.
type Node interface {
	// Start is the byte offset of the node in the query string.
	Start() int
	// String is the canonical form; it parses back to an equal String.
	String() string
}

// Expr is an expression node: *FieldRef, *StringLit, *NumberLit,
// *DurationLit, *RegexLit, *Star, *Binary, *Unary, *Call, *InList, *Like.
type Expr interface {
	Node
	exprNode()
}

// PathElem is one step of a field path: a name, or an [index] into a list.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// FieldRef names a log field or an alias: "@message", "a.b.c",
// "`foo-bar`", "json.users[1].action". Dotted names are kept as segments;
// whether "a.b" is the flattened field "a.b" or member b of map a is the
// executor's decision (Logs flattens JSON events on ingestion, jsonParse
// yields maps), so both are available: Path and Name.
type FieldRef struct {
	Pos  int
	Path []PathElem
}

// Name is the field name: the path segments joined with dots, indexes
// written as [n].
func (f *FieldRef) Name() string {
	var b strings.Builder
	for i, e := range f.Path {
		if e.IsIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.Name)
	}
	return b.String()
}

// StringLit is a quoted string, decoded.
type StringLit struct {
	Pos   int
	Value string
}

// NumberLit is a numeric literal; Text is as written.
type NumberLit struct {
	Pos   int
	Text  string
	Value float64
}

// DurationLit is a time period such as 5m or 1.5h. Unit is the canonical
// unit: ms, s, m, h, d, w, mo, q or y (months, quarters and years have no
// fixed length, so no single time.Duration is offered).
type DurationLit struct {
	Pos    int
	Text   string
	Amount float64
	Unit   string
}

// RegexLit is a /regular expression/. Source is the text between the
// slashes; Re is it compiled (RE2 syntax, with (?<name>...) groups).
type RegexLit struct {
	Pos    int
	Source string
	Re     *regexp.Regexp
}

// Star is the * of count(*).
type Star struct{ Pos int }

// BinaryOp is an infix operator.
type BinaryOp uint8

const (
	OpOr BinaryOp = iota
	OpAnd
	OpEq
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpMod
	OpPow
)

var binaryOpText = [...]string{
	OpOr: "or", OpAnd: "and", OpEq: "=", OpNe: "!=", OpLt: "<", OpLe: "<=",
	OpGt: ">", OpGe: ">=", OpAdd: "+", OpSub: "-", OpMul: "*", OpDiv: "/",
	OpMod: "%", OpPow: "^",
}

func (o BinaryOp) String() string { return binaryOpText[o] }

// Binary is L Op R.
type Binary struct {
	Pos  int
	Op   BinaryOp
	L, R Expr
}

// UnaryOp is a prefix operator.
type UnaryOp uint8

const (
	OpNot UnaryOp = iota
	OpNeg
)

// Unary is "not X" or "-X".
type Unary struct {
	Pos int
	Op  UnaryOp
	X   Expr
}

// Call is a function call. Func is the function table entry it resolved to
// (shared: read it, never modify it); Name is its canonical spelling
// (function names are case-insensitive).
type Call struct {
	Pos  int
	Name string
	Func *Function
	Args []Expr
}

// InList is "X in [a, b]" or "X not in [...]".
type InList struct {
	Pos  int
	X    Expr
	Not  bool
	List []Expr
}

// LikeOp distinguishes like from =~; both match a substring (quoted
// pattern) or a regular expression (/pattern/).
type LikeOp uint8

const (
	OpLike LikeOp = iota
	OpMatch
)

// Like is "X like P", "X not like P" or "X =~ P"; P is a *StringLit or a
// *RegexLit.
type Like struct {
	Pos     int
	Op      LikeOp
	Not     bool
	X       Expr
	Pattern Expr
}

func (*FieldRef) exprNode()    {}
func (*StringLit) exprNode()   {}
func (*NumberLit) exprNode()   {}
func (*DurationLit) exprNode() {}
func (*RegexLit) exprNode()    {}
func (*Star) exprNode()        {}
func (*Binary) exprNode()      {}
func (*Unary) exprNode()       {}
func (*Call) exprNode()        {}
func (*InList) exprNode()      {}
func (*Like) exprNode()        {}

func (e *FieldRef) Start() int    { return e.Pos }
func (e *StringLit) Start() int   { return e.Pos }
func (e *NumberLit) Start() int   { return e.Pos }
func (e *DurationLit) Start() int { return e.Pos }
func (e *RegexLit) Start() int    { return e.Pos }
func (e *Star) Start() int        { return e.Pos }
func (e *Binary) Start() int      { return e.Pos }
func (e *Unary) Start() int       { return e.Pos }
func (e *Call) Start() int        { return e.Pos }
func (e *InList) Start() int      { return e.Pos }
func (e *Like) Start() int        { return e.Pos }

// reservedWords are the words that are keywords where a field may stand;
// the printer backquotes field names spelled like them.
var reservedWords = []string{"and", "or", "not", "like", "in", "as", "by", "asc", "desc", "into", "output"}

// isReserved compares the way keywords are matched (strings.EqualFold), so
// that a name the parser would take for a keyword is always quoted.
func isReserved(s string) bool {
	for _, w := range reservedWords {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// writeName writes one path segment, backquoted unless it lexes back as the
// same bare segment. A first segment, or one right after an [index], must
// not start with a digit (it would lex as a number).
func writeName(b *strings.Builder, s string, first bool) {
	bare := s != ""
	for i, r := range s {
		if !isIdentChar(r) || (i == 0 && first && !isIdentStart(r)) {
			bare = false
			break
		}
	}
	if first && isReserved(s) {
		bare = false
	}
	if bare {
		b.WriteString(s)
		return
	}
	b.WriteByte('`')
	b.WriteString(s)
	b.WriteByte('`')
}

func (e *FieldRef) String() string {
	var b strings.Builder
	for i, p := range e.Path {
		if p.IsIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p.Index))
			b.WriteByte(']')
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		writeName(&b, p.Name, i == 0 || e.Path[i-1].IsIndex)
	}
	return b.String()
}

// formatAlias prints an alias (a field name, possibly dotted) so that it
// lexes back to the same name.
func formatAlias(name string) string {
	var b strings.Builder
	for i, seg := range strings.Split(name, ".") {
		if i > 0 {
			b.WriteByte('.')
		}
		if seg == "" {
			// An empty segment cannot be written as a path; quote whole.
			return "`" + name + "`"
		}
		writeName(&b, seg, i == 0)
	}
	return b.String()
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

func (e *StringLit) String() string   { return quote(e.Value) }
func (e *NumberLit) String() string   { return e.Text }
func (e *DurationLit) String() string { return e.Text }
func (e *RegexLit) String() string    { return "/" + e.Source + "/" }
func (e *Star) String() string        { return "*" }

// operand prints a sub-expression, parenthesized when it is an operator
// expression, so the canonical form shows how precedence grouped it.
func operand(e Expr) string {
	switch e := e.(type) {
	case *Binary, *InList, *Like:
		return "(" + e.String() + ")"
	case *Unary:
		if e.Op == OpNot {
			return "(" + e.String() + ")"
		}
	}
	return e.String()
}

func (e *Binary) String() string {
	l := operand(e.L)
	if _, ok := e.L.(*Unary); ok && e.Op == OpPow {
		// -x ^ y parses as -(x ^ y); keep (-x) ^ y grouped.
		l = "(" + l + ")"
	}
	return l + " " + e.Op.String() + " " + operand(e.R)
}

func (e *Unary) String() string {
	if e.Op == OpNot {
		return "not " + operand(e.X)
	}
	return "-" + operand(e.X)
}

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

func (e *Call) String() string { return e.Name + "(" + joinExprs(e.Args) + ")" }

func (e *InList) String() string {
	op := " in "
	if e.Not {
		op = " not in "
	}
	return operand(e.X) + op + "[" + joinExprs(e.List) + "]"
}

func (e *Like) String() string {
	op := " like "
	switch {
	case e.Op == OpMatch:
		op = " =~ "
	case e.Not:
		op = " not like "
	}
	return operand(e.X) + op + e.Pattern.String()
}

// Projection is an expression with an optional alias (fields, stats).
type Projection struct {
	Expr     Expr
	Alias    string
	AliasPos int
}

// Name is the result column: the alias, or the expression as written
// canonically.
func (p Projection) Name() string {
	if p.Alias != "" {
		return p.Alias
	}
	if f, ok := p.Expr.(*FieldRef); ok {
		return f.Name()
	}
	return p.Expr.String()
}

func (p Projection) String() string {
	if p.Alias == "" {
		return p.Expr.String()
	}
	return p.Expr.String() + " as " + formatAlias(p.Alias)
}

func joinProjections(ps []Projection) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, ", ")
}

func joinFields(fs []*FieldRef) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, ", ")
}

func (q *Query) String() string {
	parts := make([]string, 0, len(q.Commands)+1)
	if q.Source != nil {
		parts = append(parts, q.Source.String())
	}
	for _, c := range q.Commands {
		parts = append(parts, c.String())
	}
	return strings.Join(parts, " | ")
}
