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
// Two-way, direct-mapped and lock-free: readers load an entry atomically,
// writers replace a whole immutable entry. Store.Reset drops the cache
// with the series it points to.
type keyCache struct {
	slots []atomic.Pointer[keyCacheEntry]
	mask  uint64
}

type keyCacheEntry struct {
	p   Partition
	key SeriesKey // the cache's own copies
	ser *series
}

// keyCacheSlots is sized for a few hundred thousand active series (8 bytes a
// slot until used); beyond that, colliding keys fall back to the map.
const keyCacheSlots = 1 << 18

func newKeyCache() *keyCache {
	return &keyCache{slots: make([]atomic.Pointer[keyCacheEntry], keyCacheSlots), mask: keyCacheSlots - 1}
}

// get returns the series of k in p, or nil.
func (c *keyCache) get(p Partition, k *SeriesKey) *series {
	i := c.index(k)
	if e := c.slots[i].Load(); e != nil && e.matches(p, k) {
		return e.ser
	}
	if e := c.slots[i^1].Load(); e != nil && e.matches(p, k) {
		return e.ser
	}
	return nil
}

// put files ser as the series of k in p, in an empty way of its pair or
// else in place of the one its hash picks.
func (c *keyCache) put(p Partition, k *SeriesKey, ser *series) {
	e := &keyCacheEntry{p: Partition{Account: strings.Clone(p.Account), Region: strings.Clone(p.Region)}, ser: ser,
		key: SeriesKey{Namespace: strings.Clone(k.Namespace), MetricName: strings.Clone(k.MetricName), Dims: make([]Dim, len(k.Dims))}}
	for j, d := range k.Dims {
		e.key.Dims[j] = Dim{Name: strings.Clone(d.Name), Value: strings.Clone(d.Value)}
	}
	i := c.index(k)
	if c.slots[i].Load() != nil && c.slots[i^1].Load() == nil {
		i ^= 1
	}
	c.slots[i].Store(e)
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

// index hashes the metric name and dimension values (the parts that tell a
// namespace's series apart), by their length and outer bytes.
func (c *keyCache) index(k *SeriesKey) uint64 {
	const m = 0x9e3779b97f4a7c15
	h := fingerprint(k.MetricName) * m
	for i := range k.Dims {
		h = (h ^ fingerprint(k.Dims[i].Value)) * m
	}
	return (h >> 32) & c.mask
}

// fingerprint mixes s's length with its first and last 8 bytes (all of
// them when shorter).
func fingerprint(s string) uint64 {
	n := len(s)
	if n >= 8 {
		b := unsafe.Slice(unsafe.StringData(s), n) // read only
		first, last := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n-8:])
		return (first*0xff51afd7ed558ccd ^ last) + uint64(n)
	}
	h := uint64(n)
	for i := 0; i < n; i++ {
		h = h<<8 | uint64(s[i])
	}
	return h
}
