package eventpattern

import (
	"encoding/binary"
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
			return string(appendFold(nil, []byte(s)))
		}
	}
	return s
}

// isFolded reports whether s is its own fold: ASCII without upper case.
func isFolded(s []byte) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if w := binary.LittleEndian.Uint64(s[i:]); w&msb != 0 || asciiUpper(w) != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// asciiUpper returns the top bits of the bytes of the little-endian word w
// that are upper-case letters; every byte of w must be ASCII. Values are
// checked and folded eight bytes at a time: case-insensitive operators fold
// every string value they look at.
func asciiUpper(w uint64) uint64 {
	// No sum carries from one byte to the next (each byte is below
	// 0x80): the first has a byte's top bit set when it is >= 'A', the
	// second when it is > 'Z'.
	return (w + lsb*(0x80-'A')) &^ (w + lsb*(0x80-'Z'-1)) & msb
}

func appendFold(dst []byte, s []byte) []byte {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		if w&msb != 0 {
			break
		}
		dst = binary.LittleEndian.AppendUint64(dst, w|asciiUpper(w)>>2) // 0x80>>2 is 'a'-'A'
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
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
