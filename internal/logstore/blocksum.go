package logstore

import "slices"

// The block summary of a column-wise block, built from its columns. The
// summary is the set of trigrams of the block's messages (summary.go). It
// used to be built by hashing every byte of every message, and the column
// summaries hashed the bytes of their values again: together ~17% of a
// flush. A message of a column-wise block is its shape's literals
// interleaved with its values, so its trigrams are
//
//   - the trigrams inside each literal: hashed once per shape, not once
//     per message;
//   - the trigrams of each value with up to two bytes of the literals on
//     either side (its context): every other trigram touches a value, and
//     reaches at most two bytes past it. A literal between two values is
//     at least 4 bytes (`,"":`), so no trigram touches two values. The
//     bytes inside a value are hashed once per value of a plain column
//     (and are the column summary's too), once per distinct value of a
//     dictionary column; the trigrams reaching into the context, once per
//     value, or once per distinct (context, value) of a dictionary column.
//
// That is exactly the set the per-message hashing finds, so the summary is
// the same, bit for bit (TestBlockSummaryFromColumns, FuzzBlockSummary).
// A block whose shapes break the rule above (never, for what splitObject
// accepts) is summarised message by message.

// valueCtx is what surrounds a value in one shape: up to two bytes of the
// literal before it and of the literal after it, packed: the lengths in
// bits 0–3 and 4–7, the bytes before in bits 8–23, after in 24–39.
type valueCtx uint64

func makeCtx(before, after []byte) valueCtx {
	if len(before) > 2 {
		before = before[len(before)-2:]
	}
	if len(after) > 2 {
		after = after[:2]
	}
	x := uint64(len(before)) | uint64(len(after))<<4
	for i, c := range before {
		x |= uint64(c) << (8 + 8*i)
	}
	for i, c := range after {
		x |= uint64(c) << (24 + 8*i)
	}
	return valueCtx(x)
}

func (x valueCtx) before() []byte {
	n := int(x & 15)
	b := []byte{byte(x >> 8), byte(x >> 16)}
	return b[:n]
}

func (x valueCtx) after() []byte {
	n := int(x >> 4 & 15)
	a := []byte{byte(x >> 24), byte(x >> 32)}
	return a[:n]
}

// set sets bit h (low 17 bits) of the unfolded bitmap.
func (s *trigramBits) set(h uint64) {
	if w, bit := &s[h>>6&(sumWords-1)], uint64(1)<<(h&63); *w&bit == 0 {
		*w |= bit
	}
}

// addCrossing sets the bits of the trigrams of x.before()+v+x.after()
// that are not inside v (addMessage(v) adds those).
func (s *trigramBits) addCrossing(x valueCtx, v []byte) {
	nb, na := int(x&15), int(x>>4&15)
	if len(v) < 2 {
		// Every trigram of the window crosses v (or holds all of it).
		var w [6]byte
		n := copy(w[:], x.before())
		n += copy(w[n:], v)
		n += copy(w[n:], x.after())
		for i := 0; i+3 <= n; i++ {
			s.set(uint64(trigramHash(w[i], w[i+1], w[i+2])))
		}
		return
	}
	v0, v1 := v[0], v[1]
	switch nb {
	case 2:
		b0, b1 := byte(x>>8), byte(x>>16)
		s.set(uint64(trigramHash(b0, b1, v0)))
		s.set(uint64(trigramHash(b1, v0, v1)))
	case 1:
		s.set(uint64(trigramHash(byte(x>>8), v0, v1)))
	}
	if na == 0 {
		return
	}
	y0, y1, a0 := v[len(v)-2], v[len(v)-1], byte(x>>24)
	s.set(uint64(trigramHash(y0, y1, a0)))
	if na == 2 {
		s.set(uint64(trigramHash(y1, a0, byte(x>>32))))
	}
}

func (s *trigramBits) or(o *trigramBits) {
	for i := range s {
		s[i] |= o[i]
	}
}

// shapeCtx: column id's values have context ctx in shape shape.
type shapeCtx struct {
	col   int32
	shape int32
	ctx   valueCtx
}

