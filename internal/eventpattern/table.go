package eventpattern

import (
	"encoding/binary"
	"math/bits"
)

// keyTable maps an object key (its raw bytes, no escapes) to a pathNode
// index (or any int32) with open addressing. A key is summed up by its first
// and last eight bytes (which overlap, or are the same bytes zero-extended,
// for keys of up to 16 bytes) and its length: for such keys that is the key
// itself, so a probe compares two words instead of calling memequal, and
// hashing costs one multiplication. Longer keys also mix their middle words
// into the hash and are compared in full. The zero value is an empty table.
type keyTable struct {
	slots []keySlot
	mask  uint32
	// filter has bit keyBit(key) set for every key: most misses stop there.
	filter [4]uint64
	// direct, when built (buildDirect: the scanner's tables of object
	// keys), resolves a key without hashing its bytes in the common case;
	// it has 1<<(32-dshift) slots.
	direct []directSlot
	dseed  uint32 // mixed into directIndex (buildDirect)
	dshift uint8
}

type keySlot struct {
	a, b uint64 // keyWords of the key
	n    int32  // key length; -1: empty slot
	node int32
	key  string // compared when n > 16
}

const (
	hashMul  = 0xC2B2AE3D27D4EB4F
	hashSeed = 0x9E3779B97F4A7C15
)

// keyWords returns a key's first and last eight bytes as little-endian
// words; a key shorter than eight bytes is both words, zero-extended.
func keyWords(k []byte) (a, b uint64) {
	if n := len(k); n >= 8 {
		return binary.LittleEndian.Uint64(k), binary.LittleEndian.Uint64(k[n-8:])
	} else if n > 0 {
		a = tailWord(k, n)
	}
	return a, a
}

// tailWord returns the last r (1..7) bytes of k as a little-endian word,
// zero-padded, reading only bytes of k.
func tailWord(k []byte, r int) uint64 {
	n := len(k)
	switch {
	case n >= 8:
		return binary.LittleEndian.Uint64(k[n-8:]) >> (8 * (8 - r))
	case r >= 4:
		lo := uint64(binary.LittleEndian.Uint32(k[n-r:]))
		hi := uint64(binary.LittleEndian.Uint32(k[n-4:]))
		return lo | hi<<(8*(r-4))
	default:
		t := n - r
		return uint64(k[t]) | uint64(k[t+r/2])<<(8*(r/2)) | uint64(k[n-1])<<(8*(r-1))
	}
}

// wordsHash hashes a key from its keyWords and length; k is read only when
// it is longer than 16 bytes.
func wordsHash(a, b uint64, k []byte) uint32 {
	n := len(k)
	h := a ^ hashSeed
	if n > 16 {
		for i := 8; i < n-8; i += 8 {
			h = hashWord(h, binary.LittleEndian.Uint64(k[i:]))
		}
	}
	hi, lo := bits.Mul64(h, b^hashMul^uint64(n))
	return uint32(hi ^ lo)
}

// mayHave tests the filter bit of a key.
func (kt *keyTable) mayHave(bit uint) bool {
	return kt.filter[bit>>6&3]&(1<<(bit&63)) != 0
}

// keyBit picks one of 256 bits from a key's length and end bytes; the empty
// key counts as having quotes at its ends, as it does in an event read in
// place (the bytes after and before it are its closing and opening quotes).
func keyBit(k []byte) uint {
	if len(k) == 0 {
		return keyBitOf(0, '"', '"')
	}
	return keyBitOf(len(k), k[0], k[len(k)-1])
}

func keyBitOf(n int, first, last byte) uint {
	x := uint32(n)<<16 | uint32(first)<<8 | uint32(last)
	return uint(x * 0x9E3779B1 >> 24)
}

func hashWord(h, w uint64) uint64 {
	h = (h ^ w) * hashMul
	return h ^ h>>31
}

