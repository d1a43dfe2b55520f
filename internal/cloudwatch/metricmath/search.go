package metricmath

import (
	"strconv"
	"strings"
)

// MaxSearchLength is CloudWatch's limit on the search query size.
const MaxSearchLength = 1024

// Search is a parsed CloudWatch search expression: the text inside the
// single quotes of SEARCH(' {Namespace, Dim1, …} SearchTerm ', …).
// Either part may be absent, not both. A Search is immutable and safe for
// concurrent use.
type Search struct {
	Schema *Schema    // nil when the search has no {metric schema}
	Term   SearchTerm // nil when the search has only a schema
}

// Schema is the {Namespace, DimensionName, …} part. A metric matches it when
// it is in Namespace and its set of dimension names is exactly Dimensions
// (so {AWS/EC2} matches only metrics without dimensions; see "CloudWatch
// search expression examples").
type Schema struct {
	Namespace  string
	Dimensions []string
}

// SearchTerm is a node of the boolean search term: *SearchMatch,
// *SearchAnd, *SearchOr or *SearchNot.
type SearchTerm interface {
	match(c *candidate) bool
	String() string
}

// SearchMatch is one term. Property is "" (match any of namespace, metric
// name, dimension names and values), "MetricName", "Namespace", or a
// dimension name (match that dimension's value). Exact terms were written in
// double quotes and compare case-sensitively with the whole string; the
// others match tokens (see partialMatch).
type SearchMatch struct {
	Property string
	Value    string
	Exact    bool
	// chunks is the tokenized partial value, computed at parse time.
	chunks [][]string
}

// SearchAnd, SearchOr and SearchNot combine terms. Juxtaposed terms are an
// implicit AND. Precedence: NOT, then AND, then OR; parentheses group.
type SearchAnd struct{ L, R SearchTerm }
type SearchOr struct{ L, R SearchTerm }
type SearchNot struct{ X SearchTerm }

func (s *Search) String() string {
	var parts []string
	if s.Schema != nil {
		names := append([]string{s.Schema.Namespace}, s.Schema.Dimensions...)
		for i, n := range names {
			names[i] = strconv.Quote(n)
		}
		parts = append(parts, "schema={"+strings.Join(names, " ")+"}")
	}
	if s.Term != nil {
		parts = append(parts, "term="+s.Term.String())
	}
	return strings.Join(parts, " ")
}

func (m *SearchMatch) String() string {
	v := m.Value
	if m.Exact {
		v = strconv.Quote(v)
	} else {
		v = "~" + v
	}
	if m.Property != "" {
		return m.Property + "=" + v
	}
	return v
}
func (a *SearchAnd) String() string { return "(AND " + a.L.String() + " " + a.R.String() + ")" }
func (o *SearchOr) String() string  { return "(OR " + o.L.String() + " " + o.R.String() + ")" }
func (n *SearchNot) String() string { return "(NOT " + n.X.String() + ")" }

// candidate is one metric being matched.
type candidate struct {
	namespace, metricName string
	dims                  map[string]string
}

// Match reports whether the metric identified by namespace, metric name and
// dimensions is selected by the search. It implements the documented rules:
// the schema (exact namespace and exact dimension-name set), partial matches
// on tokens (case-insensitive for a single token, case-sensitive for
// composite tokens), exact matches in double quotes, property designators,
// and AND / OR / NOT with parentheses.
func (s *Search) Match(namespace, metricName string, dims map[string]string) bool {
	if s.Schema != nil {
		if namespace != s.Schema.Namespace || len(dims) != len(s.Schema.Dimensions) {
			return false
		}
		for _, d := range s.Schema.Dimensions {
			if _, ok := dims[d]; !ok {
				return false
			}
		}
	}
	if s.Term == nil {
		return true
	}
	return s.Term.match(&candidate{namespace: namespace, metricName: metricName, dims: dims})
}

func (a *SearchAnd) match(c *candidate) bool { return a.L.match(c) && a.R.match(c) }
func (o *SearchOr) match(c *candidate) bool  { return o.L.match(c) || o.R.match(c) }
func (n *SearchNot) match(c *candidate) bool { return !n.X.match(c) }

