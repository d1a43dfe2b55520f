package filterpattern

import (
	"strconv"
	"strings"
)

const ellipsis = "..."

// dfield is one comma-separated element of a space-delimited pattern.
type dfield struct {
	name string // "" for an unnamed field, "..." for the ellipsis
	cond *dexpr // nil: no condition
}

// dexpr is a condition on one field: op '&' / '|' with l and r, or a comparison.
type dexpr struct {
	op   byte
	l, r *dexpr
	ref  string // the field name as written in this comparison
	cmp  *comparison
}

type delimPattern struct {
	fields   []dfield
	ellipsis int // index of the ... field, -1 if none
	nregex   int
	names    map[string]int // "$name" -> field index
}

// parseDelimited parses [f1, f2 = v, ..., fn > 3]. s starts with '[' and ends with
// ']' (checked by Parse).
func parseDelimited(s string) (*delimPattern, *Error) {
	lx := &lexer{s: s[:len(s)-1], i: 1}
	dp := &delimPattern{ellipsis: -1, names: map[string]int{}}
	for {
		f, err := dp.parseField(lx)
		if err != nil {
			return nil, err
		}
		if f.name == ellipsis {
			if dp.ellipsis >= 0 {
				return nil, errorf(lx.i, "a space-delimited pattern may contain only one ...")
			}
			dp.ellipsis = len(dp.fields)
		} else if f.name != "" {
			key := "$" + strings.ToLower(f.name)
			if _, dup := dp.names[key]; dup {
				return nil, errorf(lx.i, "field name %q is used twice", f.name)
			}
			dp.names[key] = len(dp.fields)
		}
		dp.fields = append(dp.fields, f)
		if lx.eof() {
			break
		}
		if lx.s[lx.i] != ',' {
			return nil, errorf(lx.i, "expected ',' or ']'")
		}
		lx.i++
	}
	if len(dp.fields) == 1 && dp.fields[0].name == "" {
		return nil, errorf(0, "empty space-delimited filter pattern")
	}
	dp.nregex = lx.nregex
	return dp, nil
}

func (dp *delimPattern) parseField(lx *lexer) (dfield, *Error) {
	lx.ws()
	if lx.eof() || lx.s[lx.i] == ',' {
		return dfield{}, nil // unnamed field
	}
	if lx.hasPrefix(ellipsis) {
		lx.i += len(ellipsis)
		if c := lx.peekByte(); c != 0 && c != ',' {
			return dfield{}, errorf(lx.i, "... cannot have a condition")
		}
		return dfield{name: ellipsis}, nil
	}
	at := lx.i
	name, ok := lx.fieldName()
	if !ok {
		return dfield{}, charErrorf(at, "field names may contain only letters, digits, '_' and '-'")
	}
	f := dfield{name: name}
	if c := lx.peekByte(); c == 0 || c == ',' {
		return f, nil
	}
	// The field's condition: comparisons of this same field joined with && and ||.
	lx.i = at
	e, err := dp.parseOr(lx, name, 0)
	if err != nil {
		return dfield{}, err
	}
	if c := lx.peekByte(); c != 0 && c != ',' {
		return dfield{}, errorf(lx.i, "expected && or || or ','")
	}
	f.cond = e
	return f, nil
}

func (lx *lexer) fieldName() (string, bool) {
	lx.ws()
	j := lx.i
	for j < len(lx.s) && (isWordChar(lx.s[j]) || lx.s[j] == '-') {
		j++
	}
	if j == lx.i {
		return "", false
	}
	n := lx.s[lx.i:j]
	lx.i = j
	return n, true
}

func (dp *delimPattern) parseOr(lx *lexer, field string, depth int) (*dexpr, *Error) {
	l, err := dp.parseAnd(lx, field, depth)
	if err != nil {
		return nil, err
	}
	for lx.hasPrefix("||") {
		lx.i += 2
		r, err := dp.parseAnd(lx, field, depth)
		if err != nil {
			return nil, err
		}
		l = &dexpr{op: '|', l: l, r: r}
	}
	return l, nil
}

func (dp *delimPattern) parseAnd(lx *lexer, field string, depth int) (*dexpr, *Error) {
	l, err := dp.parseUnary(lx, field, depth)
	if err != nil {
		return nil, err
	}
	for lx.hasPrefix("&&") {
		lx.i += 2
		r, err := dp.parseUnary(lx, field, depth)
		if err != nil {
			return nil, err
		}
		l = &dexpr{op: '&', l: l, r: r}
	}
	return l, nil
}

func (dp *delimPattern) parseUnary(lx *lexer, field string, depth int) (*dexpr, *Error) {
	if lx.peekByte() == '(' {
		if depth >= maxNesting {
			return nil, errorf(lx.i, "parentheses nested too deeply")
		}
		at := lx.i
		lx.i++
		e, err := dp.parseOr(lx, field, depth+1)
		if err != nil {
			return nil, err
		}
		if lx.peekByte() != ')' {
			return nil, errorf(at, "unbalanced '('")
		}
		lx.i++
		return e, nil
	}
	at := lx.i
	ref, ok := lx.fieldName()
	if !ok {
		return nil, errorf(at, "expected the field name %q", field)
	}
	// A condition may only test its own field: AWS rejects the documented-then-
	// withdrawn [..., status_code = 4* && bytes > 1000] with "Invalid filter pattern".
	// Names compare case-insensitively (the docs write [w1=ERROR || W1=WARNING, w2]).
	if !strings.EqualFold(ref, field) {
		return nil, errorf(at, "the condition of field %q refers to %q; a condition may only test its own field", field, ref)
	}
	cmp, err := lx.comparison()
	if err != nil {
		return nil, err
	}
	return &dexpr{ref: ref, cmp: cmp}, nil
}