// blockSummary prepares the block summary: it hashes the shapes'
// literals into blk and finds each column's contexts; false when the
// shapes do not allow building the summary from the columns.
func (e *colEncoder) blockSummary(blk *trigramBits) bool {
	e.ctxs = e.ctxs[:0]
	for s := 1; s < len(e.slots); s++ {
		lits := e.pred[s].lits
		for k, l := range lits {
			if k > 0 && k < len(lits)-1 && len(l) < 2 {
				return false
			}
		}
		for j, id := range e.slots[s] {
			e.ctxs = append(e.ctxs, shapeCtx{int32(id), int32(s), makeCtx(lits[j], lits[j+1])})
		}
	}
	blk.reset()
	for s := 1; s < len(e.slots); s++ {
		for _, l := range e.pred[s].lits {
			blk.addMessage(l)
		}
	}
	// Shape 0 holds the raw column, with no context.
	e.ctxs = append(e.ctxs, shapeCtx{int32(e.slots[0][0]), 0, 0})
	slices.SortFunc(e.ctxs, func(a, b shapeCtx) int { return int(a.col - b.col) })
	// colCtx[id] is column id's run of ctxs.
	e.colCtx = slices.Grow(e.colCtx[:0], len(e.cols)+1)[:len(e.cols)+1]
	k := 0
	for id := range len(e.cols) + 1 {
		for k < len(e.ctxs) && int(e.ctxs[k].col) < id {
			k++
		}
		e.colCtx[id] = int32(k)
	}
	return true
}

// hashColumn adds column id's values to the summaries: their own
// trigrams to col when it is not nil (the column's summary; then ORed into
// blk), else to blk; the trigrams reaching into their contexts to blk.
// blk nil: only col. blockSummary must have run when blk is set. It
// returns the column's byte set (colBuilder.byteSet).
func (e *colEncoder) hashColumn(id int, c *colBuilder, col, blk *trigramBits) [4]uint64 {
	own := col
	if own == nil {
		own = blk
	}
	if own == nil {
		return c.byteSet()
	}
	var ctxs []shapeCtx
	if blk != nil {
		ctxs = e.ctxs[e.colCtx[id]:e.colCtx[id+1]]
	}
	// single: every value has the same context (the usual case), or the
	// context is not wanted.
	single := true
	for _, x := range ctxs {
		if x.ctx != ctxs[0].ctx {
			single = false
			break
		}
	}
	var ctx0 valueCtx
	if len(ctxs) > 0 {
		ctx0 = ctxs[0].ctx
	}
	if c.dict != nil {
		for _, v := range c.order {
			own.addMessage(v)
			if blk != nil && single {
				blk.addCrossing(ctx0, v)
			}
		}
		if blk != nil && !single {
			// Each distinct (context, value) once.
			idx := e.ctxIndex(ctxs)
			nctx := len(e.ctxList)
			seen := slices.Grow(e.seen[:0], nctx*colDictMax)[:nctx*colDictMax]
			clear(seen)
			v := 0
			for _, s := range e.shapeOf {
				k := idx[s]
				if k < 0 {
					continue
				}
				code := c.codes[v]
				v++
				if j := int(k)*colDictMax + int(code); !seen[j] {
					seen[j] = true
					blk.addCrossing(e.ctxList[k], c.order[code])
				}
			}
			e.seen = seen
			e.unindex(ctxs)
		}
		if col != nil && blk != nil {
			blk.or(col)
		}
		return c.byteSet() // from the dictionary: cheap
	}
	var seen [256]bool
	{
		data, lens := c.data, c.lens
		off := 0
		if blk == nil || single {
			for range c.n {
				l, k := uvarint(lens)
				lens = lens[k:]
				v := data[off : off+int(l)]
				off += int(l)
				own.addValue(v, &seen)
				if blk != nil {
					blk.addCrossing(ctx0, v)
				}
			}
		} else {
			idx := e.ctxIndex(ctxs)
			for _, s := range e.shapeOf {
				k := idx[s]
				if k < 0 {
					continue
				}
				l, n := uvarint(lens)
				lens = lens[n:]
				v := data[off : off+int(l)]
				off += int(l)
				own.addValue(v, &seen)
				blk.addCrossing(e.ctxList[k], v)
			}
			e.unindex(ctxs)
		}
	}
	if col != nil && blk != nil {
		blk.or(col)
	}
	return byteSetOf(&seen)
}

