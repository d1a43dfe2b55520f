package alarmrule

import (
	"strconv"
	"unicode/utf8"
)

// Rule is a parsed AlarmRule. It is immutable and safe for concurrent use.
type Rule struct {
	root node
	refs []Ref // distinct, in order of first appearance
}

// Documented limits of an AlarmRule.
const (
	MaxLength   = 10240 // characters
	MaxChildren = 100   // distinct child alarms
	MaxElements = 500   // child alarm references, TRUE/FALSE, parenthesis pairs
)

// Parse parses an AlarmRule. Every error is an *Error whose Msg is the
// message to return to the client.
func Parse(rule string) (*Rule, error) {
	if n := utf8.RuneCountInString(rule); n > MaxLength {
		excess, i := 0, 0
		for excess = range rule {
			if i == MaxLength {
				break
			}
			i++
		}
		return nil, errAt(rule, excess, "The AlarmRule is %d characters long, more than the maximum of %d: the excess starts {at}", n, MaxLength)
	}
	p := &parser{src: rule, lx: lexer{src: rule}, children: map[string]bool{}, seen: map[Ref]bool{}}
	r, err := p.parse()
	if err != nil {
		return nil, err
	}
	return r, nil
}

type parser struct {
	src      string
	lx       lexer
	tok      token
	elements int
	children map[string]bool // distinct child alarm names
	seen     map[Ref]bool
	refs     []Ref
}

func (p *parser) parse() (*Rule, *Error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, errExpected(p.src, p.tok, expectTopOp)
	}
	return &Rule{root: root, refs: p.refs}, nil
}

func (p *parser) advance() *Error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) isWord(w string) bool { return p.tok.kind == tWord && p.tok.text == w }

// expect checks that the current token is of kind k and moves past it.
func (p *parser) expect(k tokKind, expected string) *Error {
	if p.tok.kind != k {
		return errExpected(p.src, p.tok, expected)
	}
	return p.advance()
}

func (p *parser) parseOr() (node, *Error) {
	x, err := p.parseAnd()
	if err != nil || !p.isWord("OR") {
		return x, err
	}
	var xs []node
	xs = appendFlat(xs, x, false)
	for p.isWord("OR") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		xs = appendFlat(xs, y, false)
	}
	return orNode{xs: xs}, nil
}

func (p *parser) parseAnd() (node, *Error) {
	x, err := p.parseNot()
	if err != nil || !p.isWord("AND") {
		return x, err
	}
	var xs []node
	xs = appendFlat(xs, x, true)
	for p.isWord("AND") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		xs = appendFlat(xs, y, true)
	}
	return andNode{xs: xs}, nil
}

// appendFlat appends x to the operands of an AND or OR, splicing in x's own
// operands when x is the same operator (written in parentheses).
func appendFlat(xs []node, x node, and bool) []node {
	switch v := x.(type) {
	case andNode:
		if and {
			return append(xs, v.xs...)
		}
	case orNode:
		if !and {
			return append(xs, v.xs...)
		}
	}
	return append(xs, x)
}

