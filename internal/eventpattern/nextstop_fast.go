//go:build amd64 || arm64

package eventpattern

import (
	"math/bits"
	"unsafe"
)

// nextStopAt returns the index of the first stop byte at or after i, by the
// masks at sp, which the caller guarantees cover every position from i to
// the next stop byte and one word more: the masks of a padded event do
// (padWithStops).
//
// It is nextStopWords with one load and one shift instead of two of each,
// for little-endian machines with cheap unaligned loads: there the mask
// words are one bit string, byte k of it holding the bits of positions 8k
// to 8k+7, so the eight bytes from byte i>>3 are the mask bits of the 64
// positions from i&^7, and shifted right by i&7 they start at i. At least
// 57 of them are positions at or after i: a stop byte within 57 bytes,
// nearly every string end, is found without a loop or a branch on where the
// string ends. The unaligned load reads the masks' bytes up to (i>>3)+7,
// inside the two words from the one of i that nextStopWords reads, so the
// caller's guarantee covers it; the type has no pointers, so checkptr allows
// the unaligned conversion.
func nextStopAt(sp unsafe.Pointer, i int) int {
	for {
		if m := stopWindow(sp, i); m != 0 {
			return i + bits.TrailingZeros64(m)
		}
		// No stop byte in the 64 positions from i&^7.
		i = i&^7 + 64
	}
}

// stopWindow returns the mask bits of the positions from i (bit k: position
// i+k), at least 57 of them, so its bits up to its lowest set one are exact;
// zero means no stop byte within the window (ask nextStopAt). The masks at sp
// must be as nextStopAt needs them.
func stopWindow(sp unsafe.Pointer, i int) uint64 {
	return *(*uint64)(unsafe.Add(sp, i>>3)) >> (uint(i) & 7)
}
