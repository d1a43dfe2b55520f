// Package jsonscan scans the tokens of JSON text (RFC 8259) for the
// validators that walk documents themselves — the log store splitting
// messages into columns and Logs Insights discovering fields — so that
// both accept exactly the same text. Each function takes the text and the
// offset of a token and returns the offset after it. AppendString writes a
// string the way Vigil's encoders all do.
package jsonscan

import "math/bits"

type text interface{ ~string | ~[]byte }

// Space skips JSON white space from i.
func Space[T text](s T, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// special marks the bytes that end a run of plain string content: the
// quote, the backslash and the control characters, which JSON forbids raw.
var special = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// specialFlags flags with its high bit each byte of w that may be a
// quote, a backslash or a control character. The lowest flag is always
// right (a borrow can flag a byte only above a special one), so its place
// is the first special byte's.
func specialFlags(w uint64) uint64 {
	zero := func(x uint64) uint64 { return (x - ones) & ^x & highs }
	return zero(w^('"'*ones)) | zero(w^('\\'*ones)) | ((w - 0x20*ones) &^ w & highs)
}

// le64 reads eight bytes little-endian (the compiler makes it one load).
func le64[T text](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// String scans the string whose opening quote is at i; escaped reports a
// backslash escape in it.
func String[T text](s T, i int) (end int, escaped, ok bool) {
	i++
	for i < len(s) {
		// Eight bytes at a time, straight to the first special byte in
		// them: runs between escapes are short, and a byte loop over each
		// would cost more than the test.
		for i+8 <= len(s) {
			if m := specialFlags(le64(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for i < len(s) && !special[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		switch c := s[i]; {
		case c == '"':
			return i + 1, escaped, true
		case c < 0x20:
			return i, false, false
		}
		// A backslash.
		escaped = true
		i++
		if i >= len(s) {
			return i, false, false
		}
		switch s[i] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i++
		case 'u':
			if i+5 > len(s) {
				return i, false, false
			}
			for k := i + 1; k < i+5; k++ {
				if !isHex(s[k]) {
					return i, false, false
				}
			}
			i += 5
		default:
			return i, false, false
		}
	}
	return i, false, false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// Number scans the number at i (the grammar's -?int frac? exp?).
func Number[T text](s T, i int) (end int, ok bool) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return i, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return i, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return i, false
		}
	}
	return i, true
}

// Word scans the literal w (true, false or null) at i.
func Word[T text](s T, i int, w string) (end int, ok bool) {
	if len(s)-i >= len(w) && string(s[i:i+len(w)]) == w {
		return i + len(w), true
	}
	return i, false
}

// MaxDepth is how deeply values may nest: Value refuses deeper ones.
const MaxDepth = 512

// Value scans the value (of any kind) at i, nested depth deep (a member of
// a top-level object is at depth 1).
func Value[T text](s T, i, depth int) (end int, ok bool) {
	if i >= len(s) || depth > MaxDepth {
		return i, false
	}
	switch c := s[i]; {
	case c == '"':
		end, _, ok = String(s, i)
		return end, ok
	case c == '{':
		return container(s, i, depth, '}')
	case c == '[':
		return container(s, i, depth, ']')
	case c == 't':
		return Word(s, i, "true")
	case c == 'f':
		return Word(s, i, "false")
	case c == 'n':
		return Word(s, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return Number(s, i)
	}
	return i, false
}

// container scans the object or array opening at i and closed by close.
func container[T text](s T, i, depth int, close byte) (int, bool) {
	i = Space(s, i+1)
	if i < len(s) && s[i] == close {
		return i + 1, true
	}
	for {
		i = Space(s, i)
		var ok bool
		if close == '}' {
			if i >= len(s) || s[i] != '"' {
				return i, false
			}
			if i, _, ok = String(s, i); !ok {
				return i, false
			}
			if i = Space(s, i); i >= len(s) || s[i] != ':' {
				return i, false
			}
			i = Space(s, i+1)
		}
		if i, ok = Value(s, i, depth+1); !ok {
			return i, false
		}
		if i = Space(s, i); i >= len(s) {
			return i, false
		}
		switch s[i] {
		case ',':
			i++
		case close:
			return i + 1, true
		default:
			return i, false
		}
	}
}
