package logstore

// dictTable finds a column's dictionary code for a value while a block is
// encoded: an open-addressed table of the distinct values (at most
// colDictMax, in colBuilder.order) hashed from their bytes. A map keyed by
// the value's string cost a hash and a probe sequence that made the
// lookup of every value of every dictionary column 5–10% of a flush's CPU;
// this is a multiply and, almost always, one compare.
//
// Each slot keeps its value's wordHash too: a value under 8 bytes (levels,
// methods, status codes) is told by it alone (wordHash is one to one
// there), without reading the dictionary's copy, which lies in the block's
// messages far from the value looked up (a cache miss: the compare was
// two thirds of a lookup).
type dictTable struct {
	slots [dictSlots]uint16 // code+1 of the value hashed here; 0: free
	hash  [dictSlots]uint64 // wordHash of that value (valid while slots[i] != 0)
}

const dictSlots = 2 * colDictMax // 2^9, at most half full

func (t *dictTable) reset() { clear(t.slots[:]) }

// lookup returns v's code among order, or, when v is not there, false and
// the free slot where insert must put its code.
func (t *dictTable) lookup(v []byte, order [][]byte) (code uint8, slot int, ok bool) {
	h := wordHash(v)
	// The first slot: the hash's bits 2..10 (the product's top bits before
	// wordHash's rotation: every input bit moves them).
	for s := uint32(h>>2) & (dictSlots - 1); ; s = (s + 1) & (dictSlots - 1) {
		x := t.slots[s]
		if x == 0 {
			t.hash[s] = h // for insert
			return 0, int(s), false
		}
		if t.hash[s] == h && (len(v) < 8 || string(order[x-1]) == string(v)) {
			return uint8(x - 1), 0, true
		}
	}
}

// insert puts code in the free slot lookup returned (lookup left the
// value's hash there).
func (t *dictTable) insert(slot int, code uint8) { t.slots[slot] = uint16(code) + 1 }
