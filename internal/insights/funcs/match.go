package funcs

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// Like is `v like "substr"` in a filter: true when the text of v contains
// substr, case-sensitively (AWS: filter "Match substrings" examples). Numbers
// match on their printed form. Null, maps and lists give null.
func Like(v Value, substr string) Value {
	s, ok := v.textual()
	if !ok {
		return Null
	}
	return Bool(strings.Contains(s, substr))
}

// Regex is a compiled regular expression as written between slashes in
// `like /re/` and `=~ /re/`: it matches anywhere in the value (unanchored;
// use ^ and $ to anchor), case-sensitively unless the pattern starts with
// (?i). The syntax is RE2 (Go's regexp), which covers what the AWS examples
// use — classes, \d, alternation, (?i), named groups (?<name>…) — but not
// look-around or back-references. A Regex is safe for concurrent use.
type Regex struct {
	re  *regexp.Regexp
	lit string // the pattern when it is a plain literal
	raw bool   // lit is usable: match by substring search
}

// CompileRegex compiles the body of a /.../ literal. Errors wrap ErrRegex.
func CompileRegex(pattern string) (*Regex, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRegex, err)
	}
	r := &Regex{re: re}
	if prog, err := syntax.Parse(pattern, syntax.Perl); err == nil {
		prog = prog.Simplify()
		switch {
		case prog.Op == syntax.OpLiteral && prog.Flags&syntax.FoldCase == 0:
			r.lit, r.raw = string(prog.Rune), true
		case prog.Op == syntax.OpEmptyMatch:
			r.lit, r.raw = "", true
		}
	}
	return r, nil
}

// MustCompileRegex is CompileRegex for patterns known to be valid; it panics
// on error.
func MustCompileRegex(pattern string) *Regex {
	r, err := CompileRegex(pattern)
	if err != nil {
		panic(err)
	}
	return r
}

// MatchString reports whether the pattern matches anywhere in s.
func (r *Regex) MatchString(s string) bool {
	if r.raw {
		return strings.Contains(s, r.lit)
	}
	return r.re.MatchString(s)
}

// Match is `v like /re/` or `v =~ /re/`: true when the pattern matches the
// text of v (numbers by their printed form, so statusCode like /2\d\d/ works
// on numeric fields). Null, maps and lists give null.
func (r *Regex) Match(v Value) Value {
	s, ok := v.textual()
	if !ok {
		return Null
	}
	return Bool(r.MatchString(s))
}

// Regexp returns the compiled expression, for callers that need capture
// groups (the parse command).
func (r *Regex) Regexp() *regexp.Regexp { return r.re }

// String returns the source pattern.
func (r *Regex) String() string { return r.re.String() }
