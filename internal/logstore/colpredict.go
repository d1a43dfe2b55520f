package logstore

import (
	"encoding/binary"
	"math/bits"

	"github.com/vigilhq/vigil/internal/jsonscan"
)

// Shape prediction. The messages of a block mostly share a few shapes, and
// consecutive ones mostly the same: the encoder first tries the previous
// message's shape, comparing its literals (keys, quotes, colons, commas and
// white space, as written) byte for byte and scanning only the values,
// instead of splitting the message (scanning every key) and looking its
// shape up by a key built from all its literals. A message the shape does
// not fit falls back to splitObject, so the encoding is the same.
//
// A match splits the message exactly as splitObject would: the shape's
// literals were those of a message splitObject accepted (valid keys
// without escapes, none repeated), and each value is scanned by the same
// scanner from the same offset, which stops where the next literal starts
// (a literal after a string value begins with its closing quote; after
// another value, with white space, ',' or '}').

// predictShapes: tests turn prediction off to compare the encodings.
var predictShapes = true

// shapeLits is a shape's literals and its values' kinds (Lits[0], value 0,
// Lits[1], ..., Lits[len(kinds)]). They alias the block's messages.
type shapeLits struct {
	lits  [][]byte
	kinds []ValueKind
}

func newShapeLits(lits [][]byte, mem []member) shapeLits {
	kinds := make([]ValueKind, len(mem))
	for j, m := range mem {
		kinds[j] = m.Kind
	}
	return shapeLits{lits, kinds}
}

// match appends msg's members to mem and reports whether msg has shape sh.
func (sh *shapeLits) match(msg []byte, mem []member) ([]member, bool) {
	if len(sh.kinds) == 0 || !predictShapes {
		return mem, false // shape 0 (raw) and "{}" are not predicted
	}
	base := len(mem)
	p := 0
	for j, kind := range sh.kinds {
		l := sh.lits[j]
		if len(msg)-p < len(l) || string(msg[p:p+len(l)]) != string(l) {
			return mem[:base], false
		}
		p += len(l)
		if kind == KindString {
			// The literal ends with the string's opening quote.
			end, ok := scanString(msg, p-1)
			if !ok {
				return mem[:base], false
			}
			// The next literal starts with its closing quote.
			mem = append(mem, member{Start: uint32(p), End: uint32(end - 1), Kind: kind})
			p = end - 1
			continue
		}
		if p >= len(msg) || msg[p] == '"' || (msg[p] == '{' || msg[p] == '[') != (kind == KindContainer) {
			return mem[:base], false
		}
		end, ok := jsonscan.Value(msg, p, 1)
		if !ok {
			return mem[:base], false
		}
		mem = append(mem, member{Start: uint32(p), End: uint32(end), Kind: kind})
		p = end
	}
	if l := sh.lits[len(sh.kinds)]; len(msg)-p != len(l) || string(msg[p:]) != string(l) {
		return mem[:base], false
	}
	return mem, true
}

// scanString is jsonscan.String's end and ok for the string whose opening
// quote is at i: the same answer (TestScanString, FuzzScanString), in a
// loop of its own for the usual string, one without escapes or control
// characters, that the shape matcher calls for every string value of
// every message (the generic scanner's call cost a third of it).
func scanString(msg []byte, i int) (end int, ok bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	j := i + 1
	for ; j+8 <= len(msg); j += 8 {
		w := binary.LittleEndian.Uint64(msg[j:])
		// High bits: bytes that may be a quote, a backslash or a control
		// character; the lowest is exact.
		q, bs := w^('"'*ones), w^('\\'*ones)
		m := (q-ones)&^q&highs | (bs-ones)&^bs&highs | (w-0x20*ones)&^w&highs
		if m != 0 {
			j += bits.TrailingZeros64(m) >> 3
			if msg[j] == '"' {
				return j + 1, true
			}
			end, _, ok := jsonscan.String(msg, i) // an escape, or not valid
			return end, ok
		}
	}
	for ; j < len(msg); j++ {
		switch c := msg[j]; {
		case c == '"':
			return j + 1, true
		case c == '\\' || c < 0x20:
			end, _, ok := jsonscan.String(msg, i)
			return end, ok
		}
	}
	end, _, ok = jsonscan.String(msg, i)
	return end, ok
}
