// Package memberpath tracks where a decoder is inside a request, so that a
// type mismatch can name the member ("MetricData[3].Value"). The JSON and
// CBOR decoders share it.
package memberpath

import (
	"strconv"
	"strings"
)

type elem struct {
	name string
	idx  int // list position, or -1 for a structure member or map key
}

// Path is a stack of members and list positions. The zero value is empty;
// a Path must not be copied once used (it starts out in its own array).
type Path struct {
	elems []elem
	buf   [12]elem
}

// Push enters member name, or list position idx when idx ≥ 0.
func (p *Path) Push(name string, idx int) {
	if p.elems == nil {
		p.elems = p.buf[:0]
	}
	p.elems = append(p.elems, elem{name, idx})
}

// Pop leaves the innermost member or position.
func (p *Path) Pop() { p.elems = p.elems[:len(p.elems)-1] }

// String renders the path: members joined by dots, positions in brackets.
func (p *Path) String() string {
	var b strings.Builder
	for _, e := range p.elems {
		if e.idx >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.idx))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.name)
	}
	return b.String()
}
