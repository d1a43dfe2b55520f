package filterpattern

import (
	"strconv"
	"strings"
)

// pathElem is one step of a selector: .key or [index].
type pathElem struct {
	key   string
	index int
	isIdx bool
}

// selector is a parsed $.a.b[0] reference.
type selector struct {
	text string
	path []pathElem
}

// parseSelector reads a selector at lx.i: '$' then one or more .name / [N] steps,
// the first being a .name ("array elements … must follow a property"). Names are
// alphanumerics, '-' and '_' (the docs' definition of property selectors).
func (lx *lexer) selector() (selector, *Error) {
	lx.ws()
	start := lx.i
	s := lx.s
	if lx.i >= len(s) || s[lx.i] != '$' {
		return selector{}, errorf(lx.i, "expected a selector starting with $.")
	}
	i := lx.i + 1
	var path []pathElem
	for i < len(s) {
		if s[i] == '.' {
			j := i + 1
			for j < len(s) && (isWordChar(s[j]) || s[j] == '-') {
				j++
			}
			if j == i+1 {
				if j < len(s) && s[j] == '*' {
					return selector{}, errorf(j, "wildcard selectors are not supported")
				}
				return selector{}, errorf(j, "expected a property name after '.'")
			}
			path = append(path, pathElem{key: s[i+1 : j]})
			i = j
			continue
		}
		if s[i] == '[' {
			if len(path) == 0 {
				return selector{}, errorf(i, "array elements must follow a property")
			}
			j := i + 1
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j == i+1 || j >= len(s) || s[j] != ']' {
				if j < len(s) && s[j] == '*' {
					return selector{}, errorf(j, "wildcard array indexes are not supported")
				}
				return selector{}, errorf(i, "expected [NUMBER]")
			}
			n, err := strconv.Atoi(s[i+1 : j])
			if err != nil || n > 1<<20 {
				return selector{}, errorf(i, "array index out of range")
			}
			path = append(path, pathElem{index: n, isIdx: true})
			i = j + 1
			continue
		}
		break
	}
	if len(path) == 0 {
		return selector{}, errorf(start, "expected $. followed by a property name")
	}
	if i < len(s) && !isSpace(s[i]) && strings.IndexByte("=!<>)&|}", s[i]) < 0 {
		return selector{}, charErrorf(i, "unexpected %q in selector", s[i])
	}
	lx.i = i
	return selector{text: s[start:i], path: path}, nil
}

// testKind is what a JSON condition checks.
type testKind uint8

const (
	testCmp testKind = iota
	testTrue
	testFalse
	testNull
	testNotExists
)

type jcond struct {
	sel  selector
	leaf int32
	test testKind
	cmp  *comparison
}

// jexpr is a node of a JSON expression: op '&' or '|' with l and r, or a condition.
type jexpr struct {
	op   byte
	l, r *jexpr
	cond *jcond
}

type jsonPattern struct {
	expr   *jexpr
	trie   jtrie
	nleaf  int
	nregex int
}

func parseJSON(s string) (*jsonPattern, *Error) {
	// s starts with '{' and ends with '}' (checked by Parse).
	lx := &lexer{s: s[:len(s)-1], i: 1}
	jp := &jsonPattern{}
	jp.trie.init()
	if lx.eof() {
		return nil, errorf(0, "empty JSON filter pattern")
	}
	e, err := jp.parseOr(lx, 0)
	if err != nil {
		return nil, err
	}
	if !lx.eof() {
		if lx.s[lx.i] == ')' {
			return nil, errorf(lx.i, "unbalanced ')'")
		}
		return nil, errorf(lx.i, "expected && or || or the end of the pattern")
	}
	jp.expr = e
	jp.nleaf = jp.trie.nleaf
	jp.nregex = lx.nregex
	return jp, nil
}

const maxNesting = 100

func (jp *jsonPattern) parseOr(lx *lexer, depth int) (*jexpr, *Error) {
	l, err := jp.parseAnd(lx, depth)
	if err != nil {
		return nil, err
	}
	for lx.hasPrefix("||") {
		lx.i += 2
		r, err := jp.parseAnd(lx, depth)
		if err != nil {
			return nil, err
		}
		l = &jexpr{op: '|', l: l, r: r}
	}
	return l, nil
}

func (jp *jsonPattern) parseAnd(lx *lexer, depth int) (*jexpr, *Error) {
	l, err := jp.parseUnary(lx, depth)
	if err != nil {
		return nil, err
	}
	for lx.hasPrefix("&&") {
		lx.i += 2
		r, err := jp.parseUnary(lx, depth)
		if err != nil {
			return nil, err
		}
		l = &jexpr{op: '&', l: l, r: r}
	}
	return l, nil
}

