package logstore

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
)

// Column word indexes. `filter @message like /timeout/` over JSON logs
// finds its text in the column of free-text messages, in about 1% of the
// rows: in every block, so no block is skipped, and the column was
// decompressed and searched whole (zstd decoding was half of the query's
// CPU). Yet a text made of letters only can occur only inside one word,
// a maximal run of ASCII letters, of a value, and such a column has few
// distinct words (its messages' vocabulary), most of them common, the
// interesting ones rare. So a plain text column carries its words, each
// with the values holding it (postings) when it is rare: a text whose
// matching words are all rare is decided from the postings, without
// decompressing the column; one matching no word rules the column out; one
// matching a common word (which has no postings) falls back to the search.
// Only columns of free text get one, told by a space among their bytes:
// identifiers, paths and times have none, and their runs of letters are no
// vocabulary; they get a trigram summary instead (colsummary.go). The
// index costs flush ~1.4 ms per MB of such JSON lines (+27% on encoding a
// block) and ~2.5% on disk; it is in the meta, so reading it costs no
// decompression beyond the meta's.
//
// The index, in the meta after the column's summary (encWords):
//
//	uvarint len, then: uvarint nWords; per word: uvarint len, bytes,
//	uvarint count (0: common, no postings), and when count > 0: uvarint
//	size, then size bytes: count × uvarint (the first value index, then
//	the gaps) — a reader skips the postings of words that do not match

const (
	// colWordsMaxWords: distinct words; a column with more gets no index
	// (its words are not a vocabulary: runs of letters in identifiers).
	colWordsMaxWords = 512
	// colWordsRareDiv: a word held by more than 1/colWordsRareDiv of the
	// values (and more than colWordsMinRare) is common: no postings, and
	// a text in it is searched for. Rarer words' postings cost about a
	// byte each (gaps of 32 values and more fit in one or two).
	colWordsRareDiv = 32
	colWordsMinRare = 8
	// colWordsMaxShare: an index bigger than 1/colWordsMaxShare of the
	// column's compressed frame is dropped (the same: too many rare words).
	colWordsMaxShare = 8
)

// isLetter: the bytes of words.
var isLetter = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	return
}()

const letterHighs = 0x8080808080808080

// letters8 flags, in the high bit of each of x's bytes, the bytes that
// are ASCII letters (isLetter): below 0x80 and, lowercased by setting
// 0x20, from 'a' to 'z'. No sum carries into the next byte (0x7f plus
// 0x1f stays below 0x100).
func letters8(x uint64) uint64 {
	const sevens, low = 0x7f7f7f7f7f7f7f7f, 0x0101010101010101
	l := (x | 0x20*low) & sevens
	geA := l + (0x80-'a')*low     // high bit: l >= 'a'
	gtZ := l + (0x80-('z'+1))*low // high bit: l > 'z'
	return geA &^ gtZ &^ x & letterHighs
}

// lettersOnly reports whether the word index can decide s.
func lettersOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter[s[i]] {
			return false
		}
	}
	return s != ""
}

type wordEntry struct {
	hash     uint64
	off, len uint32 // the word: the column data's bytes at off
	last     int32  // the last value index recorded
	n        int32  // values holding the word
	post     []uint32
}

// wordTable is an encoder's scratch: an open-addressed table of the
// column's distinct words.
type wordTable struct {
	slots []int32 // index+1 into words; 0 empty
	words []wordEntry
	spare [][]uint32 // postings buffers for reuse
	blob  []byte
}

const wordSlots = 4 * colWordsMaxWords // power of two, sparse

// columnWords appends the word index of c's values to dst, or nothing when
// c is not a text column worth one (too small, too many distinct words, or
// an index too big next to frame, the column compressed).
func (e *colEncoder) columnWords(dst []byte, c *colBuilder, frame int) []byte {
	if (c.kind != KindString && c.kind != KindRaw) || len(c.data) < colIndexMinBytes {
		return dst
	}
	if e.words == nil {
		e.words = &wordTable{slots: make([]int32, wordSlots)}
	}
	w := e.words
	clear(w.slots)
	for i := range w.words {
		w.spare = append(w.spare, w.words[i].post[:0])
	}
	w.words = w.words[:0]
	limit := int32(max(c.n/colWordsRareDiv, colWordsMinRare))
	data, lens := c.data, c.lens
	slots := w.slots[:wordSlots]
	off := 0
	for v := range int32(c.n) {
		l, k := binary.Uvarint(lens)
		lens = lens[k:]
		end := off + int(l)
		val := data[:end]
		for i := off; i < len(val); {
			// Eight bytes at a time while the column's data lasts (bytes
			// past the value only end a run early or late: clamped).
			if i+8 <= len(data) {
				m := letters8(binary.LittleEndian.Uint64(data[i:]))
				if m == 0 {
					i += 8
					continue
				}
				if i += bits.TrailingZeros64(m) >> 3; i >= len(val) {
					break
				}
			} else if !isLetter[val[i]] {
				i++
				continue
			}
			j := i + 1
			for {
				if j+8 <= len(data) {
					m := ^letters8(binary.LittleEndian.Uint64(data[j:])) & letterHighs
					if m == 0 {
						j += 8
					} else {
						j += bits.TrailingZeros64(m) >> 3
					}
					if m == 0 && j < len(val) {
						continue
					}
					j = min(j, len(val))
					break
				}
				for j < len(val) && isLetter[val[j]] {
					j++
				}
				break
			}
			h := wordHash(val[i:j])
			// The common case inline: the word is in its first slot.
			if x := slots[h&(wordSlots-1)]; x != 0 {
				// Words under 8 bytes hash one to one (wordHash): equal
				// hashes and lengths make equal words, without a compare.
				if we := &w.words[x-1]; we.hash == h && (j-i < 8 && int(we.len) == j-i || string(data[we.off:we.off+we.len]) == string(val[i:j])) {
					if we.last != v {
						we.last = v
						if we.n++; we.n <= limit {
							we.post = append(we.post, uint32(v))
						}
					}
					i = j
					continue
				}
			}
			if !w.add(h, data, i, j, v, limit) {
				return dst
			}
			i = j
		}
		off = end
	}
	blob := binary.AppendUvarint(w.blob[:0], uint64(len(w.words)))
	for i := range w.words {
		we := &w.words[i]
		blob = binary.AppendUvarint(blob, uint64(we.len))
		blob = append(blob, data[we.off:we.off+we.len]...)
		if we.n > limit {
			blob = append(blob, 0)
			continue
		}
		blob = binary.AppendUvarint(blob, uint64(len(we.post)))
		size := 0
		prev := uint32(0)
		for _, p := range we.post {
			size += uvarintLen(uint64(p - prev))
			prev = p
		}
		blob = binary.AppendUvarint(blob, uint64(size))
		prev = 0
		for _, p := range we.post {
			blob = binary.AppendUvarint(blob, uint64(p-prev))
			prev = p
		}
	}
	w.blob = blob
	if len(blob)*colWordsMaxShare > frame {
		return dst
	}
	dst = binary.AppendUvarint(dst, uint64(len(blob)))
	return append(dst, blob...)
}

