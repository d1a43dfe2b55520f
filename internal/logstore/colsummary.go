package logstore

import "math/bits"

// Column summaries. A column's byte set rules it out for a text only when
// one of the text's bytes never occurs in it, which letters rarely manage:
// "timeout" passes the byte set of a column of URL paths ("/api/v1/payments"
// holds every one of its letters), so the column was decompressed and
// searched for nothing. A plain text column of some size without a word
// index (colwords.go: free text has one) therefore carries a trigram
// summary of its values, the block summary's (summary.go: same hash, same
// folding): the trigrams inside each value, hashed in the pass that builds
// the block summary (blocksum.go). (Segments written before hashed the
// values back to back, which added the trigrams spanning two values: more
// bits, still sound.) The summary is kept only while sparse enough to rule texts
// out (a column of random identifiers holds most trigrams of its
// alphabet, and its summary would cost disk for nothing).

// colIndexMinBytes: smaller columns are cheap to decompress and search,
// and get neither a summary nor a word index (a variable: tests lower it).
var colIndexMinBytes = 4 << 10

const (
	// colSumMaxRatio bounds a column's summary to 1/64 of its values'
	// bytes, a quarter of the block summary's share: it only saves that
	// column's decompression.
	colSumMaxRatio = 64
	// colSumMaxFill: a summary with more bits set is dropped (an absent
	// trigram would find its bit set too often to be worth the bytes).
	colSumMaxFill = 0.4
)

// columnSummary appends the summary of a column of size bytes of values
// whose trigrams are in tri (folded in place), or nothing when it is too
// dense to rule texts out.
func columnSummary(dst []byte, tri *trigramBits, size int) []byte {
	n := len(dst)
	dst = tri.appendSummary(dst, size/colSumMaxRatio)
	set := 0
	for _, b := range dst[n:] {
		set += bits.OnesCount8(b)
	}
	if float64(set) > colSumMaxFill*float64(8*(len(dst)-n)) {
		return dst[:n]
	}
	return dst
}

// summaryMayHold reports whether values with trigram summary sum (nil: no
// summary) may contain s: false when the bit of one of s's trigrams is
// clear. Summaries are case-folded, so they answer for case-sensitive
// texts too (a superset).
func summaryMayHold(sum []byte, s string) bool {
	if sum == nil {
		return true
	}
	mask := uint32(len(sum)*8 - 1)
	for i := 0; i+3 <= len(s); i++ {
		b := trigramHash(s[i], s[i+1], s[i+2]) & mask
		if sum[b>>3]&(1<<(b&7)) == 0 {
			return false
		}
	}
	return true
}