func (jp *jsonPattern) parseUnary(lx *lexer, depth int) (*jexpr, *Error) {
	switch lx.peekByte() {
	case '(':
		if depth >= maxNesting {
			return nil, errorf(lx.i, "parentheses nested too deeply")
		}
		at := lx.i
		lx.i++
		e, err := jp.parseOr(lx, depth+1)
		if err != nil {
			return nil, err
		}
		if lx.peekByte() != ')' {
			return nil, errorf(at, "unbalanced '('")
		}
		lx.i++
		return e, nil
	case 0:
		return nil, errorf(lx.i, "expected a condition")
	case '$':
	default:
		if lx.hasPrefix("!") {
			return nil, errorf(lx.i, "negation with ! is not supported (use != or NOT EXISTS)")
		}
		return nil, errorf(lx.i, "expected a selector starting with $.")
	}
	sel, err := lx.selector()
	if err != nil {
		return nil, err
	}
	c := &jcond{sel: sel}
	c.leaf = int32(jp.trie.add(sel.path))
	lx.ws()
	if w, ok := lx.keyword(); ok {
		switch w {
		case "IS":
			at := lx.i
			w2, _ := lx.keyword()
			switch w2 {
			case "TRUE":
				c.test = testTrue
			case "FALSE":
				c.test = testFalse
			case "NULL":
				c.test = testNull
			case "NOT":
				return nil, errorf(at, "IS NOT is not supported by CloudWatch Logs")
			default:
				return nil, errorf(at, "IS must be followed by TRUE, FALSE or NULL")
			}
		case "NOT":
			at := lx.i
			w2, _ := lx.keyword()
			if w2 != "EXISTS" {
				return nil, errorf(at, "NOT must be followed by EXISTS")
			}
			c.test = testNotExists
		case "EXISTS":
			return nil, errorf(lx.i-len(w), "EXISTS is not supported by CloudWatch Logs (use NOT EXISTS, or = *)")
		default:
			return nil, errorf(lx.i-len(w), "unexpected %q after a selector", w)
		}
		return &jexpr{cond: c}, nil
	}
	cmp, err := lx.comparison()
	if err != nil {
		return nil, err
	}
	c.cmp = cmp
	return &jexpr{cond: c}, nil
}

// keyword reads a run of letters, upper-cased (IS TRUE, is true and Is True are the
// same keyword).
func (lx *lexer) keyword() (string, bool) {
	lx.ws()
	j := lx.i
	for j < len(lx.s) && (lx.s[j] >= 'a' && lx.s[j] <= 'z' || lx.s[j] >= 'A' && lx.s[j] <= 'Z') {
		j++
	}
	if j == lx.i {
		return "", false
	}
	w := strings.ToUpper(lx.s[lx.i:j])
	lx.i = j
	return w, true
}

func (jp *jsonPattern) match(msg string) bool {
	var buf [16]jval
	var vals []jval
	if jp.nleaf <= len(buf) {
		vals = buf[:jp.nleaf]
	} else {
		vals = make([]jval, jp.nleaf)
	}
	if !scanJSON(msg, &jp.trie, vals) {
		return false
	}
	return jp.expr.eval(msg, vals)
}

func (e *jexpr) eval(msg string, vals []jval) bool {
	switch e.op {
	case '&':
		return e.l.eval(msg, vals) && e.r.eval(msg, vals)
	case '|':
		return e.l.eval(msg, vals) || e.r.eval(msg, vals)
	}
	c := e.cond
	v := vals[c.leaf]
	switch c.test {
	case testTrue:
		return v.kind == jTrue
	case testFalse:
		return v.kind == jFalse
	case testNull:
		return v.kind == jNull
	case testNotExists:
		return v.kind == jMissing
	}
	switch v.kind {
	case jMissing, jObject, jArray:
		// "If a property selector points to an array or object, the metric filter
		// won't match"; a missing property has no value to compare either.
		return false
	}
	return c.cmp.test(v.text(msg))
}

func (jp *jsonPattern) String() string {
	return "{ " + jp.expr.String() + " }"
}

func (e *jexpr) String() string {
	var b strings.Builder
	e.write(&b, 0)
	return b.String()
}

// write renders e; parent is the operator of the enclosing node (0 at the top), so
// an || inside an && gets the parentheses it needs.
func (e *jexpr) write(b *strings.Builder, parent byte) {
	switch e.op {
	case '&', '|':
		paren := e.op == '|' && parent == '&'
		if paren {
			b.WriteByte('(')
		}
		e.l.write(b, e.op)
		if e.op == '&' {
			b.WriteString(" && ")
		} else {
			b.WriteString(" || ")
		}
		// Operators are left-associative: a right operand of the same operator came
		// from parentheses; keep them so the tree round-trips exactly.
		if e.r.op == e.op {
			b.WriteByte('(')
			e.r.write(b, 0)
			b.WriteByte(')')
		} else {
			e.r.write(b, e.op)
		}
		if paren {
			b.WriteByte(')')
		}
		return
	}
	c := e.cond
	b.WriteString(c.sel.text)
	switch c.test {
	case testTrue:
		b.WriteString(" IS TRUE")
	case testFalse:
		b.WriteString(" IS FALSE")
	case testNull:
		b.WriteString(" IS NULL")
	case testNotExists:
		b.WriteString(" NOT EXISTS")
	default:
		b.WriteByte(' ')
		b.WriteString(c.cmp.String())
	}
}
