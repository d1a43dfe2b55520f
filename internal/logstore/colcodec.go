package logstore

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/klauspost/compress/huff0"
	"github.com/klauspost/compress/s2"
)

// Column codecs. Every column frame used to be zstd (fastest level). On
// the load generator's JSON lines the column of free text (the message:
// words, key=value pairs, numbers) is a quarter of the bytes and took 60%
// of the block's zstd time: zstd's fastest level compresses such text at
// ~150 MB/s on this machine, S2 at ~450 MB/s, to 0.37 of its size instead
// of 0.27 (and reads it back faster). Whole blocks in S2 missed the disk
// goal (0.259 of raw), so only free text columns (a space among their
// bytes, as for the word index) of some size are written with S2, and
// only while the block stays within colDiskBudget of its message bytes:
// a block over it (text that S2 compresses badly, or little else to
// compress) gets zstd for those columns too. Other columns compress far
// better with zstd (timestamps: 0.03 against S2's 0.16), at a small share
// of the time.
//
// A frame written with S2 has encS2 in its column's encoding byte.
// Segments are footer version 3 since these codecs; those of versions 1
// and 2 have zstd frames only (TestReadSegV2).

// encS2, ORed into a column's encoding byte: its frame is an S2 block,
// not a zstd frame.
const encS2 byte = 0x20

const (
	// colS2MinBytes: smaller free text columns stay zstd (their time is
	// small, and zstd's frame is smaller).
	colS2MinBytes = 16 << 10
	// colDiskBudget bounds a block written with S2 frames to this share of
	// its message bytes (our decision: the disk goal is 0.25 of raw, and a
	// segment adds its footer).
	colDiskBudget = 0.24
	// colS2MaxRatio: a column S2 leaves above this share of its size is
	// zstd (prose: S2 ~0.55; the generator's messages, words and key=value
	// pairs: 0.37).
	colS2MaxRatio = 0.45
)

// colFrame is where phase one of encodeColumns left a column.
type colFrame struct {
	enc       byte // as written: encoding, encSummary, encWords, encS2
	off, size int  // the frame, in e.frames or (encS2) e.side
	tail      int  // end of its meta after the frame length, in e.tails
}

