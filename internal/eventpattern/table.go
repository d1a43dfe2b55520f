package eventpattern

import "encoding/binary"

// keyTable maps an object key (its raw bytes, no escapes) to a pathNode
// index (or any int32) with open addressing on a cheap hash of the key's ends.
// The zero value is an empty table.
type keyTable struct {
	slots []keySlot
	mask  uint32
	// filter has bit keyBit(key) set for every key: most misses stop there
	// without hashing the key.
	filter uint64
}

type keySlot struct {
	key  string
	hash uint32
	node int32 // -1: empty slot
}

const (
	hashMul = 0xC2B2AE3D27D4EB4F
	hashFin = 0x165667B19E3779F9
)

// keyHash mixes every byte of k, eight at a time, little-endian, the last
// partial word zero-padded, then the length.
func keyHash(k []byte) uint32 {
	var h uint64
	i := 0
	for ; i+8 <= len(k); i += 8 {
		h = hashWord(h, binary.LittleEndian.Uint64(k[i:]))
	}
	if i < len(k) {
		var t uint64
		for j := len(k) - 1; j >= i; j-- {
			t = t<<8 | uint64(k[j])
		}
		h = hashWord(h, t)
	}
	return hashEnd(h, len(k))
}

func hashWord(h, w uint64) uint64 {
	h = (h ^ w) * hashMul
	return h ^ h>>31
}

func hashEnd(h uint64, n int) uint32 {
	h = (h ^ uint64(n)) * hashFin
	return uint32(h >> 32)
}

// keyBit picks one of 64 bits from a key's length and end bytes.
func keyBit(k []byte) uint {
	x := uint32(len(k)) << 16
	if len(k) > 0 {
		x |= uint32(k[0])<<8 | uint32(k[len(k)-1])
	}
	return uint(x * 0x9E3779B1 >> 26)
}

func (kt *keyTable) build(keys []string, nodes []int32) {
	size := 1
	for size < 2*len(keys) {
		size <<= 1
	}
	kt.slots = make([]keySlot, size)
	kt.mask = uint32(size - 1)
	for i := range kt.slots {
		kt.slots[i].node = -1
	}
	for i, k := range keys {
		kt.filter |= 1 << keyBit([]byte(k))
		h := keyHash([]byte(k))
		for j := h & kt.mask; ; j = (j + 1) & kt.mask {
			if kt.slots[j].node < 0 {
				kt.slots[j] = keySlot{key: k, hash: h, node: nodes[i]}
				break
			}
		}
	}
}

func (kt *keyTable) lookup(k []byte) int32 {
	if kt.filter&(1<<keyBit(k)) == 0 {
		return -1
	}
	return kt.find(k)
}

func (kt *keyTable) find(k []byte) int32 {
	h := keyHash(k)
	for j := h & kt.mask; ; j = (j + 1) & kt.mask {
		s := &kt.slots[j]
		if s.node < 0 {
			return -1
		}
		if s.hash == h && s.key == bstr(k) {
			return s.node
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
	if i := t.kt.lookup(k); i >= 0 {
		return t.lists[i]
	}
	return nil
}
