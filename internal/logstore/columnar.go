package logstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/huff0"
	"github.com/klauspost/compress/s2"
)

// A block whose messages are mostly JSON objects is written column-wise, so
// that a query reads only the fields it names and never parses JSON: each
// message is split (splitObject) into its shape — the literal text between
// its top-level values, keys included — and its values, and each distinct
// (key, value kind) is a column holding the values of the rows that have
// it. A message is exactly its shape's literals interleaved with its
// values, so readers get every message back byte for byte; a message that
// is not such an object is one value of the raw column (shape 0 is
// "literal nothing, raw value, literal nothing").
//
// The payload:
//
//	'C'                      (a row payload is a zstd frame: 0x28 ...)
//	uvarint len, meta        zstd frame:
//	    the row format's header: n, streams, timestamps, ingestion
//	    times, seqs, stream ids (encodeBlock's layout)
//	    n × uvarint          message length
//	    n × uvarint          shape id
//	    uvarint nShapes; per shape: uvarint nSlots, nSlots+1 literals
//	                         (uvarint len, bytes), nSlots column ids
//	    uvarint nCols; per column: uvarint len, name, kind byte,
//	                         encoding byte, uvarint values, uvarint frame
//	                         len, 32 bytes: the set of bytes its values hold,
//	                         then, when the encoding byte has encSummary:
//	                         uvarint len, the trigram summary of its values;
//	                         when it has encWords: uvarint len, the word
//	                         index of its values (colwords.go)
//	column frames            one frame per column, in column order: zstd,
//	                         or S2 (encS2 in the encoding byte) or Huffman
//	                         chunks (encHuff; colcodec.go); uncompressed:
//	    plain:  values × uvarint length, then the values' bytes
//	    dict:   uvarint nDict, nDict × (uvarint len, bytes), values × code byte
//
// Columns are decompressed only when a reader asks for them (Columns.Load).

const colMagic = 'C'

// A block is written column-wise only when at least this share of its rows
// are JSON objects, and within these bounds (beyond them a block is better
// left as rows).
const (
	colMinObjectShare = 2 // 1/colMinObjectShare
	colMaxShapes      = 1024
	colMaxColumns     = 2048
	colDictMax        = 256 // distinct values a dictionary column holds
	colDictMinValues  = 32  // fewer values are stored plain
)

const (
	encPlain byte = iota
	encDict
)

// encSummary and encWords, ORed into a column's encoding byte, say that
// a trigram summary of its values (colsummary.go) and a word index
// (colwords.go) follow its byte set.
const (
	encSummary byte = 0x80
	encWords   byte = 0x40
)

// colBuilder accumulates one column while a block is encoded.
type colBuilder struct {
	name  string
	kind  ValueKind
	n     int
	lens  []byte // uvarint lengths
	data  []byte
	dict  *dictTable // nil once the column has too many values
	order [][]byte   // dictionary values by code
	codes []byte

	spareDict *dictTable // the table of a dictionary dropped, for reuse
}

// byteSet is the set of bytes the column's values hold, as Columns keeps
// it: bit b of word b/64.
func (c *colBuilder) byteSet() [4]uint64 {
	var seen [256]bool
	if c.dict != nil {
		// Every value is one of the dictionary's (at most colDictMax):
		// their bytes are the column's, at a fraction of the reading.
		for _, v := range c.order {
			for _, b := range v {
				seen[b] = true
			}
		}
	} else {
		for _, b := range c.data {
			seen[b] = true
		}
	}
	var set [4]uint64
	for b, ok := range seen {
		if ok {
			set[b>>6] |= 1 << (b & 63)
		}
	}
	return set
}

// add appends a value. While the column has a dictionary its values are
// its codes alone; their lengths and bytes (lens, data) are written out
// by spill when it loses the dictionary or is stored plain.
func (c *colBuilder) add(v []byte) {
	c.n++
	if c.dict == nil {
		c.lens = binary.AppendUvarint(c.lens, uint64(len(v)))
		c.data = append(c.data, v...)
		return
	}
	code, slot, ok := c.dict.lookup(v, c.order)
	if !ok {
		if len(c.order) == colDictMax {
			c.spill()
			// No dictionary from here on; its memory is kept for the
			// builder's next block.
			c.spareDict, c.dict, c.order, c.codes = c.dict, nil, c.order[:0], c.codes[:0]
			c.lens = binary.AppendUvarint(c.lens, uint64(len(v)))
			c.data = append(c.data, v...)
			return
		}
		code = uint8(len(c.order))
		c.dict.insert(slot, code)
		c.order = append(c.order, v[:len(v):len(v)])
	}
	c.codes = append(c.codes, code)
}

