package awsquery

import (
	"strings"
	"unsafe"
)

// maxKeyDepth bounds a parameter name's segments, and so the decoder's
// recursion; real models nest far less.
const maxKeyDepth = 64

// param is one form parameter. key and val are views: into the request body,
// the URL's raw query, or the decoder's scratch arena. They are valid only
// during one Decode and must be copied before they are stored in a value.
type param struct {
	key string
	val string
	// pos is the offset in key of the segment the decoder looks at next;
	// pos > len(key) means the key has no segments left.
	pos int
}

// segment returns the key's segment at pos.
func (p *param) segment() string {
	if p.pos > len(p.key) {
		return ""
	}
	k := p.key[p.pos:]
	for i := 0; i < len(k); i++ {
		if k[i] == '.' {
			return k[:i]
		}
	}
	return k
}

// exhausted reports whether the key has no segments left.
func (p *param) exhausted() bool { return p.pos > len(p.key) }

// advance moves pos past the current segment and its dot.
func (p *param) advance() {
	if p.pos > len(p.key) {
		return
	}
	for i := p.pos; i < len(p.key); i++ {
		if p.key[i] == '.' {
			p.pos = i + 1
			return
		}
	}
	p.pos = len(p.key) + 1
}

// parseForm appends the parameters of the urlencoded form s to d.params,
// unescaping into d.arena when needed.
func (d *decoder) parseForm(s string) error {
	for len(s) > 0 {
		var part string
		part, s = cut(s, '&')
		if part == "" {
			continue
		}
		k, v := cut(part, '=')
		if k == "" {
			continue
		}
		if strings.Count(k, ".") > maxKeyDepth {
			return malformed("The query string contains a syntax error: parameter %.64q... is nested too deeply.", k)
		}
		var err error
		if k, err = d.unescape(k); err != nil {
			return err
		}
		if v, err = d.unescape(v); err != nil {
			return err
		}
		d.params = append(d.params, param{key: k, val: v})
	}
	return nil
}

func cut(s string, sep byte) (before, after string) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// unescape decodes '+' and %XX. It returns s itself when there is nothing to
// decode, else a view into the arena. The arena only grows during a Decode,
// so earlier views stay valid even when append moves it.
func (d *decoder) unescape(s string) (string, error) {
	i := 0
	for ; i < len(s); i++ {
		if s[i] == '%' || s[i] == '+' {
			break
		}
	}
	if i == len(s) {
		return s, nil
	}
	start := len(d.arena)
	d.arena = append(d.arena, s[:i]...)
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			d.arena = append(d.arena, ' ')
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				d.arena = d.arena[:start]
				bad := s[i:]
				if len(bad) > 3 {
					bad = bad[:3]
				}
				return "", malformed("The query string contains a syntax error: invalid escape %q.", bad)
			}
			d.arena = append(d.arena, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			d.arena = append(d.arena, c)
		}
	}
	b := d.arena[start:]
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// compareKeys orders parameter keys segment by segment; two all-digit
// segments compare as numbers, so Name.member.2 sorts before Name.member.10
// and every list's elements end up contiguous and in index order. A key
// sorts before the keys that extend it (Name= before Name.member.1).
func compareKeys(a, b string) int {
	for {
		sa, ra, moreA := cutSeg(a)
		sb, rb, moreB := cutSeg(b)
		if c := compareSeg(sa, sb); c != 0 {
			return c
		}
		switch {
		case !moreA && !moreB:
			return 0
		case !moreA:
			return -1
		case !moreB:
			return 1
		}
		a, b = ra, rb
	}
}

func cutSeg(s string) (seg, rest string, more bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// compareSeg compares two segments, numerically when both are all digits.
func compareSeg(a, b string) int {
	if isDigits(a) && isDigits(b) {
		a, b = trimZeros(a), trimZeros(b)
		if len(a) != len(b) {
			if len(a) < len(b) {
				return -1
			}
			return 1
		}
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

// sameSeg reports whether two segments name the same thing.
func sameSeg(a, b string) bool { return compareSeg(a, b) == 0 }
