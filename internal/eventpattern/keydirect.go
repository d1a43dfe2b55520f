package eventpattern

import "encoding/binary"

// The event walker looks up every key of every object it reads, and most
// keys are not in the table. A table of object keys therefore also has a
// small direct-mapped array indexed by a hash of the key's length and end
// bytes (directIndex, the hash keyBit takes its bit from): the slot that
// exactly one key of up to 24 bytes hashes to holds that key's words, so a
// lookup is one slot load and a comparison of words (a hit) or of the
// length (nearly every miss), without hashing the key's bytes. A slot
// shared by two keys, or taken by a longer key, sends the lookup to the
// hash table. The array has eight slots per key, rounded up to a power of
// two (at least eight): few slots are shared, and the tables stay small
// enough for every compiled Pattern to have its own.

// directSlot is one entry of keyTable.direct.
type directSlot struct {
	a, b uint64 // keyWords of the key
	// c is the key's bytes 8 to 16 when it has 17 to 24 bytes (a and b
	// and c then cover it): "requestParameters" and many dotted paths
	// among the root's keys are that long, and were all sent to the hash
	// table, which costs the walker a call.
	c uint64
	// n is the key's length, or slotEmpty, or slotProbe: look the key up
	// in the hash table (findIn).
	n    int32
	node int32
}

const (
	slotEmpty = -1
	slotProbe = -2
)

// directIndex is the slot of a key of n bytes whose first and last bytes
// are given (for the empty key: two quotes, as keyBit has it) in a
// direct array of 1<<(32-shift) slots.
func directIndex(n int, first, last byte, shift uint8) uint32 {
	x := uint32(n)<<16 | uint32(first)<<8 | uint32(last)
	return x * 0x9E3779B1 >> shift
}

// buildDirect fills kt.direct from the keys and nodes kt was built with.
func (kt *keyTable) buildDirect(keys []string, nodes []int32) {
	b := 3
	for 1<<b < 8*len(keys) {
		b++
	}
	kt.dshift = uint8(32 - b)
	kt.direct = make([]directSlot, 1<<b)
	for i := range kt.direct {
		kt.direct[i].n = slotEmpty
	}
	for i, k := range keys {
		first, last := byte('"'), byte('"')
		if k != "" {
			first, last = k[0], k[len(k)-1]
		}
		sl := &kt.direct[directIndex(len(k), first, last, kt.dshift)]
		if sl.n != slotEmpty || len(k) > 24 {
			sl.n = slotProbe
			continue
		}
		a, b := keyWords([]byte(k))
		*sl = directSlot{a: a, b: b, n: int32(len(k)), node: nodes[i]}
		if len(k) > 16 {
			sl.c = binary.LittleEndian.Uint64([]byte(k[8:16]))
		}
	}
}
