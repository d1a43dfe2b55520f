package logstore

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// --- trigram summaries ----------------------------------------------------------
//
// Every segment block carries a trigram presence summary: a bitmap in which
// bit h(t) is set for each trigram t (3 consecutive bytes, ASCII letters
// lowercased) of each of the block's messages. A read that needs every
// matching message to contain a substring s (Query.RequiredSubstrings)
// skips a block when some trigram of s has its bit clear: no message of
// the block contains s. Unlike a summary of whole tokens, this is sound
// for the substring semantics of filter patterns (the term ERROR matches
// "ERRORCODE") and of Logs Insights' like.
//
// h is a tabulation hash of the trigram (b0, b1, b2) to 17 bits,
// A[b0] ^ B[b1] ^ C[b2] with A, B, C fixed tables of random values indexed
// by the case-folded byte: every bit of h is an independent random
// function of the trigram (3-independent hashing), and it costs the build
// a table load, a shift and an XOR per byte with a rolling accumulator. It
// measured 24% cheaper than a multiply-shift hash (which needs a
// lowercasing lookup and a multiply per byte) and hashes no worse. A
// block's bitmap is built with 2^17 bits and then folded (bit h mod 2^k:
// the upper half ORed into the lower) while it stays sparse, and further
// while it is large next to the block's messages; its length gives k. The
// tables are part of the segment format (version 2).

const (
	sumMaxLog   = 17 // bits of h: the unfolded bitmap has 2^17 bits (16 KiB)
	sumMinBytes = 8  // the smallest summary: one 64-bit word
	// sumMaxFill bounds the fraction of set bits folding may reach: an
	// absent trigram then finds its bit clear with probability ≥ 3/4, and a
	// substring with 4 absent trigrams passes a block in < 0.4% of cases.
	// 1 MiB blocks of JSON application logs (~7,000 distinct trigrams)
	// fold to 4 KiB at ~20% fill (TestSummarySize).
	sumMaxFill = 0.25
	// sumMaxRatio bounds a summary to 1/16 of its block's message bytes
	// (when that is more than sumMinBytes): skipping saves at most the
	// block's decoding, so a small block gets a small, denser summary.
	sumMaxRatio = 16

	hashMask  = 1<<sumMaxLog - 1
	sumWords  = 1 << (sumMaxLog - 6) // 64-bit words of the unfolded bitmap
	tabStride = 21                   // bits between the packed A, B and C values
)

// lower maps ASCII upper-case letters to lower case and every other byte to
// itself: summaries are case-insensitive.
var lower = func() (t [256]byte) {
	for c := range 256 {
		t[c] = byte(c)
		if c >= 'A' && c <= 'Z' {
			t[c] = byte(c + 32)
		}
	}
	return
}()

// trigramTab[c] packs A[c'] << 42 | B[c'] << 21 | C[c'] for c' the
// case-folded c. Rolling acc = acc>>21 ^ trigramTab[c] over b0, b1, b2
// leaves A[b0] ^ B[b1] ^ C[b2] in its low bits.
var trigramTab = func() (t [256]uint64) {
	for c := range 256 {
		l := uint64(lower[c])
		t[c] = tabValue(0, l)<<(2*tabStride) | tabValue(1, l)<<tabStride | tabValue(2, l)
	}
	return
}()

// tabValue is the fixed random value of byte c at position pos of a
// trigram (splitmix64: the format must not depend on a library's random
// number generator).
func tabValue(pos, c uint64) uint64 {
	x := (pos<<8 | c) + 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return (x ^ x>>31) & hashMask
}

// trigramHash is h of the trigram (b0, b1, b2).
func trigramHash(b0, b1, b2 byte) uint32 {
	return uint32((trigramTab[b0]>>(2*tabStride) ^ trigramTab[b1]>>tabStride ^ trigramTab[b2]) & hashMask)
}

// trigramBits is the unfolded bitmap of one block: reset, addMessage for
// each message, then appendSummary.
type trigramBits [sumWords]uint64

func (s *trigramBits) reset() { clear(s[:]) }

