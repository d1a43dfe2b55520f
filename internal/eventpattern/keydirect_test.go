package eventpattern

import (
	"testing"
	"unsafe"
)

// TestDirectSlotsNotShared checks that the seeds buildDirect tries keep
// the keys of the benchmark's tables apart: a key sharing its slot costs
// every event key of its shape a hash-table lookup. Keys alike in all that
// directIndex hashes (detail.eventName and detail.errorCode at the root)
// cannot be parted by a seed.
func TestDirectSlotsNotShared(t *testing.T) {
	if !isLittleEndian() {
		t.Skip("the test builds the walker's two-byte words little-endian")
	}
	type shape struct {
		n    int
		w    uint16
		last byte
	}
	shapeOf := func(k string) shape {
		w := [2]byte{'"', '"'}
		last := byte('"')
		if k != "" {
			w[0], last = k[0], k[len(k)-1]
		}
		if len(k) > 1 {
			w[1] = k[1]
		}
		return shape{len(k), uint16(w[0]) | uint16(w[1])<<8, last}
	}
	for _, n := range []int{10, 1000} {
		pt := benchMatcher(t, n).index().paths
		for ni, nd := range pt.nodes {
			kt := nd.kids
			if kt == nil {
				continue
			}
			shapes := map[shape]int{}
			for _, s := range kt.slots {
				if s.n >= 0 {
					shapes[shapeOf(s.key)]++
				}
			}
			for _, s := range kt.slots {
				if s.n < 0 || s.n > 24 || shapes[shapeOf(s.key)] > 1 {
					continue
				}
				sh := shapeOf(s.key)
				sl := &kt.direct[directIndex(sh.n, sh.w, sh.last, kt.dseed, kt.dshift)]
				if sl.n != int32(len(s.key)) || sl.node != s.node {
					t.Errorf("rules=%d node %d: key %q shares its direct slot", n, ni, s.key)
				}
			}
		}
	}
}

func isLittleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}

// TestWalkShortKeys reads keys of zero to two bytes, which the direct
// table hashes with the closing quote (and for the empty key two quotes in
// place of what follows it), followed by every kind of byte that may
// follow a key.
func TestWalkShortKeys(t *testing.T) {
	pt := scanTable("", "a", "ab", "o.", "o.a", "o.ab", "b")
	for _, key := range []string{"", "a", "ab", "x", "xy", "b"} {
		for _, sep := range []string{":", " :", "\t:", "\n:"} {
			for _, ev := range []string{
				`{"` + key + `"` + sep + `"v"}`,
				`{"o":{"` + key + `"` + sep + `1,"` + key + `"` + sep + `"w"},"` + key + `"` + sep + `true}`,
			} {
				checkScan(t, pt, []byte(ev))
				var f flat
				f.reset(pt, []byte(ev))
				if !f.fastScan() {
					t.Fatalf("fast scan gave up on %s", ev)
				}
			}
		}
	}
}
