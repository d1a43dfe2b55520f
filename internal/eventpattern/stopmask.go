package eventpattern

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// The fast scanner finds the end of a string with one bit scan instead of a
// loop whose length depends on the data: before it walks an event, it marks
// every "stop" byte — a quote, a backslash or a control character — in one
// bit per byte, 64 bytes to a word (padWithStops, over the event's
// padded copy, whose zero bytes are stop bytes too). Walking then costs per token,
// not per byte, and the loop exits that the branch predictor cannot learn
// (where does this string end?) are gone. On amd64 the masks come from AVX2
// when the CPU has it, else SSE2 (part of the amd64 baseline,
// stopmask_amd64.s); elsewhere, or with the purego build tag, from the
// portable word-at-a-time code below.

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
	k7f = 0x7f7f7f7f7f7f7f7f
	// packMSB gathers the top bit of each byte of a word into its top byte.
	packMSB = 0x0102040810204080
)

// stopWord returns the stop bytes of the little-endian word v as their top
// bits. Unlike the usual borrow trick ((x-lsb)&^x) it is exact: a byte right
// after a stop byte is never marked, which a bit mask needs.
func stopWord(v uint64) uint64 {
	t := v & k7f                  // the low seven bits of each byte: no carries below
	q := (t ^ (lsb * '"')) + k7f  // top bit clear iff the low seven bits are '"'
	b := (t ^ (lsb * '\\')) + k7f // likewise for '\\'
	c := t + lsb*(0x80-0x20)      // top bit clear iff the low seven bits are < 0x20
	return ^(q&b&c | v) & msb     // a byte with its top bit set is none of the three
}

// packWord turns the top bits of the bytes of m (stopWord's result) into the
// low eight bits of the result, byte k to bit k.
func packWord(m uint64) uint64 {
	return (m >> 7) * packMSB >> 56
}

// stopMasksGeneric fills dst[:len(src)/64] with the stop masks of the full
// 64-byte blocks of src, portably.
func stopMasksGeneric(src []byte, dst []uint64) {
	n := len(src) / 64
	for k := 0; k < n; k++ {
		b := src[k*64 : k*64+64 : k*64+64]
		dst[k] = packWord(stopWord(binary.LittleEndian.Uint64(b[0:]))) |
			packWord(stopWord(binary.LittleEndian.Uint64(b[8:])))<<8 |
			packWord(stopWord(binary.LittleEndian.Uint64(b[16:])))<<16 |
			packWord(stopWord(binary.LittleEndian.Uint64(b[24:])))<<24 |
			packWord(stopWord(binary.LittleEndian.Uint64(b[32:])))<<32 |
			packWord(stopWord(binary.LittleEndian.Uint64(b[40:])))<<40 |
			packWord(stopWord(binary.LittleEndian.Uint64(b[48:])))<<48 |
			packWord(stopWord(binary.LittleEndian.Uint64(b[56:])))<<56
	}
}

// padWithStops copies src into pad's storage followed by zero bytes up to a
// multiple of 64 bytes, at least walkPad of them, and returns the stop masks
// of the copy in stops' storage, one word per 64 bytes (the padding's zero
// bytes are stop bytes: nextStopAt never runs past the first of them). One
// pass over the event's full blocks does both: the bytes the masks are
// computed from are stored as they are, so the copy costs no loads of its
// own and no call to memmove (which took about as much of the scanner's
// time as the masks).
func padWithStops(pad []byte, stops []uint64, src []byte) ([]byte, []uint64) {
	n := (len(src)/64 + 2) * 64
	if cap(pad) < n {
		pad = make([]byte, n, n+n/4)
	}
	pad = pad[:n]
	if cap(stops) < n/64 {
		stops = make([]uint64, n/64, n/64+n/256)
	}
	stops = stops[:n/64]
	full := len(src) / 64 * 64
	stopMasksCopy(src[:full], pad, stops)
	// The partial block, zero-filled, the same way; then blocks of
	// padding alone, whose zero bytes are all stop bytes.
	k := full / 64
	if len(src) > full {
		var tail [64]byte
		copy(tail[:], src[full:])
		stopMasksCopy(tail[:], pad[full:full+64], stops[k:k+1])
		k++
	}
	clear(pad[k*64:])
	for ; k < len(stops); k++ {
		stops[k] = ^uint64(0)
	}
	return pad, stops
}

// nextStopWords returns the index of the first stop byte at or after i, by
// the masks at sp, which the caller guarantees cover every position from i
// to the next stop byte and one word more: the masks of a padded event do
// (padWithStops). It looks at the 64 bytes from i at a time, which span two
// mask words unless i is word-aligned, so that no branch depends on where a
// string crosses a word boundary: only a string of 64 bytes or more loops.
// It is nextStopAt where the masks' bytes are not in little-endian order,
// or unaligned loads are not cheap (nextstop_other.go; nextstop_fast.go has
// the version with one load and one shift).
func nextStopWords(sp unsafe.Pointer, i int) int {
	for {
		w := unsafe.Add(sp, i>>6<<3)
		s := uint(i) & 63
		// The next word shifted left by 64-s, as two shifts so that s == 0
		// shifts it out entirely without the compiler's code for shift
		// counts of 64 and more (^s&63 is 63-s).
		if m := *(*uint64)(w)>>s | *(*uint64)(unsafe.Add(w, 8))<<1<<(^s&63); m != 0 {
			return i + bits.TrailingZeros64(m)
		}
		i += 64
	}
}
