package eventpattern

import (
	"encoding/binary"
	"math/bits"
)

// The fast scanner finds the end of a string with one bit scan instead of a
// loop whose length depends on the data: before it walks an event, it marks
// every "stop" byte — a quote, a backslash or a control character — in one
// bit per byte, 64 bytes to a word (stopMasks). Walking then costs per token,
// not per byte, and the loop exits that the branch predictor cannot learn
// (where does this string end?) are gone. On amd64 the masks come from SSE2
// (part of the amd64 baseline, stopmask_amd64.s); elsewhere, or with the
// purego build tag, from the portable word-at-a-time code below.

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

// stopMasksGeneric is the portable stopMasksFull: it fills dst[:len(src)/64]
// for the full 64-byte blocks of src.
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

// stopMasks returns the stop-byte masks of src in dst's storage: bit i%64 of
// word i/64 is set when src[i] is a quote, a backslash or below 0x20, and
// bit len(src) is set as a sentinel.
func stopMasks(src []byte, dst []uint64) []uint64 {
	n := len(src)/64 + 1
	if cap(dst) < n {
		dst = make([]uint64, n, n+n/4)
	}
	dst = dst[:n]
	stopMasksFull(src, dst)
	// The last, partial block goes through a block padded with spaces,
	// which are not stop bytes.
	full := len(src) / 64
	var pad [64]byte
	copy(pad[copy(pad[:], src[full*64:]):], spaces64)
	stopMasksFull(pad[:], dst[full:])
	dst[full] |= 1 << (len(src) % 64)
	return dst
}

const spaces64 = "                                                                "

// nextStop returns the index of the first stop byte at or after i, or
// len(src) (where stopMasks put a sentinel bit); i must be at most len(src).
func nextStop(stops []uint64, i int) int {
	w := i >> 6
	m := stops[w] >> (i & 63) << (i & 63)
	for m == 0 { // the sentinel ends the loop
		w++
		m = stops[w]
	}
	return w<<6 + bits.TrailingZeros64(m)
}

// skipStr skips the rest of a string whose opening quote is before i,
// checking only that it ends (as the reference skipString does), and returns
// the index after the closing quote, or -1.
func (f *flat) skipStr(i int) int {
	if e := nextStop(f.stops, i); e < len(f.src) && f.src[e] == '"' {
		return e + 1
	}
	return f.skipStrSlow(i)
}

func (f *flat) skipStrSlow(i int) int {
	for {
		if i > len(f.src) {
			return -1
		}
		e := nextStop(f.stops, i)
		if e >= len(f.src) {
			return -1
		}
		switch f.src[e] {
		case '"':
			return e + 1
		case '\\':
			i = e + 2 // a backslash escapes the next byte
		default:
			i = e + 1 // control characters are only checked in values read
		}
	}
}