func (p *parser) parseNot() (node, *Error) {
	n := 0
	for p.isWord("NOT") {
		n++
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for ; n > 0; n-- {
		x = notNode{x: x}
	}
	return x, nil
}

func (p *parser) parsePrimary() (node, *Error) {
	t := p.tok
	switch t.kind {
	case tLParen:
		if err := p.element(t); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(tRParen, expectParenOp); err != nil {
			return nil, err
		}
		return x, nil
	case tWord:
		switch t.text {
		case "TRUE", "FALSE":
			if err := p.element(t); err != nil {
				return nil, err
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
			return constNode{value: t.text == "TRUE"}, nil
		case "ALARM", "OK", "INSUFFICIENT_DATA":
			st, _ := ParseState(t.text)
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.expect(tLParen, expectLParen); err != nil {
				return nil, err
			}
			ref, err := p.parseRef()
			if err != nil {
				return nil, err
			}
			if err := p.expect(tRParen, expectRParen); err != nil {
				return nil, err
			}
			return stateNode{state: st, ref: ref}, nil
		case "AT_LEAST":
			return p.parseAtLeast()
		}
	}
	return nil, errExpected(p.src, t, expectOperand)
}

// parseRef reads one alarm reference and counts it as a child alarm
// element.
func (p *parser) parseRef() (Ref, *Error) {
	t := p.tok
	if t.kind != tWord && t.kind != tString {
		return Ref{}, errExpected(p.src, t, expectRef)
	}
	ref, msg := newRef(t.text)
	if msg != "" {
		return Ref{}, errAt(p.src, t.pos, "%s", msg)
	}
	if err := p.element(t); err != nil {
		return Ref{}, err
	}
	if !p.children[ref.Name] {
		if len(p.children) == MaxChildren {
			return Ref{}, errAt(p.src, t.pos, "The AlarmRule references more than %d child alarms: '%s' {at} is child alarm number %d",
				MaxChildren, truncate(ref.Name), MaxChildren+1)
		}
		p.children[ref.Name] = true
	}
	if !p.seen[ref] {
		p.seen[ref] = true
		p.refs = append(p.refs, ref)
	}
	return ref, p.advance()
}

// element counts one element (a child alarm reference, TRUE or FALSE, or a
// pair of parentheses) against MaxElements.
func (p *parser) element(t token) *Error {
	p.elements++
	if p.elements > MaxElements {
		return errAt(p.src, t.pos, "The AlarmRule has more than %d elements (child alarms, TRUE or FALSE, and pairs of parentheses): element number %d is", MaxElements, MaxElements+1)
	}
	return nil
}

func (p *parser) parseAtLeast() (node, *Error) {
	if err := p.advance(); err != nil { // AT_LEAST
		return nil, err
	}
	if err := p.expect(tLParen, expectLParen); err != nil {
		return nil, err
	}

	// Threshold: digits, or digits immediately followed by '%'.
	th := p.tok
	if th.kind != tWord {
		return nil, errExpected(p.src, th, expectThresh)
	}
	digits, percent := th.text, false
	if n := len(digits); n > 1 && digits[n-1] == '%' {
		digits, percent = digits[:n-1], true
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return nil, errExpected(p.src, th, expectThresh)
		}
	}
	threshold, convErr := strconv.Atoi(digits)
	if convErr != nil || threshold > 1<<20 {
		threshold = 1 << 20 // out of range either way; reported below
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tComma, expectComma); err != nil {
		return nil, err
	}

	// State condition: [NOT] ALARM | OK | INSUFFICIENT_DATA.
	negate := false
	if p.isWord("NOT") {
		negate = true
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if p.tok.kind != tWord {
		return nil, errExpected(p.src, p.tok, expectState)
	}
	st, ok := ParseState(p.tok.text)
	if !ok {
		return nil, errExpected(p.src, p.tok, expectState)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.expect(tComma, expectComma); err != nil {
		return nil, err
	}

	// The alarm list; its parentheses count as one element.
	if p.tok.kind != tLParen {
		return nil, errExpected(p.src, p.tok, expectLParen)
	}
	if err := p.element(p.tok); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var refs []Ref
	for {
		t := p.tok
		ref, err := p.parseRef()
		if err != nil {
			return nil, err
		}
		// By name: a name and the ARN of the same alarm would count it twice.
		for _, r := range refs {
			if r.Name == ref.Name {
				return nil, errAt(p.src, t.pos, "Alarm '%s' {at} is listed twice in AT_LEAST", truncate(ref.Name))
			}
		}
		refs = append(refs, ref)
		if p.tok.kind == tComma {
			if err := p.advance(); err != nil {
				return nil, err
			}
			continue
		}
		if err := p.expect(tRParen, expectListNext); err != nil {
			return nil, err
		}
		break
	}
	if err := p.expect(tRParen, expectRParen); err != nil {
		return nil, err
	}

	switch {
	case percent && (threshold < 1 || threshold > 100):
		return nil, errAt(p.src, th.pos, "AT_LEAST percentage %s {at} must be between 1%% and 100%%", truncate(th.text))
	case !percent && (threshold < 1 || threshold > len(refs)):
		return nil, errAt(p.src, th.pos, "AT_LEAST count %s {at} must be between 1 and the number of alarms listed (%d)", truncate(th.text), len(refs))
	}
	return atLeastNode{threshold: threshold, percent: percent, negate: negate, state: st, refs: refs}, nil
}

// Refs returns each alarm the rule references, once, in order of first
// appearance (including those listed in AT_LEAST). A name and the ARN of
// the same alarm are both returned; the caller resolves them. The caller
// must not modify the slice.
func (r *Rule) Refs() []Ref { return r.refs }