func (m *SearchMatch) match(c *candidate) bool {
	switch m.Property {
	case "":
		if m.matchOne(c.namespace) || m.matchOne(c.metricName) {
			return true
		}
		for k, v := range c.dims {
			if m.matchOne(k) || m.matchOne(v) {
				return true
			}
		}
		return false
	case "MetricName":
		return m.matchOne(c.metricName)
	case "Namespace":
		return m.matchOne(c.namespace)
	}
	v, ok := c.dims[m.Property]
	return ok && m.matchOne(v)
}

func (m *SearchMatch) matchOne(target string) bool {
	if m.Exact {
		return target == m.Value
	}
	return partialMatch(m.chunks, target)
}

// ParseSearch parses a search expression (without the surrounding quotes).
func ParseSearch(q string) (*Search, error) {
	s, err := parseSearchAt(q, 0)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func parseSearchAt(q string, base int) (*Search, *Error) {
	if len(q) > MaxSearchLength {
		return nil, errorf(base, "The search expression is longer than %d characters", MaxSearchLength)
	}
	p := &searchParser{src: q, base: base}
	s := &Search{}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '{' {
		sc, err := p.parseSchema()
		if err != nil {
			return nil, err
		}
		s.Schema = sc
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			p.pos++
		}
	}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if len(p.toks) > 0 {
		t, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.i < len(p.toks) {
			tk := p.toks[p.i]
			return nil, errorf(base+tk.pos, "Unexpected %q in search expression", tk.text)
		}
		s.Term = t
	}
	if s.Schema == nil && s.Term == nil {
		return nil, errorf(base, "A search expression must contain a metric schema, a search term, or both")
	}
	return s, nil
}

type stokKind uint8

const (
	stWord   stokKind = iota // bare text
	stQuoted                 // "exact"
	stLParen
	stRParen
	stEquals
	stAnd
	stOr
	stNot
)

type stok struct {
	kind stokKind
	pos  int
	text string
}

type searchParser struct {
	src   string
	base  int
	pos   int
	toks  []stok
	i     int
	depth int
}

func (p *searchParser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// readQuoted reads a double-quoted string at p.pos, resolving the escapes
// \" \\ \( \) documented for exact matches.
func (p *searchParser) readQuoted() (string, *Error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 < len(p.src) {
				switch nx := p.src[p.pos+1]; nx {
				case '"', '\\', '(', ')':
					b.WriteByte(nx)
					p.pos += 2
					continue
				}
			}
			b.WriteByte(c)
			p.pos++
		case '"':
			p.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", errorf(p.base+start, "Unterminated double-quoted string in search expression")
}

func (p *searchParser) parseSchema() (*Schema, *Error) {
	open := p.pos
	p.pos++ // {
	var names []string
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, errorf(p.base+open, "Unterminated metric schema: missing '}'")
		}
		var name string
		namePos := p.pos
		if p.src[p.pos] == '"' {
			v, err := p.readQuoted()
			if err != nil {
				return nil, err
			}
			name = v
			p.skipSpace()
		} else {
			st := p.pos
			for p.pos < len(p.src) && p.src[p.pos] != ',' && p.src[p.pos] != '}' && p.src[p.pos] != '"' && p.src[p.pos] != '{' {
				p.pos++
			}
			name = strings.TrimSpace(p.src[st:p.pos])
		}
		if name == "" {
			if len(names) == 0 {
				return nil, errorf(p.base+namePos, "The metric schema must start with a namespace")
			}
			return nil, errorf(p.base+namePos, "Empty dimension name in metric schema")
		}
		for _, n := range names[min(1, len(names)):] {
			if n == name {
				return nil, errorf(p.base+namePos, "Duplicate dimension name %q in metric schema", name)
			}
		}
		names = append(names, name)
		if p.pos >= len(p.src) {
			return nil, errorf(p.base+open, "Unterminated metric schema: missing '}'")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			if len(names) > 31 {
				return nil, errorf(p.base+open, "A metric schema can name at most 30 dimensions")
			}
			return &Schema{Namespace: names[0], Dimensions: names[1:]}, nil
		default:
			return nil, errorf(p.base+p.pos, "Unexpected %q in metric schema", string(p.src[p.pos]))
		}
	}
}

