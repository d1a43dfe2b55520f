package metricstore

import "hash/maphash"

// seriesTable is the in-memory index of the store's series by encoded
// series key: open addressing with linear probing over (hash, *series)
// slots, at most half full.
//
// It replaces a map[string]*series for the sake of Append's batch lookup
// (Store.resolve): with 100,000 series nearly every lookup misses the CPU
// caches, and a map's probe (control word, slot, key bytes) is too long
// for the processor to overlap one datum's misses with the next's. Here a
// call's hashes are computed first, then the slots are probed by hash
// alone, then the candidates' keys compared, each pass a short loop of
// independent loads whose misses overlap.
//
// It is not safe for concurrent use: Store.mapMu guards it (readers
// shared, get/probe; writers exclusive, put).
type seriesTable struct {
	seed  maphash.Seed
	slots []seriesSlot // a power of two long
	n     int          // occupied slots
}

type seriesSlot struct {
	hash uint64
	ser  *series // nil: empty
}

const minTableSlots = 1024

func newSeriesTable() seriesTable {
	return seriesTable{seed: maphash.MakeSeed(), slots: make([]seriesSlot, minTableSlots)}
}

// hash is the table's hash of an encoded key.
func (t *seriesTable) hash(key []byte) uint64 { return maphash.Bytes(t.seed, key) }

// get returns the series of key, whose hash is h, or nil.
func (t *seriesTable) get(key []byte, h uint64) *series { return tableGet(t, key, h) }

// getString is get of a key held as a string.
func (t *seriesTable) getString(key string) *series {
	return tableGet(t, key, maphash.String(t.seed, key))
}

func tableGet[K string | []byte](t *seriesTable, key K, h uint64) *series {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.ser == nil {
			return nil
		}
		if sl.hash == h && sl.ser.key == string(key) {
			return sl.ser
		}
	}
}

// probe returns the first series whose key hashes to h, without comparing
// keys (the caller does: a 64-bit hash can collide), or nil.
func (t *seriesTable) probe(h uint64) *series {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.hash == h || sl.ser == nil {
			return sl.ser
		}
	}
}

// put adds ser, whose key hashes to h and is not in the table yet.
func (t *seriesTable) put(ser *series, h uint64) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	t.insert(seriesSlot{hash: h, ser: ser})
	t.n++
}

func (t *seriesTable) insert(s seriesSlot) {
	mask := uint64(len(t.slots) - 1)
	i := s.hash & mask
	for t.slots[i].ser != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = s
}

func (t *seriesTable) grow() {
	old := t.slots
	t.slots = make([]seriesSlot, 2*len(old))
	for _, s := range old {
		if s.ser != nil {
			t.insert(s)
		}
	}
}

// len is the number of series in the table.
func (t *seriesTable) len() int { return t.n }