// add records that value v holds the word data[i:j] of hash h; false when
// the column has too many distinct words.
func (w *wordTable) add(h uint64, data []byte, i, j int, v, limit int32) bool {
	word := data[i:j]
	for s := h & (wordSlots - 1); ; s = (s + 1) & (wordSlots - 1) {
		x := w.slots[s]
		if x == 0 {
			if len(w.words) == colWordsMaxWords {
				return false
			}
			var post []uint32
			if n := len(w.spare); n > 0 {
				post, w.spare = w.spare[n-1], w.spare[:n-1]
			}
			w.words = append(w.words, wordEntry{hash: h, off: uint32(i), len: uint32(j - i), last: v, n: 1, post: append(post, uint32(v))})
			w.slots[s] = int32(len(w.words))
			return true
		}
		we := &w.words[x-1]
		if we.hash != h || !bytes.Equal(data[we.off:we.off+we.len], word) {
			continue
		}
		if we.last != v {
			we.last = v
			if we.n++; we.n <= limit {
				we.post = append(we.post, uint32(v))
			}
		}
		return true
	}
}

// SearchWords decides, from column id's word index and without loading
// it, which rows' values contain s, setting found[i] for them; false when
// the index cannot decide (no index, s not made of letters only, a word
// holding s is common, or the index is malformed) and the column must be
// searched.
func (c *Columns) SearchWords(id int, s string, found []bool) bool {
	col := &c.cols[id]
	if col.words == nil || !lettersOnly(s) {
		return false
	}
	// Collect the matching words' value indexes first: a common one
	// leaves found untouched.
	var vals []uint32
	u := uvarints{p: col.words, ok: true}
	nw := u.next()
	for range nw {
		l := u.next()
		if !u.ok || l > uint64(len(u.p)) {
			return false
		}
		word := u.p[:l]
		u.p = u.p[l:]
		match := bytes.Contains(word, []byte(s))
		k := u.next()
		if !u.ok {
			return false
		}
		if k == 0 {
			if match {
				return false
			}
			continue
		}
		size := u.next()
		if !u.ok || size > uint64(len(u.p)) {
			return false
		}
		post := uvarints{p: u.p[:size], ok: true}
		u.p = u.p[size:]
		if !match {
			continue
		}
		v := uint64(0)
		for j := range k {
			d := post.next()
			if !post.ok || (j > 0 && d == 0) {
				return false
			}
			v += d
			if v >= uint64(col.n) {
				return false
			}
			vals = append(vals, uint32(v))
		}
		if len(post.p) != 0 {
			return false
		}
	}
	if !u.ok || len(u.p) != 0 {
		return false
	}
	if len(vals) == 0 {
		return true
	}
	// Values are in row order: value p is held by the p-th row (of the
	// encoded block) that has one.
	slices.Sort(vals)
	pos := c.positions(id)
	k := 0
	for i := c.base; i < c.base+c.n && k < len(vals); i++ {
		p := pos[i]
		if p < 0 {
			continue
		}
		for k < len(vals) && vals[k] < uint32(p) {
			k++
		}
		if k < len(vals) && vals[k] == uint32(p) {
			found[i-c.base] = true
		}
	}
	return true
}

// wordHash hashes a word for the encoder's table from its length and its
// first and last eight bytes: unlike a byte-at-a-time hash (FNV-1a, a
// multiply per letter, was a third of the index's cost), one multiply per
// word. Words that agree there are told apart by the compare. For words
// under 8 bytes it is one to one (the length and the bytes, multiplied by
// an odd constant and rotated): columnWords relies on it.
func wordHash(w []byte) uint64 {
	x := uint64(len(w))
	switch {
	case len(w) >= 8:
		x ^= binary.LittleEndian.Uint64(w) ^ binary.LittleEndian.Uint64(w[len(w)-8:])*0xff51afd7ed558ccd
	case cap(w) >= 8: // one load, the bytes past the word masked off
		x ^= binary.LittleEndian.Uint64(w[:8]) & (1<<(8*len(w)) - 1) << 8
	default:
		for i, b := range w {
			x ^= uint64(b) << (8 * (i + 1))
		}
	}
	x *= 0x9e3779b97f4a7c15
	return bits.RotateLeft64(x, 11) // the table takes the low bits: the product's top ones, which every input bit moves
}

// uvarintLen is the length of v's uvarint encoding.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}
