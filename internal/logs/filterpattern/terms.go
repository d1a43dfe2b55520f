package filterpattern

import "strings"

// term is one word or quoted phrase of an unstructured pattern.
type term struct {
	text string // what must (or, negated, must not) occur in the message
	neg  bool   // "-term": the message must not contain it
	all  bool   // a phrase of only whitespace (" "): documented to match every event
}

// clause is a conjunction of terms; a term pattern is a disjunction of clauses.
type clause struct {
	terms []term
	opt   bool // opened by a "?term"
}

type termPattern struct {
	clauses []clause
}

// parseTerms parses an unstructured pattern: words, "quoted phrases", -exclusions
// and ?alternatives. Grouping: every ?term opens a new alternative clause, and the
// plain and -terms after it join that clause; the terms before the first ? form the
// first clause. That is how the AWS CDK encodes "any of these groups of terms"
// (FilterPattern.anyTermGroup renders ?"ERROR" "MainThread" ?"WARN" "Deadlock"),
// and it reduces to the documented cases: "ERROR ARGUMENTS" (all), "?ERROR
// ?ARGUMENTS" (any), "ERROR -ARGUMENTS" (include and exclude).
func parseTerms(s string) (*termPattern, *Error) {
	tp := &termPattern{}
	cur := -1
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		start := i
		var t term
		opt := false
		switch s[i] {
		case '?':
			opt = true
			i++
		case '-':
			t.neg = true
			i++
		}
		if i > start {
			// The older docs write the exclusion as "ERROR" - "Exiting": blanks may
			// separate ? or - from its term.
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i >= len(s) {
				return nil, errorf(start, "%q must be followed by a term", s[start])
			}
		}
		switch c := s[i]; {
		case c == '"':
			text, next, err := readQuoted(s, i)
			if err != nil {
				return nil, err
			}
			if next < len(s) && !isSpace(s[next]) {
				return nil, errorf(next, "a quoted phrase must be followed by a space")
			}
			t.text = text
			t.all = strings.TrimSpace(text) == ""
			i = next
		case c == '?' || c == '-':
			return nil, errorf(i, "%q cannot follow %q", c, s[start])
		case c == '%':
			return nil, errorf(i, "a regular expression %%...%% must be the whole pattern")
		default:
			j := i
			for j < len(s) && !isSpace(s[j]) {
				if !isWordChar(s[j]) {
					return nil, charErrorf(j, "unquoted terms may contain only letters, digits and '_' (quote the term)")
				}
				j++
			}
			t.text = s[i:j]
			i = j
		}
		if opt || cur < 0 {
			tp.clauses = append(tp.clauses, clause{opt: opt})
			cur = len(tp.clauses) - 1
		}
		tp.clauses[cur].terms = append(tp.clauses[cur].terms, t)
	}
	return tp, nil
}

func (tp *termPattern) match(msg string) bool {
	for ci := range tp.clauses {
		if tp.clauses[ci].match(msg) {
			return true
		}
	}
	return false
}

// required is the texts a message matching c contains: its terms but the
// excluded ones and blank-only phrases.
func (c *clause) required() []string {
	var out []string
	for _, t := range c.terms {
		if !t.neg && !t.all && t.text != "" {
			out = append(out, t.text)
		}
	}
	return out
}

func (c *clause) match(msg string) bool {
	for i := range c.terms {
		t := &c.terms[i]
		found := t.all || strings.Contains(msg, t.text)
		if found == t.neg {
			return false
		}
	}
	return true
}

func (tp *termPattern) String() string {
	var b strings.Builder
	for ci, c := range tp.clauses {
		for ti, t := range c.terms {
			if ci > 0 || ti > 0 {
				b.WriteByte(' ')
			}
			if ti == 0 && c.opt {
				b.WriteByte('?')
			}
			if t.neg {
				b.WriteByte('-')
			}
			if isWord(t.text) {
				b.WriteString(t.text)
			} else {
				b.WriteString(quote(t.text))
			}
		}
	}
	return b.String()
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordChar(s[i]) {
			return false
		}
	}
	return true
}