// spill writes the lengths and bytes of the values coded so far.
func (c *colBuilder) spill() {
	for _, code := range c.codes {
		v := c.order[code]
		c.lens = binary.AppendUvarint(c.lens, uint64(len(v)))
		c.data = append(c.data, v...)
	}
}

// colEncoder is the scratch state of encodeColumnar, pooled.
type colEncoder struct {
	mem      []member
	shapeKey []byte
	shapes   map[string]int
	shapeDef [][]byte // per shape: its encoded definition
	slots    [][]int  // per shape: its slots' column ids
	shapeOf  []int
	colIndex map[string]int
	cols     []*colBuilder
	spare    []*colBuilder // builders of earlier blocks, for their buffers
	meta     []byte
	tri      *trigramBits // scratch of column summaries
	sum      []byte
	words    *wordTable // scratch of word indexes
	wordIdx  []byte
	pred     []shapeLits // per shape (colpredict.go)
	frames   []byte      // the block's column frames
	body     []byte      // a column's uncompressed frame
	last     int         // the shape of the last object message

	side  []byte         // the block's S2 column frames (colcodec.go)
	out   []colFrame     // per column: its frame and meta
	tails []byte         // the columns' meta after their frame lengths
	mf    []byte         // the compressed meta
	huff  *huff0.Scratch // Huffman coding scratch
	lz    []byte         // scratch of colcodec.go's sample

	// The block summary's scratch (blocksum.go).
	ctxs    []shapeCtx
	colCtx  []int32
	ctxOf   []int16
	ctxList []valueCtx
	seen    []bool
}

var colEncoders = sync.Pool{New: func() any { return new(colEncoder) }}

func (e *colEncoder) reset() {
	e.mem = e.mem[:0]
	clear(e.shapes)
	e.shapeDef = e.shapeDef[:0]
	e.slots = e.slots[:0]
	e.shapeOf = e.shapeOf[:0]
	clear(e.colIndex)
	e.spare = append(e.spare, e.cols...)
	e.cols = e.cols[:0]
	e.meta = e.meta[:0]
	e.pred, e.last = e.pred[:0], 0
}

func (e *colEncoder) column(name string, kind ValueKind) int {
	key := string(rune('0'+kind)) + name
	if id, ok := e.colIndex[key]; ok {
		return id
	}
	id := len(e.cols)
	e.colIndex[key] = id
	var c *colBuilder
	if n := len(e.spare); n > 0 {
		c, e.spare = e.spare[n-1], e.spare[:n-1]
		dict := c.dict
		if dict == nil {
			dict = c.spareDict
		}
		if dict == nil {
			dict = new(dictTable)
		}
		dict.reset()
		*c = colBuilder{lens: c.lens[:0], data: c.data[:0], dict: dict, order: c.order[:0], codes: c.codes[:0]}
	} else {
		c = &colBuilder{dict: new(dictTable)}
	}
	c.name, c.kind = name, kind
	e.cols = append(e.cols, c)
	return id
}

// encodeColumnar appends b's columnar payload to dst, or reports false
// (leaving dst as it was) when b is not a block to write column-wise.
func encodeColumnar(dst []byte, b *Block) ([]byte, bool) {
	dst, _, ok := encodeColumnarSummary(dst, b, nil, 0)
	return dst, ok
}

