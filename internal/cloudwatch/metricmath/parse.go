package metricmath

import (
	"math"
	"strconv"
	"strings"
)

// MaxExpressionLength bounds the expression text, as CloudWatch bounds the
// Expression field (2048 characters in the API model).
const MaxExpressionLength = 2048

// Parse parses a metric math expression. Every error is an *Error carrying
// the byte position of the problem.
//
// Grammar, lowest precedence first (all binary operators left-associative
// except ^):
//
//	or      = and { ("OR" | "||") and }
//	and     = not { ("AND" | "&&") not }
//	not     = "NOT" not | cmp
//	cmp     = add { ("==" | "!=" | "<" | "<=" | ">" | ">=") add }
//	add     = mul { ("+" | "-") mul }
//	mul     = unary { ("*" | "/") unary }
//	unary   = "-" unary | pow
//	pow     = primary [ "^" unary ]
//	primary = number | id | string | KEYWORD | FUNC "(" [ args ] ")"
//	        | "(" or ")" | "[" or { "," or } "]"
func Parse(expr string) (*Expr, error) {
	if len(expr) > MaxExpressionLength {
		return nil, errorf(MaxExpressionLength, "The expression is longer than %d characters", MaxExpressionLength)
	}
	toks, lerr := tokenize(expr)
	if lerr != nil {
		return nil, lerr
	}
	if len(toks) > 0 && toks[0].kind == tokIdent && strings.EqualFold(toks[0].text, "SELECT") {
		return nil, &Error{Pos: toks[0].pos, Msg: insightsMsg}
	}
	p := &parser{toks: toks, src: expr}
	if p.peek().kind == tokEOF {
		return nil, errorf(0, "The expression is empty")
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errorf(t.pos, "Unexpected %s", describe(t))
	}
	if err := check(root, true); err != nil {
		return nil, err
	}
	return &Expr{Root: root, Src: expr}, nil
}

type parser struct {
	toks  []token
	i     int
	src   string
	depth int
}

const maxDepth = 200

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of expression"
	case tokString:
		return "string " + strconv.Quote(t.text)
	case tokNumber:
		return "number " + t.text
	}
	return strconv.Quote(t.text)
}

func (p *parser) isOp(text string) bool {
	t := p.peek()
	return t.kind == tokOp && t.text == text
}

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tokIdent && t.text == w
}

func (p *parser) expect(text string) (token, *Error) {
	t := p.peek()
	if t.kind != tokOp || t.text != text {
		return t, errorf(t.pos, "Expected %q but found %s", text, describe(t))
	}
	return p.advance(), nil
}

func (p *parser) enter(pos int) *Error {
	p.depth++
	if p.depth > maxDepth {
		return errorf(pos, "The expression is nested too deeply")
	}
	return nil
}

func (p *parser) parseOr() (Node, *Error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.isWord("OR") || p.isOp("||") {
		t := p.advance()
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &Binary{P: t.pos, Op: "OR", L: l, R: r}
	}
	return l, nil
}

func (p *parser) parseAnd() (Node, *Error) {
	l, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for p.isWord("AND") || p.isOp("&&") {
		t := p.advance()
		r, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		l = &Binary{P: t.pos, Op: "AND", L: l, R: r}
	}
	return l, nil
}

func (p *parser) parseNot() (Node, *Error) {
	if p.isWord("NOT") {
		t := p.advance()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		x, err := p.parseNot()
		p.depth--
		if err != nil {
			return nil, err
		}
		return &Unary{P: t.pos, Op: "NOT", X: x}, nil
	}
	return p.parseCmp()
}

func (p *parser) parseCmp() (Node, *Error) {
	l, err := p.parseAdd()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp {
			return l, nil
		}
		switch t.text {
		case "==", "!=", "<", "<=", ">", ">=":
		default:
			return l, nil
		}
		p.advance()
		r, err := p.parseAdd()
		if err != nil {
			return nil, err
		}
		l = &Binary{P: t.pos, Op: t.text, L: l, R: r}
	}
}

func (p *parser) parseAdd() (Node, *Error) {
	l, err := p.parseMul()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		t := p.advance()
		r, err := p.parseMul()
		if err != nil {
			return nil, err
		}
		l = &Binary{P: t.pos, Op: t.text, L: l, R: r}
	}
	return l, nil
}

func (p *parser) parseMul() (Node, *Error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") {
		t := p.advance()
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = &Binary{P: t.pos, Op: t.text, L: l, R: r}
	}
	return l, nil
}

func (p *parser) parseUnary() (Node, *Error) {
	if p.isOp("-") {
		t := p.advance()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		x, err := p.parseUnary()
		p.depth--
		if err != nil {
			return nil, err
		}
		// Fold -number into a literal so that "-5" prints as -5.
		if n, ok := x.(*Number); ok {
			return &Number{P: t.pos, Value: -n.Value}, nil
		}
		return &Unary{P: t.pos, Op: "-", X: x}, nil
	}
	return p.parsePow()
}

func (p *parser) parsePow() (Node, *Error) {
	base, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	if p.isOp("^") {
		t := p.advance()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		exp, err := p.parseUnary() // right-associative: 2^3^2 = 2^(3^2)
		p.depth--
		if err != nil {
			return nil, err
		}
		return &Binary{P: t.pos, Op: "^", L: base, R: exp}, nil
	}
	return base, nil
}

