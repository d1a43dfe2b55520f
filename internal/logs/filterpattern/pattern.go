package filterpattern

import (
	"strings"
)

// Kind is the family a pattern belongs to.
type Kind uint8

const (
	KindAll       Kind = iota // the empty pattern: matches every event
	KindTerms                 // words, "phrases", ?alternatives, -exclusions
	KindRegex                 // %regex%
	KindJSON                  // { $.selector … }
	KindDelimited             // [field, …]
)

var kindNames = [...]string{"all", "terms", "regex", "json", "delimited"}

func (k Kind) String() string { return kindNames[k] }

// Fields are the values a metric filter extracted from an event, keyed as
// TestMetricFilter's extractedValues: "$name" or "$N".
type Fields map[string]string

// Pattern is a parsed filter pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	src   string
	kind  Kind
	terms *termPattern
	re    *regexTerm
	json  *jsonPattern
	delim *delimPattern
}

// Parse parses a filter pattern. It returns an *Error for any pattern CloudWatch Logs
// rejects, and for every construct the docs mention as unsupported; it never falls
// back to matching everything. The empty (or all-blank) pattern matches everything.
func Parse(pattern string) (*Pattern, error) {
	p, err := parse(pattern)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// MustParse is Parse for patterns known to be valid; it panics otherwise.
func MustParse(pattern string) *Pattern {
	p, err := Parse(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

func parse(pattern string) (*Pattern, *Error) {
	p := &Pattern{src: pattern}
	s := strings.TrimSpace(pattern)
	off := strings.Index(pattern, s)
	if s == "" {
		p.kind = KindAll
		return p, nil
	}
	var err *Error
	switch s[0] {
	case '{':
		if s[len(s)-1] != '}' {
			return nil, &Error{Message: MsgUnclosedBrace, Offset: -1}
		}
		p.kind = KindJSON
		p.json, err = parseJSON(s)
	case '[':
		if s[len(s)-1] != ']' {
			return nil, &Error{Message: MsgUnclosedBracket, Offset: -1}
		}
		p.kind = KindDelimited
		p.delim, err = parseDelimited(s)
	case '%':
		if len(s) < 2 || s[len(s)-1] != '%' {
			return nil, errorf(0, "a regular expression must be enclosed in %%...%%")
		}
		body := s[1 : len(s)-1]
		if strings.IndexByte(body, '%') >= 0 {
			return nil, errorf(0, "a regular expression must be the whole pattern")
		}
		p.kind = KindRegex
		p.re, err = compileRegex(body, 1)
	default:
		p.kind = KindTerms
		p.terms, err = parseTerms(s)
	}
	if err != nil {
		if err.Offset >= 0 {
			err.Offset += off
		}
		return nil, err
	}
	return p, nil
}

// Kind reports the pattern's family.
func (p *Pattern) Kind() Kind { return p.kind }

// Source is the pattern as given to Parse.
func (p *Pattern) Source() string { return p.src }

// String is the pattern in normal form: Parse(p.String()) gives an equivalent
// pattern whose String is the same.
func (p *Pattern) String() string {
	switch p.kind {
	case KindTerms:
		return p.terms.String()
	case KindRegex:
		return "%" + p.re.src + "%"
	case KindJSON:
		return p.json.String()
	case KindDelimited:
		return p.delim.String()
	}
	return ""
}

// RegexCount is the number of %regex% the pattern contains (AWS allows at most 5
// patterns with a regex per log group among its metric and subscription filters).
func (p *Pattern) RegexCount() int {
	switch p.kind {
	case KindRegex:
		return 1
	case KindJSON:
		return p.json.nregex
	case KindDelimited:
		return p.delim.nregex
	}
	return 0
}

// SupportsDimensions reports whether a metric filter with this pattern may have
// dimensions: only JSON and space-delimited patterns can ("Dimensions … only
// available for JSON and space-delimited filter patterns"); otherwise PutMetricFilter
// answers MsgNoDimensions.
func (p *Pattern) SupportsDimensions() bool {
	return p.kind == KindJSON || p.kind == KindDelimited
}

// RequiredSubstrings returns literal substrings that every event the pattern
// matches contains (byte for byte, so also ASCII case-insensitively): a
// pre-filter for stores that can rule out events without testing them. It
// is conservative: for a terms pattern of one clause (no ? alternative
// beside it), the clause's terms and quoted phrases as written, except the
// excluded (-term) ones and blank-only phrases, which match every event;
// for every other pattern, nil (regexes and space-delimited fields may match
// in many ways, and JSON strings may be written with escapes). The result
// may be nil, or hold strings too short for a store to use.
func (p *Pattern) RequiredSubstrings() []string {
	if p.kind != KindTerms || len(p.terms.clauses) != 1 {
		return nil
	}
	return p.terms.clauses[0].required()
}

// TermClauses returns a term pattern's alternatives, each as the texts a
// message must all contain to match it (its excluded terms and blank-only
// phrases left out): a message matches the pattern only if, for one
// alternative, it contains every text. False for other kinds of pattern.
func (p *Pattern) TermClauses() ([][]string, bool) {
	if p.kind != KindTerms {
		return nil, false
	}
	out := make([][]string, len(p.terms.clauses))
	for i := range p.terms.clauses {
		out[i] = p.terms.clauses[i].required()
	}
	return out, true
}

// Match reports whether the event message matches. It does not allocate for term,
// JSON and space-delimited patterns (JSON string values with escapes that a
// condition compares are unescaped into a new string).
func (p *Pattern) Match(message string) bool {
	switch p.kind {
	case KindAll:
		return true
	case KindTerms:
		return p.terms.match(message)
	case KindRegex:
		return p.re.match(message)
	case KindJSON:
		return p.json.match(message)
	case KindDelimited:
		return p.delim.match(message)
	}
	return false
}

// Extract matches the event and returns the values a space-delimited pattern
// extracts, as TestMetricFilter reports them; for other patterns the Fields are
// empty ("If you are not using a space-delimited filter, this will be empty").
// ok is false when the event does not match.
func (p *Pattern) Extract(message string) (f Fields, ok bool) {
	if p.kind == KindDelimited {
		return p.delim.extract(message)
	}
	if !p.Match(message) {
		return nil, false
	}
	return Fields{}, true
}

// Value returns the value a metric transformation's metricValue or dimension ref
// ($.a.b[0] for JSON patterns; $name or $N for space-delimited ones) has in the
// event. ok is false when the event does not match the pattern or has no such
// value; a JSON selector pointing to an object or array has no value. The value is
// the field's text: a JSON string's unescaped content, a number as written, and
// true, false or null as such. Call CheckRef when the metric filter is created.
func (p *Pattern) Value(message, ref string) (string, bool) {
	r, err := p.CompileRef(ref)
	if err != nil {
		return "", false
	}
	return r.Value(message)
}

// Ref is a metricValue or dimension reference compiled once, so that a
// metric filter extracts it from every matching event without parsing the
// reference again.
type Ref struct {
	p    *Pattern
	src  string
	trie jtrie // JSON patterns: the selector's path
}

// CompileRef checks ref against the pattern (as CheckRef) and compiles it.
func (p *Pattern) CompileRef(ref string) (*Ref, error) {
	if err := p.CheckRef(ref); err != nil {
		return nil, err
	}
	r := &Ref{p: p, src: ref}
	if p.kind == KindJSON {
		lx := &lexer{s: ref}
		sel, _ := lx.selector() // CheckRef parsed it
		r.trie.init()
		r.trie.add(sel.path)
	}
	return r, nil
}

// Value is Pattern.Value for the compiled reference.
func (r *Ref) Value(message string) (string, bool) {
	switch r.p.kind {
	case KindDelimited:
		return r.p.delim.value(message, r.src)
	case KindJSON:
		var buf [1]jval
		if !scanJSON(message, &r.trie, buf[:]) {
			return "", false
		}
		v := buf[0]
		switch v.kind {
		case jMissing, jObject, jArray:
			return "", false
		}
		if !r.p.json.match(message) {
			return "", false
		}
		return v.text(message), true
	}
	return "", false
}

// CheckRef validates a metricValue or dimension value reference against the
// pattern: a JSON pattern takes any well-formed selector; a space-delimited one
// "$name" of a named field or "$N"; other patterns take none.
func (p *Pattern) CheckRef(ref string) error {
	switch p.kind {
	case KindJSON:
		lx := &lexer{s: ref}
		_, err := lx.selector()
		if err != nil {
			return err
		}
		if lx.i != len(ref) {
			return errorf(lx.i, "unexpected text after the selector %q", ref)
		}
		return nil
	case KindDelimited:
		if _, ok := p.delim.names[strings.ToLower(ref)]; ok {
			return nil
		}
		if _, ok := positional(ref); ok {
			return nil
		}
		return errorf(-1, "%q is not a field of the pattern", ref)
	}
	return errorf(-1, "a %s pattern has no fields to reference", p.kind)
}