// encodeColumnarSummary is encodeColumnar, with b's block summary
// (folded to limit: trigramBits.appendSummary) before the payload when
// blk, its scratch, is set; sumLen is the summary's length.
func encodeColumnarSummary(dst []byte, b *Block, blk *trigramBits, limit int) (out []byte, sumLen int, ok bool) {
	e := colEncoders.Get().(*colEncoder)
	defer colEncoders.Put(e)
	if e.shapes == nil {
		e.shapes, e.colIndex = map[string]int{}, map[string]int{}
	}
	e.reset()
	n := b.Len()
	raw := e.column("", KindRaw)
	e.shapeDef = append(e.shapeDef, encodeShape(nil, [][]byte{nil, nil}, []int{raw}))
	e.slots = append(e.slots, []int{raw})
	e.pred = append(e.pred, shapeLits{})
	objects := 0
	for i := range n {
		msg := b.Message(i)
		var ok bool
		if e.mem, ok = e.pred[e.last].match(msg, e.mem[:0]); ok {
			objects++
			e.shapeOf = append(e.shapeOf, e.last)
			for j, m := range e.mem {
				e.cols[e.slots[e.last][j]].add(msg[m.Start:m.End])
			}
			continue
		}
		e.mem, ok = splitObject(msg, e.mem[:0])
		if !ok {
			e.shapeOf = append(e.shapeOf, 0)
			e.cols[raw].add(msg)
			continue
		}
		// The shape's key: each value's kind and the literal before it,
		// then the closing literal.
		k := e.shapeKey[:0]
		prev := uint32(0)
		for _, m := range e.mem {
			k = append(k, byte(m.Kind))
			k = binary.AppendUvarint(k, uint64(m.Start-prev))
			k = append(k, msg[prev:m.Start]...)
			prev = m.End
		}
		k = append(k, msg[prev:]...)
		e.shapeKey = k
		id, ok := e.shapes[string(k)]
		if !ok && hasRepeatedKey(msg, e.mem) {
			e.shapes[string(k)] = 0 // raw, like every message of this shape
			ok = true
		}
		if !ok {
			if len(e.shapeDef) == colMaxShapes {
				return dst, 0, false
			}
			id = len(e.shapeDef)
			e.shapes[string(k)] = id
			lits := make([][]byte, 0, len(e.mem)+1)
			slots := make([]int, 0, len(e.mem))
			prev := uint32(0)
			for _, m := range e.mem {
				lits = append(lits, msg[prev:m.Start])
				slots = append(slots, e.column(string(msg[m.KeyStart:m.KeyEnd]), m.Kind))
				prev = m.End
			}
			lits = append(lits, msg[prev:])
			if len(e.cols) > colMaxColumns {
				return dst, 0, false
			}
			e.shapeDef = append(e.shapeDef, encodeShape(nil, lits, slots))
			e.slots = append(e.slots, slots)
			e.pred = append(e.pred, newShapeLits(lits, e.mem))
		}
		if id == 0 {
			e.shapeOf = append(e.shapeOf, 0)
			e.cols[raw].add(msg)
			continue
		}
		objects++
		e.last = id
		e.shapeOf = append(e.shapeOf, id)
		for j, m := range e.mem {
			e.cols[e.slots[id][j]].add(msg[m.Start:m.End])
		}
	}
	if objects*colMinObjectShare < n {
		return dst, 0, false
	}
	if blk != nil && !e.blockSummary(blk) {
		blk.reset()
		for i := range n {
			blk.addMessage(b.Message(i))
		}
		dst = blk.appendSummary(dst, limit)
		sumLen, blk = len(dst), nil
	}

	meta := appendRowHeader(e.meta[:0], b)
	for i := range n {
		meta = binary.AppendUvarint(meta, uint64(b.Offsets[i+1]-b.Offsets[i]))
	}
	for _, s := range e.shapeOf {
		meta = binary.AppendUvarint(meta, uint64(s))
	}
	meta = binary.AppendUvarint(meta, uint64(len(e.shapeDef)))
	for _, d := range e.shapeDef {
		meta = append(meta, d...)
	}
	meta = binary.AppendUvarint(meta, uint64(len(e.cols)))
	dst, sumLen = e.encodeColumns(dst, sumLen, meta, blk, limit, b.MessageBytes()) // colcodec.go
	return dst, sumLen, true
}

// encodeShape writes a shape definition: nSlots, the literals, the slots'
// column ids.
func encodeShape(dst []byte, lits [][]byte, slots []int) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(slots)))
	for _, l := range lits {
		dst = binary.AppendUvarint(dst, uint64(len(l)))
		dst = append(dst, l...)
	}
	for _, s := range slots {
		dst = binary.AppendUvarint(dst, uint64(s))
	}
	return dst
}

// --- decoding ------------------------------------------------------------------

// Columns is a columnar block's values, for readers that want fields
// rather than messages (ScanQuery.Columns). Rows are the Block's rows.
type Columns struct {
	base    int      // the Block's row 0 is this row of the encoded block
	n       int      // the Block's rows
	shapeOf []uint32 // per encoded row
	shapes  []Shape
	cols    []column
	byName  map[string][]int
	frames  []byte // the compressed column frames (owned)
	hasSlot []bool // scratch of positions
	huff    *huff0.Scratch
}