func (p *searchParser) lex() *Error {
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil
		}
		start := p.pos
		switch c := p.src[p.pos]; c {
		case '(':
			p.pos++
			p.toks = append(p.toks, stok{kind: stLParen, pos: start, text: "("})
		case ')':
			p.pos++
			p.toks = append(p.toks, stok{kind: stRParen, pos: start, text: ")"})
		case '=':
			p.pos++
			p.toks = append(p.toks, stok{kind: stEquals, pos: start, text: "="})
		case '"':
			v, err := p.readQuoted()
			if err != nil {
				return err
			}
			p.toks = append(p.toks, stok{kind: stQuoted, pos: start, text: v})
		case '{':
			return errorf(p.base+start, "The metric schema must be at the beginning of the search expression")
		default:
			for p.pos < len(p.src) {
				c := p.src[p.pos]
				if isSpace(c) || c == '(' || c == ')' || c == '=' || c == '"' {
					break
				}
				p.pos++
			}
			w := p.src[start:p.pos]
			k := stWord
			switch w {
			case "AND":
				k = stAnd
			case "OR":
				k = stOr
			case "NOT":
				k = stNot
			}
			p.toks = append(p.toks, stok{kind: k, pos: start, text: w})
		}
	}
}

func (p *searchParser) peek() (stok, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return stok{}, false
}

func (p *searchParser) endPos() int { return p.base + len(p.src) }

func (p *searchParser) parseOr() (SearchTerm, *Error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok || t.kind != stOr {
			return l, nil
		}
		p.i++
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &SearchOr{L: l, R: r}
	}
}

func (p *searchParser) parseAnd() (SearchTerm, *Error) {
	l, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	for {
		t, ok := p.peek()
		if !ok {
			return l, nil
		}
		switch t.kind {
		case stAnd:
			p.i++
		case stWord, stQuoted, stLParen, stNot:
			// implicit AND
		default:
			return l, nil
		}
		r, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		l = &SearchAnd{L: l, R: r}
	}
}

func (p *searchParser) parseNot() (SearchTerm, *Error) {
	t, ok := p.peek()
	if ok && t.kind == stNot {
		p.i++
		p.depth++
		if p.depth > maxDepth {
			return nil, errorf(p.base+t.pos, "The search expression is nested too deeply")
		}
		x, err := p.parseNot()
		p.depth--
		if err != nil {
			return nil, err
		}
		return &SearchNot{X: x}, nil
	}
	return p.parsePrimary()
}

func (p *searchParser) parsePrimary() (SearchTerm, *Error) {
	t, ok := p.peek()
	if !ok {
		return nil, errorf(p.endPos(), "Unexpected end of search expression: a search term is missing")
	}
	switch t.kind {
	case stLParen:
		p.i++
		p.depth++
		if p.depth > maxDepth {
			return nil, errorf(p.base+t.pos, "The search expression is nested too deeply")
		}
		x, err := p.parseOr()
		p.depth--
		if err != nil {
			return nil, err
		}
		c, ok := p.peek()
		if !ok || c.kind != stRParen {
			return nil, errorf(p.base+t.pos, "Unbalanced parenthesis in search expression")
		}
		p.i++
		return x, nil
	case stWord, stQuoted:
		p.i++
		if nx, ok := p.peek(); ok && nx.kind == stEquals {
			p.i++
			prop := t.text
			if prop == "" {
				return nil, errorf(p.base+t.pos, "Empty property name in search expression")
			}
			v, ok := p.peek()
			if !ok || v.kind != stWord && v.kind != stQuoted {
				return nil, errorf(p.base+nx.pos, "A value must follow %s=", prop)
			}
			p.i++
			return newMatch(prop, v, p.base)
		}
		return newMatch("", t, p.base)
	case stRParen:
		return nil, errorf(p.base+t.pos, "Unbalanced parenthesis in search expression")
	}
	return nil, errorf(p.base+t.pos, "Unexpected %q in search expression", t.text)
}

func newMatch(prop string, t stok, base int) (*SearchMatch, *Error) {
	m := &SearchMatch{Property: prop, Value: t.text, Exact: t.kind == stQuoted}
	if !m.Exact {
		m.chunks = termChunks(t.text)
		if len(m.chunks) == 0 {
			return nil, errorf(base+t.pos, "The search term %q contains no letters or digits", t.text)
		}
	} else if t.text == "" {
		return nil, errorf(base+t.pos, "Empty exact-match term in search expression")
	}
	return m, nil
}