func (p *parser) parsePrimary() (Node, *Error) {
	t := p.peek()
	switch t.kind {
	case tokEOF:
		return nil, errorf(t.pos, "Unexpected end of expression")
	case tokNumber:
		p.advance()
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsInf(v, 0) {
			return nil, errorf(t.pos, "Invalid number %s", t.text)
		}
		return &Number{P: t.pos, Value: v}, nil
	case tokString:
		p.advance()
		return &StringLit{P: t.pos, Value: t.text, Raw: t.raw}, nil
	case tokIdent:
		p.advance()
		if p.isOp("(") {
			return p.parseCall(t)
		}
		switch t.text {
		case "AND", "OR", "NOT":
			return nil, errorf(t.pos, "Unexpected operator %s", t.text)
		}
		c := t.text[0]
		if c >= 'a' && c <= 'z' {
			return &Ident{P: t.pos, Name: t.text}, nil
		}
		if _, ok := keywords[t.text]; ok {
			return &Keyword{P: t.pos, Name: t.text}, nil
		}
		if _, ok := functions[t.text]; ok {
			return nil, errorf(t.pos, "The function %s must be called with parentheses", t.text)
		}
		return nil, errorf(t.pos, "Unrecognized identifier %s: metric and expression ids must start with a lowercase letter", t.text)
	}
	switch t.text {
	case "(":
		p.advance()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		x, err := p.parseOr()
		p.depth--
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
		return x, nil
	case "[":
		p.advance()
		if err := p.enter(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		arr := &Array{P: t.pos}
		if p.isOp("]") {
			return nil, errorf(p.peek().pos, "An array must contain at least one element")
		}
		for {
			x, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			arr.Elems = append(arr.Elems, x)
			if p.isOp(",") {
				p.advance()
				continue
			}
			if _, err := p.expect("]"); err != nil {
				return nil, err
			}
			return arr, nil
		}
	}
	return nil, errorf(t.pos, "Unexpected %s", describe(t))
}

func (p *parser) parseCall(name token) (Node, *Error) {
	open := p.advance() // "("
	if err := p.enter(open.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	call := &Call{P: name.pos, Name: name.text}
	if !p.isOp(")") {
		for {
			x, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			call.Args = append(call.Args, x)
			if p.isOp(",") {
				p.advance()
				continue
			}
			break
		}
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	if err := p.resolveCall(call); err != nil {
		return nil, err
	}
	return call, nil
}

// resolveCall checks the function name and its arity, and parses the SEARCH
// string. Argument types are checked by Eval (they depend on the data).
func (p *parser) resolveCall(c *Call) *Error {
	if name, ok := unsupported[c.Name]; ok {
		return unsupportedf(c.P, "The function %s is not supported by Vigil yet%s", c.Name, name)
	}
	spec, ok := functions[c.Name]
	if !ok {
		if strings.ToUpper(c.Name) != c.Name {
			if _, ok := functions[strings.ToUpper(c.Name)]; ok {
				return errorf(c.P, "Unrecognized function %s: function names must be written in uppercase letters", c.Name)
			}
		}
		return errorf(c.P, "Unrecognized function %s", c.Name)
	}
	if len(c.Args) < spec.min || len(c.Args) > spec.max {
		return errorf(c.P, "The function %s expects %s, got %d", c.Name, spec.arity(), len(c.Args))
	}
	if c.Name == "SEARCH" {
		return p.resolveSearch(c)
	}
	return nil
}

func (p *parser) resolveSearch(c *Call) *Error {
	s, ok := c.Args[0].(*StringLit)
	if !ok {
		return errorf(c.Args[0].Pos(), "The first argument of SEARCH must be a search expression in single quotes")
	}
	// Positions inside the search string map back into the expression: the
	// raw text starts one byte after the opening quote.
	q, err := parseSearchAt(s.Raw, s.P+1)
	if err != nil {
		return err
	}
	c.Search = q
	if len(c.Args) < 2 {
		return errorf(c.P, "SEARCH needs a statistic, for example SEARCH('{AWS/EC2,InstanceId} CPUUtilization', 'Average', 300)")
	}
	st, ok := c.Args[1].(*StringLit)
	if !ok || strings.TrimSpace(st.Value) == "" {
		return errorf(c.Args[1].Pos(), "The second argument of SEARCH must be a statistic in single quotes, such as 'Average'")
	}
	c.Stat = strings.TrimSpace(st.Value)
	if len(c.Args) == 3 {
		n, ok := c.Args[2].(*Number)
		if !ok || n.Value != math.Trunc(n.Value) || !validPeriod(int64(n.Value)) {
			return errorf(c.Args[2].Pos(), "The period of SEARCH must be 1, 5, 10, 20, 30, 60 or a multiple of 60 seconds")
		}
		c.Period = int(n.Value)
	}
	return nil
}

func validPeriod(p int64) bool {
	switch p {
	case 1, 5, 10, 20, 30:
		return true
	}
	return p >= 60 && p%60 == 0 && p <= 1<<31-1
}