// Shape is how one kind of message is laid out: Lits[0], value of
// Slots[0], Lits[1], ..., Lits[len(Slots)].
type Shape struct {
	Lits  [][]byte
	Slots []int
	// Flat: a JSON object whose values are all strings and scalars.
	Flat bool
}

type column struct {
	name      string
	kind      ValueKind
	enc       byte
	codec     byte // encS2 or encHuff (colcodec.go); 0: zstd
	n         int
	off, size int // frame within Columns.frames
	bytes     [4]uint64
	summary   []byte // trigram summary of the values (aliasing the meta), or nil
	words     []byte // word index of the values (aliasing the meta), or nil

	loaded bool
	data   []byte   // decompressed
	offs   []uint32 // plain: value i is data[offs[i]:offs[i+1]]
	dict   [][]byte
	codes  []byte
	pos    []int32 // per encoded row: value index, or -1 (built on first use)
	hasPos bool
}

// Shape returns row i's shape id; Shapes()[id] is the shape.
func (c *Columns) Shape(i int) int { return int(c.shapeOf[c.base+i]) }

// Split reports whether row i's message is a JSON object split into the
// block's columns (else it is kept whole, in the raw column).
func (c *Columns) Split(i int) bool { return c.Shape(i) != 0 }

// Shapes returns the block's shapes (shared; do not modify).
func (c *Columns) Shapes() []Shape { return c.shapes }

// Column returns the id of the column of key name holding kind values, or
// -1. The raw column is ("", KindRaw).
func (c *Columns) Column(name string, kind ValueKind) int {
	for _, id := range c.byName[name] {
		if c.cols[id].kind == kind {
			return id
		}
	}
	return -1
}

// NumColumns is the number of columns; ids are 0 to NumColumns()-1.
func (c *Columns) NumColumns() int { return len(c.cols) }

// MayContain reports whether column id's values may contain s: false when
// one of its bytes occurs in none of them, or one of its trigrams is
// absent from the column's summary (no decompression needed).
func (c *Columns) MayContain(id int, s string) bool {
	col := &c.cols[id]
	set := &col.bytes
	for i := 0; i < len(s); i++ {
		if set[s[i]>>6]&(1<<(s[i]&63)) == 0 {
			return false
		}
	}
	return summaryMayHold(col.summary, s)
}

// Search sets found[i] for every row i whose value in the loaded column id
// contains s. A plain column is searched in one pass over its bytes.
func (c *Columns) Search(id int, s string, found []bool) {
	col := &c.cols[id]
	pos := c.positions(id)[c.base : c.base+c.n]
	if col.enc == encDict {
		has := make([]bool, len(col.dict))
		for j, v := range col.dict {
			has[j] = bytes.Contains(v, []byte(s))
		}
		for i, p := range pos {
			if p >= 0 && has[col.codes[p]] {
				found[i] = true
			}
		}
		return
	}
	lo, hi := int32(-1), int32(-1) // the value indexes of the view's rows
	for _, p := range pos {
		if p >= 0 {
			if lo < 0 {
				lo = p
			}
			hi = p
		}
	}
	if lo < 0 {
		return
	}
	rowOf := make([]int32, hi-lo+1) // values are in row order
	for i, p := range pos {
		if p >= 0 {
			rowOf[p-lo] = int32(i)
		}
	}
	searchValues(col.data, col.offs, int(lo), int(hi)+1, s, func(v int) { found[rowOf[int32(v)-lo]] = true })
}

// searchValues calls hit with every value index v in [lo, hi) whose value,
// data[offs[v]:offs[v+1]] (values stored back to back), contains s: s is
// found in the values' bytes in one pass, a hit mapped to its value by a
// binary search on offs and kept only if it lies within that value.
func searchValues(data []byte, offs []uint32, lo, hi int, s string, hit func(v int)) {
	data = data[:offs[hi]]
	at := int(offs[lo])
	f := newTextFinder(s, at)
	for {
		start := f.next(data, at)
		if start < 0 {
			return
		}
		v, _ := slices.BinarySearch(offs, uint32(start+1))
		v-- // the value holding start: offs[v] <= start < offs[v+1]
		if start+len(s) <= int(offs[v+1]) {
			hit(v)
			at = int(offs[v+1]) // the rest of this value is decided
		} else {
			at = start + 1 // across two values: not a hit
		}
	}
}