// encodeColumns compresses and indexes the columns, appends the block
// summary (when blk is set; sumLen is then its length) and the payload to
// dst, and returns dst and sumLen. meta is the meta up to the column
// count.
func (e *colEncoder) encodeColumns(dst []byte, sumLen int, meta []byte, blk *trigramBits, limit, msgBytes int) ([]byte, int) {
	frames, side, body := e.frames[:0], e.side[:0], e.body
	e.out = slices.Grow(e.out[:0], len(e.cols))[:len(e.cols)]
	e.tails = e.tails[:0]
	s2Cols := false
	for id, c := range e.cols {
		f := &e.out[id]
		*f = colFrame{}
		body = body[:0]
		enc := encPlain
		if c.dict != nil && c.n >= colDictMinValues {
			enc = encDict
			body = binary.AppendUvarint(body, uint64(len(c.order)))
			for _, v := range c.order {
				body = binary.AppendUvarint(body, uint64(len(v)))
				body = append(body, v...)
			}
			body = append(body, c.codes...)
		} else {
			if c.dict != nil {
				c.spill() // too few values for a dictionary
			}
			body = append(append(body, c.lens...), c.data...)
		}
		// A text column of some size may get a summary: its values'
		// trigrams, hashed with the block summary's (blocksum.go), which
		// also finds the bytes its values hold.
		var col *trigramBits
		if enc == encPlain && (c.kind == KindString || c.kind == KindRaw) && len(c.data) >= colIndexMinBytes {
			if e.tri == nil {
				e.tri = new(trigramBits)
			}
			col = e.tri
			col.reset()
		}
		set := e.hashColumn(id, c, col, blk)
		freeText := enc == encPlain && set[' '>>6]&(1<<(' '&63)) != 0
		if freeText && len(body) >= colS2MinBytes {
			f.off = len(side)
			side = appendS2(side, body)
			f.size = len(side) - f.off
			if float64(f.size) <= colS2MaxRatio*float64(len(body)) {
				f.enc |= encS2
				s2Cols = true
			} else {
				// Text S2 does badly on (prose): zstd, whatever the budget.
				side = side[:f.off]
				f.off = len(frames)
				frames = zenc.EncodeAll(body, frames)
				f.size = len(frames) - f.off
			}
		} else if enc == encDict {
			f.enc |= encHuff
			f.off = len(frames)
			frames = appendHuff(frames, body, e.huffScratch())
			f.size = len(frames) - f.off
		} else if len(body) >= colS2MinBytes && e.lzUseless(c.data) {
			f.enc |= encHuff
			f.off = len(frames)
			frames = appendHuff(frames, body, e.huffScratch())
			f.size = len(frames) - f.off
		} else {
			f.off = len(frames)
			frames = zenc.EncodeAll(body, frames)
			f.size = len(frames) - f.off
			if float64(f.size) > colHuffTry*float64(len(body)) && len(body) >= colS2MinBytes {
				zsize := f.size
				frames = appendHuff(frames, body, e.huffScratch()) // after the zstd frame
				if hsize := len(frames) - f.off - zsize; hsize < zsize {
					copy(frames[f.off:], frames[f.off+zsize:])
					f.enc |= encHuff
					f.size = hsize
				}
				frames = frames[:f.off+f.size]
			}
		}
		e.sum, e.wordIdx = e.sum[:0], e.wordIdx[:0]
		if enc == encPlain {
			// Free text gets a word index, other text (or free text with
			// too many words) a trigram summary.
			if freeText {
				e.wordIdx = e.columnWords(e.wordIdx, c, f.size)
			}
			if len(e.wordIdx) == 0 && col != nil {
				e.sum = columnSummary(e.sum, col, len(c.data))
			}
		}
		f.enc |= enc
		if len(e.sum) > 0 {
			f.enc |= encSummary
		}
		if len(e.wordIdx) > 0 {
			f.enc |= encWords
		}
		for _, w := range set {
			e.tails = binary.LittleEndian.AppendUint64(e.tails, w)
		}
		if len(e.sum) > 0 {
			e.tails = binary.AppendUvarint(e.tails, uint64(len(e.sum)))
			e.tails = append(e.tails, e.sum...)
		}
		e.tails = append(e.tails, e.wordIdx...) // its length first
		f.tail = len(e.tails)
	}
	if blk != nil {
		dst = blk.appendSummary(dst, limit)
		sumLen = len(dst)
	}
	head := len(meta)
	meta = e.appendColumnMeta(meta)
	e.mf = appendS2(e.mf[:0], meta)
	if s2Cols {
		size := sumLen + 1 + uvarintLen(uint64(len(e.mf))) + len(e.mf) + len(frames) + len(side)
		if float64(size) > colDiskBudget*float64(msgBytes) {
			// Over the budget: zstd for every column.
			for id, c := range e.cols {
				f := &e.out[id]
				if f.enc&encS2 == 0 {
					continue
				}
				body = append(append(body[:0], c.lens...), c.data...)
				f.enc &^= encS2
				f.off = len(frames)
				frames = zenc.EncodeAll(body, frames)
				f.size = len(frames) - f.off
			}
			meta = e.appendColumnMeta(meta[:head])
			e.mf = appendS2(e.mf[:0], meta)
		}
	}
	e.meta = meta
	dst = append(dst, colMagic)
	dst = binary.AppendUvarint(dst, uint64(len(e.mf)))
	dst = append(dst, e.mf...)
	for _, f := range e.out {
		if f.enc&encS2 != 0 {
			dst = append(dst, side[f.off:f.off+f.size]...)
		} else {
			dst = append(dst, frames[f.off:f.off+f.size]...)
		}
	}
	e.frames, e.side, e.body = frames, side, body
	return dst, sumLen
}

// appendColumnMeta appends the columns' entries of the meta.
func (e *colEncoder) appendColumnMeta(meta []byte) []byte {
	prev := 0
	for id, c := range e.cols {
		f := &e.out[id]
		meta = binary.AppendUvarint(meta, uint64(len(c.name)))
		meta = append(meta, c.name...)
		meta = append(meta, byte(c.kind), f.enc)
		meta = binary.AppendUvarint(meta, uint64(c.n))
		meta = binary.AppendUvarint(meta, uint64(f.size))
		meta = append(meta, e.tails[prev:f.tail]...)
		prev = f.tail
	}
	return meta
}

// appendS2 appends the S2 block of src to dst.
func appendS2(dst, src []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, s2.MaxEncodedLen(len(src)))
	out := s2.Encode(dst[n:cap(dst)], src)
	return dst[:n+len(out)]
}

// decodeS2 decodes an S2 frame into dst's memory, refusing one that
// claims more than maxBlockRaw bytes.
func decodeS2(dst, frame []byte) ([]byte, error) {
	if n, err := s2.DecodedLen(frame); err != nil || n > maxBlockRaw {
		return nil, s2.ErrCorrupt
	}
	return s2.Decode(dst[:0], frame)
}