// addMessage sets the bits of msg's trigrams in one pass with a rolling
// accumulator: per byte a table load, a shift and an XOR, then a load and
// test of one word of the bitmap (most trigrams repeat, so testing before
// setting keeps stores rare). BenchmarkSummary measures it.
//
// The rolling hash is one dependency chain: a longer message is hashed as
// two halves overlapping by two bytes (every trigram lies in one of them),
// in one loop, so that the CPU runs the two chains side by side (about a
// third less time per byte than one chain).
func (s *trigramBits) addMessage(msg []byte) {
	if len(msg) < 3 {
		return
	}
	_ = s[0] // one nil check, not one per byte
	if len(msg) < 32 {
		acc := trigramTab[msg[0]]>>tabStride ^ trigramTab[msg[1]]
		for _, c := range msg[2:] {
			acc = acc>>tabStride ^ trigramTab[c] // h in bits 0–16: word h>>6, bit h&63
			word, bit := &s[acc>>6&(sumWords-1)], uint64(1)<<(acc&63)
			if *word&bit == 0 {
				*word |= bit
			}
		}
		return
	}
	m := (len(msg) - 2) / 2 // a holds trigrams [0, m), b the rest (as many or one more)
	a, b := msg[:m+2], msg[m:]
	accA := trigramTab[a[0]]>>tabStride ^ trigramTab[a[1]]
	accB := trigramTab[b[0]]>>tabStride ^ trigramTab[b[1]]
	ra, rb := a[2:], b[2:]
	rb, rest := rb[:len(ra)], rb[len(ra):]
	for k, c := range ra {
		accA = accA>>tabStride ^ trigramTab[c]
		accB = accB>>tabStride ^ trigramTab[rb[k]]
		wa, ba := &s[accA>>6&(sumWords-1)], uint64(1)<<(accA&63)
		if *wa&ba == 0 {
			*wa |= ba
		}
		wb, bb := &s[accB>>6&(sumWords-1)], uint64(1)<<(accB&63)
		if *wb&bb == 0 {
			*wb |= bb
		}
	}
	for _, c := range rest {
		accB = accB>>tabStride ^ trigramTab[c]
		if w, bit := &s[accB>>6&(sumWords-1)], uint64(1)<<(accB&63); *w&bit == 0 {
			*w |= bit
		}
	}
}

// appendSummary folds s (in place: reset it before reuse) to at most
// max(limit, sumMinBytes) bytes, and further while it stays sparse, and
// appends the summary to dst as little-endian 64-bit words.
func (s *trigramBits) appendSummary(dst []byte, limit int) []byte {
	words := s[:]
	for len(words)*8 > sumMinBytes {
		half := len(words) / 2
		if len(words)*8 <= limit {
			// Fold only while the result stays sparse.
			m := 0
			for j := range half {
				m += bits.OnesCount64(words[j] | words[j+half])
			}
			if float64(m) > sumMaxFill*float64(half*64) {
				break
			}
		}
		for j := range half {
			words[j] |= words[j+half]
		}
		words = words[:half]
	}
	for _, w := range words {
		dst = binary.LittleEndian.AppendUint64(dst, w)
	}
	return dst
}

// validSummaryLen reports whether n bytes can be a summary: a power of two
// from sumMinBytes to the unfolded size.
func validSummaryLen(n uint32) bool {
	return n >= sumMinBytes && n <= 1<<sumMaxLog/8 && n&(n-1) == 0
}

// required is what a query requires of a block's summary: the distinct
// hashes of its substrings' trigrams.
type required []uint32

// requiredTrigrams returns the trigram hashes of the substrings of at least
// 3 bytes (shorter ones constrain nothing), sorted and distinct.
func requiredTrigrams(subs []string) required {
	var out required
	for _, s := range subs {
		for i := 0; i+3 <= len(s); i++ {
			out = append(out, trigramHash(s[i], s[i+1], s[i+2]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// mayMatch reports whether a block with summary sum (validSummaryLen) may
// hold a message containing every required substring: false when the bit
// of a required trigram is clear.
func (r required) mayMatch(sum []byte) bool {
	mask := uint32(len(sum)*8 - 1)
	for _, h := range r {
		b := h & mask
		if sum[b>>3]&(1<<(b&7)) == 0 {
			return false
		}
	}
	return true
}