func (e *dexpr) eval(v string) bool {
	switch e.op {
	case '&':
		return e.l.eval(v) && e.r.eval(v)
	case '|':
		return e.l.eval(v) || e.r.eval(v)
	}
	return e.cmp.test(v)
}

func (e *dexpr) write(b *strings.Builder, parent byte) {
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
	b.WriteString(e.ref)
	b.WriteByte(' ')
	b.WriteString(e.cmp.String())
}

func (dp *delimPattern) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range dp.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		if f.cond != nil {
			f.cond.write(&b, 0)
		} else {
			b.WriteString(f.name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// span is one field of a space-delimited event.
type span struct{ start, end int32 }

// tokenize splits msg into fields: runs of characters between spaces (or tabs);
// a field that starts with '"' runs to the next '"', one that starts with '[' to the
// next ']' ("characters between brackets and double quotation marks are considered
// single fields"), and its value excludes those delimiters. An unclosed quote or
// bracket runs to the end of the event.
func tokenize(msg string, out []span) []span {
	i, n := 0, len(msg)
	for {
		for i < n && (msg[i] == ' ' || msg[i] == '\t') {
			i++
		}
		if i >= n {
			return out
		}
		var closer byte
		switch msg[i] {
		case '"':
			closer = '"'
		case '[':
			closer = ']'
		}
		if closer != 0 {
			j := strings.IndexByte(msg[i+1:], closer)
			if j < 0 {
				out = append(out, span{int32(i + 1), int32(n)})
				return out
			}
			out = append(out, span{int32(i + 1), int32(i + 1 + j)})
			i += j + 2
			continue
		}
		j := i
		for j < n && msg[j] != ' ' && msg[j] != '\t' {
			j++
		}
		out = append(out, span{int32(i), int32(j)})
		i = j
	}
}

// assign maps the pattern's fields onto the event's tokens: fieldTok[k] is the token
// index of field k (-1 for the ellipsis). Without an ellipsis the event must have
// exactly as many fields as the pattern (the docs: [w1=ERROR, w2] matches
// "ERROR message" but not "ERROR WARN message"); with one, at least as many as the
// other fields, the ellipsis taking the rest.
func (dp *delimPattern) fits(ntok int) bool {
	if dp.ellipsis < 0 {
		return ntok == len(dp.fields)
	}
	return ntok >= len(dp.fields)-1
}

// tokenOf returns the token index of field k given ntok tokens.
func (dp *delimPattern) tokenOf(k, ntok int) int {
	if dp.ellipsis < 0 || k < dp.ellipsis {
		return k
	}
	return ntok - (len(dp.fields) - k)
}

func (dp *delimPattern) match(msg string) bool {
	var buf [64]span
	toks := tokenize(msg, buf[:0])
	return dp.matchTokens(msg, toks)
}

func (dp *delimPattern) matchTokens(msg string, toks []span) bool {
	if !dp.fits(len(toks)) {
		return false
	}
	for k := range dp.fields {
		f := &dp.fields[k]
		if f.cond == nil {
			continue
		}
		t := toks[dp.tokenOf(k, len(toks))]
		if !f.cond.eval(msg[t.start:t.end]) {
			return false
		}
	}
	return true
}

// extract returns the fields of a matching event keyed as TestMetricFilter's
// extractedValues are: "$name" for named fields, "$N" (1-based position) for
// unnamed fields and those the ellipsis covers.
func (dp *delimPattern) extract(msg string) (Fields, bool) {
	var buf [64]span
	toks := tokenize(msg, buf[:0])
	if !dp.matchTokens(msg, toks) {
		return nil, false
	}
	f := make(Fields, len(toks))
	named := make([]bool, len(toks))
	for k := range dp.fields {
		fd := &dp.fields[k]
		if fd.name == ellipsis || fd.name == "" {
			continue
		}
		ti := dp.tokenOf(k, len(toks))
		named[ti] = true
		t := toks[ti]
		f["$"+fd.name] = msg[t.start:t.end]
	}
	for ti, t := range toks {
		if !named[ti] {
			f["$"+strconv.Itoa(ti+1)] = msg[t.start:t.end]
		}
	}
	return f, true
}

// value returns the field ref ("$name" or "$N") of a matching event.
func (dp *delimPattern) value(msg, ref string) (string, bool) {
	var buf [64]span
	toks := tokenize(msg, buf[:0])
	if !dp.matchTokens(msg, toks) {
		return "", false
	}
	ti := -1
	if k, ok := dp.names[strings.ToLower(ref)]; ok {
		ti = dp.tokenOf(k, len(toks))
	} else if n, ok := positional(ref); ok && n <= len(toks) {
		ti = n - 1
	}
	if ti < 0 {
		return "", false
	}
	t := toks[ti]
	return msg[t.start:t.end], true
}

// positional parses "$N" (N ≥ 1).
func positional(ref string) (int, bool) {
	if len(ref) < 2 || ref[0] != '$' {
		return 0, false
	}
	n, err := strconv.Atoi(ref[1:])
	if err != nil || n < 1 || ref[1] == '+' || ref[1] == '-' {
		return 0, false
	}
	return n, true
}
