package metricmath

import (
	"strconv"
	"strings"
)

// Expr is a parsed metric math expression. It is immutable and safe to share.
type Expr struct {
	Root Node
	Src  string
}

// String prints the expression as an S-expression (used by golden tests).
func (e *Expr) String() string { return e.Root.String() }

// Refs returns the metric and expression ids the expression names directly,
// in first-use order, without duplicates. A handler uses it to order
// evaluation and to detect cycles. UsesAllMetrics reports METRICS(), which
// depends on every MetricStat query in the request.
func (e *Expr) Refs() []string {
	var out []string
	seen := map[string]bool{}
	walk(e.Root, func(n Node) {
		if id, ok := n.(*Ident); ok && !seen[id.Name] {
			seen[id.Name] = true
			out = append(out, id.Name)
		}
	})
	return out
}

// UsesAllMetrics reports whether the expression calls METRICS().
func (e *Expr) UsesAllMetrics() bool {
	found := false
	walk(e.Root, func(n Node) {
		if c, ok := n.(*Call); ok && c.Name == "METRICS" {
			found = true
		}
	})
	return found
}

// Searches returns the SEARCH calls of the expression, in source order.
func (e *Expr) Searches() []*Call {
	var out []*Call
	walk(e.Root, func(n Node) {
		if c, ok := n.(*Call); ok && c.Name == "SEARCH" {
			out = append(out, c)
		}
	})
	return out
}

func walk(n Node, f func(Node)) {
	f(n)
	switch n := n.(type) {
	case *Unary:
		walk(n.X, f)
	case *Binary:
		walk(n.L, f)
		walk(n.R, f)
	case *Call:
		for _, a := range n.Args {
			walk(a, f)
		}
	case *Array:
		for _, a := range n.Elems {
			walk(a, f)
		}
	}
}

// Node is one element of the expression tree.
type Node interface {
	Pos() int
	String() string
}

// Number is a numeric literal.
type Number struct {
	P     int
	Value float64
}

// Ident names a metric query or an earlier expression by Id.
type Ident struct {
	P    int
	Name string
}

// StringLit is a string literal ("…" or '…').
type StringLit struct {
	P     int
	Value string
	Raw   string // the text between the quotes, escapes kept
}

// Keyword is a bare upper-case word used as a function argument
// (REPEAT, LINEAR, ASC, DESC, AVG, MIN, MAX, SUM).
type Keyword struct {
	P    int
	Name string
}

// Unary is unary minus ("-") or logical negation ("NOT").
type Unary struct {
	P  int
	Op string
	X  Node
}

// Binary is an arithmetic, comparison or logical operator. Op is one of
// + - * / ^ == != < <= > >= AND OR (&& and || are normalised to AND and OR).
type Binary struct {
	P    int
	Op   string
	L, R Node
}

// Call is a function call. For SEARCH, Search holds the parsed search
// string, Stat the statistic and Period the period in seconds (0 when
// omitted).
type Call struct {
	P      int
	Name   string
	Args   []Node
	Search *Search
	Stat   string
	Period int
}

// Array is an array literal [a, b, …].
type Array struct {
	P     int
	Elems []Node
}

func (n *Number) Pos() int    { return n.P }
func (n *Ident) Pos() int     { return n.P }
func (n *StringLit) Pos() int { return n.P }
func (n *Keyword) Pos() int   { return n.P }
func (n *Unary) Pos() int     { return n.P }
func (n *Binary) Pos() int    { return n.P }
func (n *Call) Pos() int      { return n.P }
func (n *Array) Pos() int     { return n.P }

func (n *Number) String() string    { return strconv.FormatFloat(n.Value, 'g', -1, 64) }
func (n *Ident) String() string     { return n.Name }
func (n *StringLit) String() string { return strconv.Quote(n.Value) }
func (n *Keyword) String() string   { return n.Name }
func (n *Unary) String() string     { return "(" + n.Op + " " + n.X.String() + ")" }
func (n *Binary) String() string {
	return "(" + n.Op + " " + n.L.String() + " " + n.R.String() + ")"
}
func (n *Call) String() string {
	var b strings.Builder
	b.WriteString("(")
	b.WriteString(n.Name)
	if n.Search != nil {
		b.WriteString(" {")
		b.WriteString(n.Search.String())
		b.WriteString("} ")
		b.WriteString(strconv.Quote(n.Stat))
		if n.Period != 0 {
			b.WriteString(" ")
			b.WriteString(strconv.Itoa(n.Period))
		}
	} else {
		for _, a := range n.Args {
			b.WriteString(" ")
			b.WriteString(a.String())
		}
	}
	b.WriteString(")")
	return b.String()
}
func (n *Array) String() string {
	parts := make([]string, len(n.Elems))
	for i, e := range n.Elems {
		parts[i] = e.String()
	}
	return "[" + strings.Join(parts, " ") + "]"
}
