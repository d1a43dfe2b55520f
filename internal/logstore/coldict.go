package logstore

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

// dictHash is wordHash's top 9 bits of the product (its bits 2..10 after
// the rotation): every input bit moves them.
func dictHash(v []byte) uint32 { return uint32(wordHash(v)>>2) & (1<<9 - 1) }
