package filterpattern

import (
	"regexp"
	"strings"
)

// regexTerm is a %...% regular expression: standalone, or the value of a JSON or
// space-delimited condition. It matches when it is found anywhere in the text
// (%AUTHORIZED% matches "UNAUTHORIZED REQUEST" in the docs).
type regexTerm struct {
	src     string // between the percent signs, as written
	re      *regexp.Regexp
	literal string // when the whole expression is a literal: substring search instead
	isLit   bool
}

func (r *regexTerm) match(s string) bool {
	if r.isLit {
		return strings.Contains(s, r.literal)
	}
	return r.re.MatchString(s)
}

// regexSymbols are the symbol characters the docs allow in a regex besides
// alphanumerics; regexOperators the operators.
const (
	regexSymbols   = ":_#=@/;,-"
	regexOperators = "^$?[]{}|\\*+."
)

// compileRegex validates body (the text between the % signs, starting at pattern
// offset off) against the documented subset and compiles it.
//
// Documented subset ("Supported regular expressions (regex) syntax"): alphanumerics,
// the symbols : _ # = @ / ; , -, the operators ^ $ ? [ ] { } | \ * + . — nothing
// else: no parentheses (not even escaped: AWS answers "Invalid character(s) in term"),
// no spaces, no multi-byte characters. Escapes we accept after '\': an operator or
// symbol character (itself, literally), \d \D \s \S \w \W (ASCII classes, as the
// documented %\d{1,3}\.…% example needs), and \xHH (AWS suggests \x28 and \x29 for
// parentheses).
func compileRegex(body string, off int) (*regexTerm, *Error) {
	if body == "" {
		return nil, errorf(off, "empty regular expression")
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= 0x80:
			return nil, charErrorf(off+i, "multi-byte characters are not supported in regular expressions")
		case c == '(' || c == ')':
			return nil, charErrorf(off+i, "parentheses are not supported in regular expressions")
		case c == '\\':
			if i+1 >= len(body) {
				return nil, errorf(off+i, "trailing backslash in regular expression")
			}
			e := body[i+1]
			switch {
			case strings.IndexByte("dDsSwW", e) >= 0:
				i++
			case e == 'x':
				if i+3 >= len(body) || !isHex(body[i+2]) || !isHex(body[i+3]) {
					return nil, errorf(off+i, `\x needs two hexadecimal digits`)
				}
				i += 3
			case strings.IndexByte(regexSymbols, e) >= 0 || strings.IndexByte(regexOperators, e) >= 0:
				i++
			case e == '(' || e == ')':
				return nil, charErrorf(off+i+1, "parentheses are not supported in regular expressions")
			default:
				return nil, errorf(off+i, `unsupported escape \%c in regular expression`, e)
			}
		case isAlnum(c) || strings.IndexByte(regexSymbols, c) >= 0 || strings.IndexByte(regexOperators, c) >= 0:
		default:
			return nil, charErrorf(off+i, "character %q is not supported in regular expressions", c)
		}
	}
	re, err := regexp.Compile(body)
	if err != nil {
		return nil, errorf(off, "regular expression: %v", err)
	}
	r := &regexTerm{src: body, re: re}
	if lit, complete := re.LiteralPrefix(); complete {
		r.literal, r.isLit = lit, true
	}
	return r, nil
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
