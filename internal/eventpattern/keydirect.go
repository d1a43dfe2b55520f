package eventpattern

import "encoding/binary"

// The event walker looks up every key of every object it reads, and most
// keys are not in the table. A table of object keys therefore also has a
// small direct-mapped array indexed by a hash of the key's length, first
// two bytes and last byte (directIndex): the slot that exactly one key of
// up to 24 bytes hashes to holds that key's words, so a lookup is one slot
// load and a comparison of words (a hit) or of the length (nearly every
// miss), without hashing the key's bytes. A slot
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

// directIndex is the slot of a key of n bytes whose first two bytes are w
// (in memory order, as the walker reads them in place: for a key of one
// byte, it and the closing quote; for the empty key, two quotes) and whose
// last byte is last (for the empty key: a quote, as keyBit has it), in a
// direct array of 1<<(32-shift) slots filled with seed (buildDirect).
// The second byte parts keys that share their length and end bytes, common
// in AWS's names: eventName and errorCode are both nine bytes from 'e' to
// 'e', and shared a slot, which sent every key of that shape (eventTime,
// eventType too) to the hash table.
func directIndex(n int, w uint16, last byte, seed uint32, shift uint8) uint32 {
	x := (uint32(n)<<24 | uint32(w)<<8 | uint32(last)) ^ seed
	// shift is at most 29 (buildDirect); masked, it needs none of the
	// compiler's code for shifts of 32 and more.
	return x * 0x9E3779B1 >> (shift & 31)
}

// buildDirect fills kt.direct from the keys and nodes kt was built with.
// The slots depend on a seed: of a few seeds it keeps the first whose
// slots no two keys share, or else the one with the fewest shared slots,
// so that a small table's keys rarely send each other to the hash table by
// the luck of one hash.
func (kt *keyTable) buildDirect(keys []string, nodes []int32) {
	b := 3
	for 1<<b < 8*len(keys) {
		b++
	}
	kt.dshift = uint8(32 - b)
	kt.direct = make([]directSlot, 1<<b)
	best, fewest := uint32(0), -1
	for try := uint32(0); try < 16; try++ {
		seed := try * 0x9E3779B9
		shared := kt.fillDirect(keys, nodes, seed)
		if fewest < 0 || shared < fewest {
			best, fewest = seed, shared
		}
		if shared == 0 {
			return
		}
	}
	kt.fillDirect(keys, nodes, best)
}

// fillDirect fills kt.direct with seed and returns how many keys found
// their slot shared.
func (kt *keyTable) fillDirect(keys []string, nodes []int32, seed uint32) int {
	kt.dseed = seed
	for i := range kt.direct {
		kt.direct[i] = directSlot{n: slotEmpty}
	}
	shared := 0
	for i, k := range keys {
		w, last := [2]byte{'"', '"'}, byte('"')
		if k != "" {
			w[0], last = k[0], k[len(k)-1]
		}
		if len(k) > 1 {
			w[1] = k[1]
		}
		sl := &kt.direct[directIndex(len(k), binary.NativeEndian.Uint16(w[:]), last, seed, kt.dshift)]
		if sl.n != slotEmpty || len(k) > 24 {
			if sl.n != slotEmpty {
				shared++
			}
			sl.n = slotProbe
			continue
		}
		a, b := keyWords([]byte(k))
		*sl = directSlot{a: a, b: b, n: int32(len(k)), node: nodes[i]}
		if len(k) > 16 {
			sl.c = binary.LittleEndian.Uint64([]byte(k[8:16]))
		}
	}
	return shared
}