// textFinder finds a text's occurrences in a column's bytes. Candidates
// are found by the text's rarest byte (IndexByte is much faster than Index
// on a common first byte), then compared whole; where even that byte turns
// out common (a text of digits in numbers), bytes.Index takes over, whose
// search of short texts is vectorised.
type textFinder struct {
	s      string
	needle []byte
	anchor int
	fails  int // candidates that were not the text
	from   int // where the search began
}

func newTextFinder(s string, from int) *textFinder {
	return &textFinder{s: s, needle: []byte(s), anchor: rarestByte(s), from: from}
}

// next returns the start of the first occurrence at or after at, or -1.
func (f *textFinder) next(data []byte, at int) int {
	s := f.s
	for {
		if f.fails > 8 && f.fails > (at-f.from)>>5 {
			if k := bytes.Index(data[at:], f.needle); k >= 0 {
				return at + k
			}
			return -1
		}
		if at+f.anchor >= len(data) {
			return -1
		}
		k := bytes.IndexByte(data[at+f.anchor:], s[f.anchor])
		if k < 0 {
			return -1
		}
		start := at + k
		if start+len(s) > len(data) {
			return -1
		}
		if string(data[start:start+len(s)]) == s {
			return start
		}
		f.fails++
		at = start + 1
	}
}

// byteRank orders bytes by how common they are in log text: lower is
// rarer. Letters follow English frequency; digits, white space and the
// punctuation of key=value and paths are common.
var byteRank = func() (r [256]uint8) {
	for c := range r {
		r[c] = 10 // other bytes: rare
	}
	for i, c := range []byte("zqjxkvbpgwyfmcuhldrsnioate") { // rarest first
		r[c] = uint8(40 + 8*i)
		if c >= 'a' && c <= 'z' {
			r[c-'a'+'A'] = uint8(20 + 2*i)
		}
	}
	for _, c := range []byte("0123456789 =/-_.:,\"\t") {
		r[c] = 200
	}
	return r
}()

// rarestByte returns the index in s of its rarest byte (s is not empty).
func rarestByte(s string) int {
	best := 0
	for i := 1; i < len(s); i++ {
		if byteRank[s[i]] < byteRank[s[best]] {
			best = i
		}
	}
	return best
}

// Code returns row i's code in the loaded dictionary column id, and false
// when the row has no value there.
func (c *Columns) Code(id, i int) (int, bool) {
	p := c.positions(id)[c.base+i]
	if p < 0 {
		return 0, false
	}
	return int(c.cols[id].codes[p]), true
}

// ColumnName returns column id's key and value kind.
func (c *Columns) ColumnName(id int) (string, ValueKind) { return c.cols[id].name, c.cols[id].kind }

// Load decompresses column id; Value, Dict and Codes need it.
func (c *Columns) Load(id int) error {
	col := &c.cols[id]
	if col.loaded {
		return nil
	}
	var raw []byte
	var err error
	switch frame := c.frames[col.off : col.off+col.size]; col.codec {
	case encS2:
		raw, err = decodeS2(col.data, frame)
	case encHuff:
		if c.huff == nil {
			c.huff = new(huff0.Scratch)
		}
		raw, err = decodeHuff(col.data, frame, c.huff)
	default:
		raw, err = zdec.DecodeAll(frame, col.data[:0])
	}
	if err != nil {
		return fmt.Errorf("%w: column %q: %v", ErrCorrupt, col.name, err)
	}
	col.data = raw
	bad := func() error { return fmt.Errorf("%w: column %q", ErrCorrupt, col.name) }
	p := raw
	switch col.enc {
	case encPlain:
		// Lengths first, then the values: offsets are summed relative to
		// the values' start, then moved past the lengths.
		col.offs = slices.Grow(col.offs[:0], col.n+1)[:col.n+1]
		col.offs[0] = 0
		var end uint64
		for i := range col.n {
			var l uint64
			if len(p) > 0 && p[0] < 0x80 { // most values are shorter than 128 bytes
				l, p = uint64(p[0]), p[1:]
			} else {
				var k int
				if l, k = binary.Uvarint(p); k <= 0 {
					return bad()
				}
				p = p[k:]
			}
			end += l
			if end > uint64(len(p)) {
				return bad()
			}
			col.offs[i+1] = uint32(end)
		}
		if end != uint64(len(p)) {
			return bad()
		}
		base := uint32(len(raw) - len(p))
		for i := range col.offs {
			col.offs[i] += base
		}
	case encDict:
		nd, k := binary.Uvarint(p)
		if k <= 0 || nd > colDictMax {
			return bad()
		}
		p = p[k:]
		col.dict = col.dict[:0]
		for range nd {
			l, k := binary.Uvarint(p)
			if k <= 0 || l > uint64(len(p)-k) {
				return bad()
			}
			col.dict = append(col.dict, p[k:k+int(l)])
			p = p[k+int(l):]
		}
		if len(p) != col.n {
			return bad()
		}
		for _, code := range p {
			if int(code) >= len(col.dict) {
				return bad()
			}
		}
		col.codes = p
	default:
		return bad()
	}
	col.loaded = true
	return nil
}

