package metricstore

import (
	"encoding/binary"
	"strings"
	"sync/atomic"
	"unsafe"
)

// keyCache remembers which series a key, as a caller passes it, resolved
// to. Writers send the same series interval after interval, and finding
// one from its key was a fifth of Append's CPU: encoding the key (escaping
// every part) only to hash it as a map key. The cache hashes a few bytes of
// each part instead and confirms a hit by comparing the key and partition
// field by field with its own copies, so a collision costs a miss, never a
// wrong series.
//
// Set-associative (four ways) and lock-free: readers load an entry
// atomically, writers replace a whole immutable entry. It grows with the
// number of series (fit), so that sets rarely overflow. Store.Reset drops
// the cache with the series it points to.
type keyCache struct {
	tab atomic.Pointer[keyTable]
}

type keyTable struct {
	slots []keySlot // sets of keyCacheWays, a cache line each
	mask  uint64
}

// keySlot is an entry and its key's hash, which spares loading the entries
// of a set's other keys. The two are stored one after the other, so tag
// may be the previous entry's: it only hints, the entry's own hash decides.
type keySlot struct {
	tag atomic.Uint64
	e   atomic.Pointer[keyCacheEntry]
}

type keyCacheEntry struct {
	hash uint64 // keyHash(&key)
	ser  *series
	p    Partition
	key  SeriesKey // the cache's own copies, in one allocation…
	dims [4]Dim    // …and key.Dims here when it fits
}

// A table has at least two slots per series, up to keyCacheMaxSlots (32 MiB
// of slots, for 2 million series); beyond that, keys whose set is full take
// turns and the others fall back to the map.
const (
	keyCacheMinSlots = 1 << 12
	keyCacheMaxSlots = 1 << 22
	keyCacheWays     = 4
)

func newKeyCache() *keyCache {
	c := &keyCache{}
	c.tab.Store(newKeyTable(keyCacheMinSlots))
	return c
}

func newKeyTable(slots int) *keyTable {
	return &keyTable{slots: make([]keySlot, slots), mask: uint64(slots - 1)}
}

// fit grows the table for n series, moving its entries over. Puts racing
// the move, or another fit, may be lost, which costs those keys one more
// miss.
func (c *keyCache) fit(n int) {
	old := c.tab.Load()
	if 2*n <= len(old.slots) || len(old.slots) >= keyCacheMaxSlots {
		return
	}
	size := len(old.slots)
	for size < 2*n && size < keyCacheMaxSlots {
		size *= 2
	}
	t := newKeyTable(size)
	for i := range old.slots {
		if e := old.slots[i].e.Load(); e != nil {
			t.put(e)
		}
	}
	c.tab.Store(t)
}

// get returns the series of k in p, or nil.
func (c *keyCache) get(p Partition, k *SeriesKey) *series {
	h := keyHash(k)
	set := c.tab.Load().set(h)
	for w := range set {
		if set[w].tag.Load() != h {
			continue
		}
		if e := set[w].e.Load(); e != nil && e.hash == h && e.matches(p, k) {
			return e.ser
		}
	}
	return nil
}

// put files ser as the series of k in p, in the first free way of its set,
// else in place of a way picked by the key's hash.
func (c *keyCache) put(p Partition, k *SeriesKey, ser *series) {
	n := len(p.Account) + len(p.Region) + len(k.Namespace) + len(k.MetricName)
	for _, d := range k.Dims {
		n += len(d.Name) + len(d.Value)
	}
	var b strings.Builder
	b.Grow(n)
	part := func(s string) string {
		start := b.Len()
		b.WriteString(s)
		return b.String()[start:]
	}
	e := &keyCacheEntry{hash: keyHash(k), ser: ser}
	e.p = Partition{Account: part(p.Account), Region: part(p.Region)}
	e.key = SeriesKey{Namespace: part(k.Namespace), MetricName: part(k.MetricName), Dims: e.dims[:0]}
	for _, d := range k.Dims {
		e.key.Dims = append(e.key.Dims, Dim{Name: part(d.Name), Value: part(d.Value)})
	}
	c.tab.Load().put(e)
}

func (t *keyTable) put(e *keyCacheEntry) {
	set := t.set(e.hash)
	w := 0
	for w < len(set) && set[w].e.Load() != nil {
		w++
	}
	if w == len(set) {
		w = int(e.hash >> 60 % keyCacheWays)
	}
	set[w].e.Store(e)
	set[w].tag.Store(e.hash)
}

// set is the ways a key of hash h may be filed in.
func (t *keyTable) set(h uint64) []keySlot {
	i := h & t.mask &^ (keyCacheWays - 1)
	return t.slots[i : i+keyCacheWays : i+keyCacheWays]
}

func (e *keyCacheEntry) matches(p Partition, k *SeriesKey) bool {
	return e.p == p && e.key.Namespace == k.Namespace && e.key.MetricName == k.MetricName && sameDims(e.key.Dims, k.Dims)
}

func sameDims(a, b []Dim) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keyHash hashes the metric name and dimension values (the parts that tell a
// namespace's series apart), by their length and outer bytes.
func keyHash(k *SeriesKey) uint64 {
	h := fingerprint(k.MetricName)
	for i := range k.Dims {
		h = mix64(h) ^ fingerprint(k.Dims[i].Value)
	}
	return mix64(h)
}

// mix64 is MurmurHash3's 64-bit finaliser: every input bit reaches every
// output bit (fingerprints of names like "host-12" differ in few bits).
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	return x ^ x>>33
}

// fingerprint mixes s's length with its first and last 8 bytes (all of
// them when shorter).
func fingerprint(s string) uint64 {
	n := len(s)
	if n >= 8 {
		b := unsafe.Slice(unsafe.StringData(s), n) // read only
		first, last := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n-8:])
		return mix64(first) ^ last + uint64(n)
	}
	h := uint64(n)
	for i := 0; i < n; i++ {
		h = h<<8 | uint64(s[i])
	}
	return h
}
