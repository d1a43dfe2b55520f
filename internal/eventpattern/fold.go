package eventpattern

import (
	"unicode"
	"unicode/utf8"
)

// fold maps s to a canonical case-folded form: two strings are equal under
// strings.EqualFold exactly when their folds are equal. ASCII is lowered; any
// other rune becomes the smallest rune of its simple-folding orbit.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return string(appendFold(nil, s))
		}
	}
	return s
}

// isFolded reports whether s is its own fold: ASCII without upper case.
func isFolded(s []byte) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func appendFold(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		dst = utf8.AppendRune(dst, foldRune(r))
	}
	return dst
}

func foldRune(r rune) rune {
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	// Keep ASCII-orbit runes consistent with the ASCII fast path (lower case):
	// e.g. the Kelvin sign folds to 'K'/'k'; choose 'k'.
	if min >= 'A' && min <= 'Z' {
		min += 'a' - 'A'
	}
	return min
}