// positions returns, per encoded row, the index of its value in column id,
// or -1.
func (c *Columns) positions(id int) []int32 {
	col := &c.cols[id]
	if col.hasPos {
		return col.pos
	}
	c.hasSlot = slices.Grow(c.hasSlot[:0], len(c.shapes))[:len(c.shapes)]
	for s, sh := range c.shapes {
		c.hasSlot[s] = slices.Contains(sh.Slots, id)
	}
	pos := slices.Grow(col.pos[:0], len(c.shapeOf))[:len(c.shapeOf)]
	k := int32(0)
	for i, s := range c.shapeOf {
		if c.hasSlot[s] {
			pos[i] = k
			k++
		} else {
			pos[i] = -1
		}
	}
	col.pos, col.hasPos = pos, true
	return pos
}

// Value returns row i's value in the loaded column id (aliasing the
// block), and false when the row has none.
func (c *Columns) Value(id, i int) ([]byte, bool) {
	p := c.positions(id)[c.base+i]
	if p < 0 {
		return nil, false
	}
	col := &c.cols[id]
	if col.enc == encDict {
		return col.dict[col.codes[p]], true
	}
	return col.data[col.offs[p]:col.offs[p+1]], true
}

// Dict returns the loaded column id's dictionary and, per row, the code of
// its value or -1: nil when the column is not dictionary-encoded. The
// codes slice is valid until the next call.
func (c *Columns) Dict(id int, codes []int16) ([][]byte, []int16) {
	col := &c.cols[id]
	if col.enc != encDict {
		return nil, codes
	}
	pos := c.positions(id)
	codes = codes[:0]
	for _, p := range pos[c.base : c.base+c.n] {
		if p < 0 {
			codes = append(codes, -1)
		} else {
			codes = append(codes, int16(col.codes[p]))
		}
	}
	return col.dict, codes
}

// AppendMessage appends row i's message to dst, loading the columns its
// shape needs.
func (c *Columns) AppendMessage(dst []byte, i int) ([]byte, error) {
	row := c.base + i
	sh := &c.shapes[c.shapeOf[row]]
	for j, id := range sh.Slots {
		col := &c.cols[id]
		if !col.loaded {
			if err := c.Load(id); err != nil {
				return dst, err
			}
		}
		p := c.positions(id)[row]
		dst = append(dst, sh.Lits[j]...)
		if col.enc == encDict {
			dst = append(dst, col.dict[col.codes[p]]...)
		} else {
			dst = append(dst, col.data[col.offs[p]:col.offs[p+1]]...)
		}
	}
	return append(dst, sh.Lits[len(sh.Slots)]...), nil
}

// keepColumns compacts a block loaded for its columns to the rows for
// which keep[i] is true, rebuilding only their messages; the block is an
// ordinary one after.
func (b *Block) keepColumns(keep []bool) error {
	c := b.cols
	msgs := b.rebuilt[:0]
	offs := make([]uint32, 1, len(keep)+1)
	n := 0
	for i, k := range keep {
		if !k {
			continue
		}
		var err error
		if msgs, err = c.AppendMessage(msgs, i); err != nil {
			return err
		}
		offs = append(offs, uint32(len(msgs)))
		b.Stream[n], b.Timestamp[n], b.IngestionTime[n], b.Seq[n] = b.Stream[i], b.Timestamp[i], b.IngestionTime[i], b.Seq[i]
		n++
	}
	b.Stream, b.Timestamp, b.IngestionTime, b.Seq = b.Stream[:n], b.Timestamp[:n], b.IngestionTime[:n], b.Seq[:n]
	b.Offsets, b.Msgs, b.rebuilt = offs, msgs, msgs
	b.colsLive = false
	return nil
}