// --- entropy-only frames ---------------------------------------------------------
//
// A column of random identifiers (request ids: hex digits and dashes) has
// nothing for LZ matching: zstd's fastest level finds short spurious
// matches and leaves it at 0.74 of its size, where Huffman coding of its
// bytes alone reaches 0.52 (zstd's best levels: 0.51, at 5× the time).
// So a column that zstd leaves above colHuffTry of its size is also
// Huffman coded (huff0, zstd's literal coder) and keeps the smaller frame;
// the bytes saved pay for free text in S2. A dictionary column (its few
// distinct values, then a code byte per value) is Huffman coded straight
// away: on the load generator's blocks that was smaller than zstd's frame
// for every such column, at a fifth of the time. Such a frame has encHuff
// in its column's encoding byte:
//
//	chunks of up to colHuffChunk bytes: uvarint size, uvarint n, then n
//	bytes: the chunk Huffman coded (huff0 4X, its table first); n 0: the
//	size bytes as they are; n 1: one byte, repeated size times

// A plain column whose first colLZSample bytes of values S2 cannot shrink
// below colLZUseless of their size (LZ finds nothing: random identifiers)
// is Huffman coded without trying zstd first; the sample costs a few
// microseconds, the zstd attempt on such a column ~3% of a flush.
const (
	colLZSample  = 4 << 10
	colLZUseless = 0.95
)

func (e *colEncoder) lzUseless(data []byte) bool {
	sample := data[:min(len(data), colLZSample)]
	e.lz = appendS2(e.lz[:0], sample)
	return float64(len(e.lz)) > colLZUseless*float64(len(sample))
}

// encHuff, ORed into a column's encoding byte: its frame is Huffman-coded
// chunks, not a zstd frame.
const encHuff byte = 0x10

const (
	colHuffTry   = 0.6
	colHuffChunk = 128 << 10
)

// appendHuff appends src's entropy-only frame to dst; s is scratch.
func appendHuff(dst, src []byte, s *huff0.Scratch) []byte {
	s.Reuse = huff0.ReusePolicyNone // every chunk carries its table
	for len(src) > 0 {
		chunk := src[:min(len(src), colHuffChunk)]
		src = src[len(chunk):]
		dst = binary.AppendUvarint(dst, uint64(len(chunk)))
		out, _, err := huff0.Compress4X(chunk, s)
		if errors.Is(err, huff0.ErrUseRLE) {
			dst = append(dst, 1, chunk[0])
			continue
		}
		if err != nil || len(out) >= len(chunk) {
			// Incompressible: as is.
			dst = append(dst, 0)
			dst = append(dst, chunk...)
			continue
		}
		dst = binary.AppendUvarint(dst, uint64(len(out)))
		dst = append(dst, out...)
	}
	return dst
}

// decodeHuff decodes an entropy-only frame into dst's memory, refusing
// one that would exceed maxBlockRaw bytes; s is scratch.
func decodeHuff(dst, frame []byte, s *huff0.Scratch) ([]byte, error) {
	bad := errors.New("bad entropy-coded frame")
	dst = dst[:0]
	u := uvarints{p: frame, ok: true}
	for len(u.p) > 0 {
		size, n := u.next(), u.next()
		if !u.ok || size == 0 || size > colHuffChunk || n > uint64(len(u.p)) || len(dst)+int(size) > maxBlockRaw {
			return nil, bad
		}
		switch n {
		case 0:
			if size > uint64(len(u.p)) {
				return nil, bad
			}
			dst = append(dst, u.p[:size]...)
			u.p = u.p[size:]
			continue
		case 1:
			at := len(dst)
			dst = slices.Grow(dst, int(size))[:at+int(size)]
			for i := at; i < len(dst); i++ {
				dst[i] = u.p[0]
			}
			u.p = u.p[1:]
			continue
		}
		sc, rest, err := huff0.ReadTable(u.p[:n], s)
		if err != nil {
			return nil, err
		}
		at := len(dst)
		dst = slices.Grow(dst, int(size))
		out, err := sc.Decoder().Decompress4X(dst[at:at:at+int(size)], rest)
		if err != nil {
			return nil, err
		}
		if len(out) != int(size) {
			return nil, bad
		}
		dst = dst[:at+int(size)]
		u.p = u.p[n:]
	}
	return dst, nil
}

func (e *colEncoder) huffScratch() *huff0.Scratch {
	if e.huff == nil {
		e.huff = new(huff0.Scratch)
	}
	return e.huff
}
