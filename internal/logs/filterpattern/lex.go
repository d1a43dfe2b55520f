package filterpattern

import "strings"

// lexer holds the shared position-based helpers of the JSON and space-delimited
// parsers.
type lexer struct {
	s      string
	i      int
	nregex int
}

func (lx *lexer) ws() {
	for lx.i < len(lx.s) && isSpace(lx.s[lx.i]) {
		lx.i++
	}
}

func (lx *lexer) eof() bool { lx.ws(); return lx.i >= len(lx.s) }

func (lx *lexer) peekByte() byte {
	lx.ws()
	if lx.i >= len(lx.s) {
		return 0
	}
	return lx.s[lx.i]
}

func (lx *lexer) hasPrefix(p string) bool {
	lx.ws()
	return strings.HasPrefix(lx.s[lx.i:], p)
}

// op reads a comparison operator.
func (lx *lexer) op() (cmpOp, bool) {
	lx.ws()
	r := lx.s[lx.i:]
	switch {
	case strings.HasPrefix(r, "!="):
		lx.i += 2
		return opNe, true
	case strings.HasPrefix(r, "<="):
		lx.i += 2
		return opLe, true
	case strings.HasPrefix(r, ">="):
		lx.i += 2
		return opGe, true
	case strings.HasPrefix(r, "=="):
		return 0, false
	case strings.HasPrefix(r, "="):
		lx.i++
		return opEq, true
	case strings.HasPrefix(r, "<"):
		lx.i++
		return opLt, true
	case strings.HasPrefix(r, ">"):
		lx.i++
		return opGt, true
	}
	return 0, false
}

// comparison reads "<op> <value>" and checks that the value fits the operator.
func (lx *lexer) comparison() (*comparison, *Error) {
	at := lx.i
	op, ok := lx.op()
	if !ok {
		return nil, errorf(at, "expected a comparison operator (=, !=, <, <=, >, >=)")
	}
	lx.ws()
	vat := lx.i
	if lx.i >= len(lx.s) {
		return nil, errorf(vat, "expected a value after %s", op)
	}
	var lit literal
	switch c := lx.s[lx.i]; {
	case c == '"':
		text, next, err := readQuoted(lx.s, lx.i)
		if err != nil {
			return nil, err
		}
		lx.i = next
		lit = newLiteral(text, true)
	case c == '%':
		end := strings.IndexByte(lx.s[lx.i+1:], '%')
		if end < 0 {
			return nil, errorf(vat, "unterminated regular expression")
		}
		body := lx.s[lx.i+1 : lx.i+1+end]
		re, err := compileRegex(body, lx.i+1)
		if err != nil {
			return nil, err
		}
		lx.i += end + 2
		lx.nregex++
		if lx.nregex > 2 {
			return nil, errorf(vat, "a JSON or space-delimited filter pattern may contain at most 2 regular expressions")
		}
		lit = literal{text: body, regex: re}
	case isBareValueChar(c):
		j := lx.i
		for j < len(lx.s) && isBareValueChar(lx.s[j]) {
			j++
		}
		lit = newLiteral(lx.s[lx.i:j], false)
		lx.i = j
		if j < len(lx.s) && !isSpace(lx.s[j]) && strings.IndexByte("&|),]}", lx.s[j]) < 0 {
			return nil, charErrorf(j, "unquoted values may contain only letters, digits and _ . * + - (quote the value)")
		}
	default:
		return nil, charErrorf(vat, "unexpected %q where a value was expected (quote string values)", c)
	}
	if op >= opLt && !lit.isNum {
		if lit.regex != nil || lit.quoted {
			return nil, errorf(vat, "%s needs a number, not a string or regular expression", op)
		}
		return nil, errorf(vat, "%s needs a number", op)
	}
	return &comparison{op: op, lit: lit}, nil
}