// putShort writes v at dst[o:] and returns the offset after it. The pieces
// of a message are mostly under 16 bytes; such a piece is moved as two
// 8-byte words, no call, when it is followed by 8 more readable bytes in
// memory and dst has room: what lands past it is overwritten by the next
// piece, or falls in dst's slack.
func putShort(dst []byte, o int, v []byte) int {
	if n := len(v); n <= 16 && cap(v) >= 16 && o+16 <= len(dst) {
		w := v[:16]
		binary.LittleEndian.PutUint64(dst[o:], binary.LittleEndian.Uint64(w))
		binary.LittleEndian.PutUint64(dst[o+8:], binary.LittleEndian.Uint64(w[8:]))
		return o + n
	}
	return o + copy(dst[o:], v)
}

// decodeColumnar decodes a columnar payload (after its magic byte) into b:
// with columns, b.Columns() reads it; otherwise its messages are rebuilt.
func decodeColumnar(data []byte, b *Block, columns bool) error {
	bad := func(what string) error { return fmt.Errorf("%w: columnar block: bad %s", ErrCorrupt, what) }
	ml, k := binary.Uvarint(data)
	if k <= 0 || ml > uint64(len(data)-k) {
		return bad("meta length")
	}
	mf := data[k : k+int(ml)]
	if dl, err := s2.DecodedLen(mf); err != nil || dl > maxBlockRaw {
		return bad("meta")
	}
	meta, err := s2.Decode(b.raw[:cap(b.raw)], mf)
	if err != nil {
		return fmt.Errorf("%w: columnar block: %v", ErrCorrupt, err)
	}
	b.raw = meta
	frames := data[k+int(ml):]
	b.reset()
	p, err := parseRowHeader(meta, b)
	if err != nil {
		return err
	}
	if p, err = parseLengths(p, maxBlockRaw, b); err != nil {
		return err
	}
	n := b.Len()
	if b.cols == nil {
		b.cols = &Columns{}
	}
	c := b.cols
	c.base, c.n = 0, n
	b.vals = slices.Grow(b.vals[:0], n)[:n]
	p, ok := readUvarints(p, b.vals)
	if !ok {
		return bad("shape ids")
	}
	c.shapeOf = slices.Grow(c.shapeOf[:0], n)[:n]
	for i, s := range b.vals {
		c.shapeOf[i] = uint32(min(s, colMaxShapes))
	}
	u := uvarints{p: p, ok: true}
	ns := u.next()
	if !u.ok || ns == 0 || ns > colMaxShapes {
		return bad("shape count")
	}
	c.shapes = c.shapes[:0]
	for range ns {
		nslots := u.next()
		if !u.ok || nslots > uint64(len(u.p)) {
			return bad("shape")
		}
		var sh Shape
		for range nslots + 1 {
			l := u.next()
			if !u.ok || l > uint64(len(u.p)) {
				return bad("shape literal")
			}
			sh.Lits = append(sh.Lits, u.p[:l:l])
			u.p = u.p[l:]
		}
		for range nslots {
			sh.Slots = append(sh.Slots, int(min(u.next(), colMaxColumns+1)))
		}
		c.shapes = append(c.shapes, sh)
	}
	for _, s := range c.shapeOf {
		if uint64(s) >= ns {
			return bad("shape id")
		}
	}
	nc := u.next()
	if !u.ok || nc == 0 || nc > colMaxColumns+1 {
		return bad("column count")
	}
	if cap(c.cols) < int(nc) {
		c.cols = append(c.cols[:cap(c.cols)], make([]column, int(nc)-cap(c.cols))...)
	}
	c.cols = c.cols[:nc]
	clear(c.byName)
	if c.byName == nil {
		c.byName = map[string][]int{}
	}
	off := 0
	for id := range c.cols {
		col := &c.cols[id]
		l := u.next()
		if !u.ok || l > uint64(len(u.p)) {
			return bad("column name")
		}
		name := string(u.p[:l])
		u.p = u.p[l:]
		if len(u.p) < 2 {
			return bad("column")
		}
		kind, enc := ValueKind(u.p[0]), u.p[1]
		u.p = u.p[2:]
		hasSum, hasWords, codec := enc&encSummary != 0, enc&encWords != 0, enc&(encS2|encHuff)
		enc &^= encSummary | encWords | encS2 | encHuff
		vals, size := u.next(), u.next()
		if !u.ok || kind > KindContainer || enc > encDict || codec == encS2|encHuff || vals > uint64(n) || size > uint64(len(frames)-off) || len(u.p) < 32 {
			return bad("column")
		}
		*col = column{name: name, kind: kind, enc: enc, codec: codec, n: int(vals), off: off, size: int(size),
			data: col.data[:0], offs: col.offs[:0], dict: col.dict[:0], pos: col.pos[:0]}
		for w := range col.bytes {
			col.bytes[w] = binary.LittleEndian.Uint64(u.p[8*w:])
		}
		u.p = u.p[32:]
		if hasSum {
			l := u.next()
			if !u.ok || l > uint64(len(u.p)) || !validSummaryLen(uint32(l)) {
				return bad("column summary")
			}
			col.summary = u.p[:l:l]
			u.p = u.p[l:]
		}
		if hasWords {
			l := u.next()
			if !u.ok || l > uint64(len(u.p)) || l == 0 {
				return bad("column words")
			}
			col.words = u.p[:l:l]
			u.p = u.p[l:]
		}
		off += int(size)
		c.byName[name] = append(c.byName[name], id)
	}
	if !u.ok || len(u.p) != 0 || off != len(frames) {
		return bad("meta")
	}
	counts := make([]int, nc)
	perShape := make([]int, ns)
	for _, s := range c.shapeOf {
		perShape[s]++
	}
	for s := range c.shapes {
		sh := &c.shapes[s]
		sh.Flat = true
		for j, id := range sh.Slots {
			if id >= int(nc) || slices.Contains(sh.Slots[:j], id) {
				return bad("shape slots")
			}
			counts[id] += perShape[s]
			if k := c.cols[id].kind; k == KindRaw || k == KindContainer {
				sh.Flat = false
			}
		}
	}
	for id := range c.cols {
		if counts[id] != c.cols[id].n {
			return bad("column value count")
		}
	}
	c.frames = append(c.frames[:0], frames...)
	b.colsLive = true
	if !columns {
		return b.materialize()
	}
	return nil
}