func (kt *keyTable) build(keys []string, nodes []int32) {
	size := 1
	for size < 2*len(keys) {
		size <<= 1
	}
	kt.slots = make([]keySlot, size)
	kt.mask = uint32(size - 1)
	for i := range kt.slots {
		kt.slots[i].n = -1
	}
	for i, k := range keys {
		bit := keyBit([]byte(k))
		kt.filter[bit>>6] |= 1 << (bit & 63)
		a, b := keyWords([]byte(k))
		h := wordsHash(a, b, []byte(k))
		for j := h & kt.mask; ; j = (j + 1) & kt.mask {
			if kt.slots[j].n < 0 {
				kt.slots[j] = keySlot{a: a, b: b, n: int32(len(k)), node: nodes[i], key: k}
				break
			}
		}
	}
}

// find returns the node of key k or -1. Keys of up to 16 bytes, all but
// a few, are hashed and compared here, without the calls of the general
// path: the Matcher probes its tables with every string value it reads.
func (kt *keyTable) find(k []byte) int32 {
	n := len(k)
	if !kt.mayHave(keyBit(k)) {
		return -1
	}
	var a, b uint64
	switch {
	case n > 16:
		a, b = keyWords(k)
		return kt.findWords(a, b, k)
	case n >= 8:
		a, b = binary.LittleEndian.Uint64(k), binary.LittleEndian.Uint64(k[n-8:])
	case n > 0:
		a = tailWord(k, n)
		b = a
	}
	return kt.findShort(a, b, n)
}

// findShort returns the node of the key of n <= 16 bytes whose words are a
// and b, or -1.
func (kt *keyTable) findShort(a, b uint64, n int) int32 {
	// wordsHash, for n <= 16.
	hi, lo := bits.Mul64(a^hashSeed, b^hashMul^uint64(n))
	for j := uint32(hi^lo) & kt.mask; ; j = (j + 1) & kt.mask {
		sl := &kt.slots[j]
		if sl.a == a && sl.b == b && sl.n == int32(n) {
			return sl.node
		}
		if sl.n < 0 {
			return -1
		}
	}
}

// findIn returns the node of the key src[s:e] or -1, without checking the
// filter. It may read the bytes of src around the key, which saves the
// short-key case its byte shuffle.
func (kt *keyTable) findIn(src []byte, s, e int) int32 {
	var a, b uint64
	n := e - s
	switch {
	case n >= 8 && n <= 16:
		a, b = binary.LittleEndian.Uint64(src[s:]), binary.LittleEndian.Uint64(src[e-8:])
	case n < 8 && e >= 8:
		a = binary.LittleEndian.Uint64(src[e-8:]) >> (64 - 8*n) // n == 0: a shift by 64 is 0
		b = a
	default:
		a, b = keyWords(src[s:e])
		return kt.findWords(a, b, src[s:e])
	}
	return kt.findShort(a, b, n)
}

func (kt *keyTable) findWords(a, b uint64, k []byte) int32 {
	n := int32(len(k))
	for j := wordsHash(a, b, k) & kt.mask; ; j = (j + 1) & kt.mask {
		s := &kt.slots[j]
		if s.a == a && s.b == b && s.n == n && (n <= 16 || s.key == bstr(k)) {
			return s.node
		}
		if s.n < 0 {
			return -1
		}
	}
}

// listTable maps byte strings to conjunction lists; it is a frozen
// map[string][]int32 that is probed without hashing through the runtime.
type listTable struct {
	kt    keyTable
	lists [][]int32
}

func newListTable(m map[string][]int32) listTable {
	var t listTable
	if len(m) == 0 {
		return t
	}
	keys := make([]string, 0, len(m))
	idx := make([]int32, 0, len(m))
	for k, l := range m {
		keys = append(keys, k)
		idx = append(idx, int32(len(t.lists)))
		t.lists = append(t.lists, l)
	}
	t.kt.build(keys, idx)
	return t
}

func (t *listTable) get(k []byte) []int32 {
	if i := t.kt.find(k); i >= 0 {
		return t.lists[i]
	}
	return nil
}