// ctxIndex returns, per shape, the index in e.ctxList of the context of
// the column whose contexts are ctxs, or -1 where the shape lacks it;
// unindex restores the -1s.
func (e *colEncoder) ctxIndex(ctxs []shapeCtx) []int16 {
	if len(e.ctxOf) < len(e.slots) {
		e.ctxOf = make([]int16, len(e.slots))
		for i := range e.ctxOf {
			e.ctxOf[i] = -1
		}
	}
	e.ctxList = e.ctxList[:0]
	for _, x := range ctxs {
		k := slices.Index(e.ctxList, x.ctx)
		if k < 0 {
			k = len(e.ctxList)
			e.ctxList = append(e.ctxList, x.ctx)
		}
		e.ctxOf[x.shape] = int16(k)
	}
	return e.ctxOf
}

func (e *colEncoder) unindex(ctxs []shapeCtx) {
	for _, x := range ctxs {
		e.ctxOf[x.shape] = -1
	}
}

// uvarint decodes a uvarint written by binary.AppendUvarint (the column
// builders' lengths, which are valid): one byte, no call, in the usual
// case.
func uvarint(p []byte) (uint64, int) {
	if p[0] < 0x80 {
		return uint64(p[0]), 1
	}
	var x uint64
	var s uint
	for i, b := range p {
		if b < 0x80 {
			return x | uint64(b)<<s, i + 1
		}
		x |= uint64(b&0x7f) << s
		s += 7
	}
	return 0, 0
}

// encodeBlockSummary appends b's summary (folded to limit) and then its
// payload, column-wise when it can be, to dst; tri is scratch. sumLen is
// the summary's length.
func encodeBlockSummary(dst []byte, b *Block, tri *trigramBits, limit int) (out []byte, sumLen int) {
	base := len(dst)
	if out, n, ok := encodeColumnarSummary(dst, b, tri, limit); ok {
		return out, n - base
	}
	tri.reset()
	for i := range b.Len() {
		tri.addMessage(b.Message(i))
	}
	dst = tri.appendSummary(dst, limit)
	sumLen = len(dst) - base
	return encodeBlock(dst, b), sumLen
}

// addValue is addMessage that also marks the bytes of v in seen (the
// column's byte set, built in the same pass: a pass of its own over the
// plain columns' bytes was ~9% of a flush).
func (s *trigramBits) addValue(v []byte, seen *[256]bool) {
	if len(v) < 32 {
		for _, c := range v {
			seen[c] = true
		}
		s.addMessage(v)
		return
	}
	_ = s[0]
	m := (len(v) - 2) / 2
	a, b := v[:m+2], v[m:]
	seen[a[0]], seen[a[1]], seen[b[0]], seen[b[1]] = true, true, true, true
	accA := trigramTab[a[0]]>>tabStride ^ trigramTab[a[1]]
	accB := trigramTab[b[0]]>>tabStride ^ trigramTab[b[1]]
	ra, rb := a[2:], b[2:]
	rb, rest := rb[:len(ra)], rb[len(ra):]
	for k, c := range ra {
		d := rb[k]
		seen[c], seen[d] = true, true
		accA = accA>>tabStride ^ trigramTab[c]
		accB = accB>>tabStride ^ trigramTab[d]
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
		seen[c] = true
		accB = accB>>tabStride ^ trigramTab[c]
		if w, bit := &s[accB>>6&(sumWords-1)], uint64(1)<<(accB&63); *w&bit == 0 {
			*w |= bit
		}
	}
}

// byteSetOf packs seen as Columns keeps a byte set.
func byteSetOf(seen *[256]bool) [4]uint64 {
	var set [4]uint64
	for b, ok := range seen {
		if ok {
			set[b>>6] |= 1 << (b & 63)
		}
	}
	return set
}
