package logstore

import "encoding/binary"

// dictTable finds a column's dictionary code for a value while a block is
// encoded: an open-addressed table of the distinct values (at most
// colDictMax, in colBuilder.order) hashed from their bytes. A map keyed by
// the value's string cost a hash and a probe sequence that made the
// lookup of every value of every dictionary column 5–10% of a flush's CPU;
// this is a multiply and, almost always, one compare.
type dictTable struct {
	slots [dictSlots]uint16 // code+1 of the value hashed here; 0: free
}

const dictSlots = 2 * colDictMax // 2^9, at most half full

func (t *dictTable) reset() { clear(t.slots[:]) }

// lookup returns v's code among order, or, when v is not there, false and
// the free slot where insert must put its code.
func (t *dictTable) lookup(v []byte, order [][]byte) (code uint8, slot int, ok bool) {
	for s := dictHash(v); ; s = (s + 1) & (dictSlots - 1) {
		x := t.slots[s]
		if x == 0 {
			return 0, int(s), false
		}
		if string(order[x-1]) == string(v) {
			return uint8(x - 1), 0, true
		}
	}
}

func (t *dictTable) insert(slot int, code uint8) { t.slots[slot] = uint16(code) + 1 }

// dictHash mixes v's length and its first and last eight bytes (values
// that agree there are told apart by the compare).
func dictHash(v []byte) uint32 {
	x := uint64(len(v))
	switch {
	case len(v) >= 8:
		x ^= binary.LittleEndian.Uint64(v) ^ binary.LittleEndian.Uint64(v[len(v)-8:])*0xff51afd7ed558ccd
	case cap(v) >= 8: // one load, the bytes past the value masked off
		x ^= binary.LittleEndian.Uint64(v[:8]) & (1<<(8*len(v)) - 1) << 8
	default:
		for i, b := range v {
			x ^= uint64(b) << (8 * (i + 1))
		}
	}
	x *= 0x9e3779b97f4a7c15
	return uint32(x >> (64 - 9)) // the product's top bits: every input bit moves them
}