// materialize rebuilds the messages of a block loaded for its columns, so
// that it is an ordinary block. The message lengths are known, so each is
// copied into place piece by piece.
func (b *Block) materialize() error {
	if !b.colsLive {
		return nil
	}
	c := b.cols
	for id := range c.cols {
		if err := c.Load(id); err != nil {
			return err
		}
		c.positions(id)
	}
	base := b.Offsets[0]
	for i := range b.Offsets {
		b.Offsets[i] -= base
	}
	total := int(b.Offsets[b.Len()])
	// 16 bytes of slack: putShort may write that far past a message.
	buf := slices.Grow(b.rebuilt[:0], total+16)[:total+16]
	b.rebuilt = buf
	// Values are consumed in row order, so each column keeps a cursor:
	// its next value index.
	next := make([]int32, len(c.cols))
	for id := range c.cols {
		pos := c.cols[id].pos
		next[id] = -1
		for r := c.base; r < len(pos); r++ {
			if pos[r] >= 0 {
				next[id] = pos[r]
				break
			}
		}
	}
	o := 0
	for i := range b.Len() {
		sh := &c.shapes[c.shapeOf[c.base+i]]
		lits := sh.Lits
		for j, id := range sh.Slots {
			o = putShort(buf, o, lits[j])
			col := &c.cols[id]
			p := next[id]
			next[id] = p + 1
			if col.codes != nil {
				o = putShort(buf, o, col.dict[col.codes[p]])
			} else {
				o = putShort(buf, o, col.data[col.offs[p]:col.offs[p+1]])
			}
		}
		o = putShort(buf, o, lits[len(lits)-1])
		if o != int(b.Offsets[i+1]) {
			return fmt.Errorf("%w: columnar block: message %d length", ErrCorrupt, i)
		}
	}
	msgs := buf[:total]
	b.Msgs = msgs
	b.colsLive = false
	return nil
}
