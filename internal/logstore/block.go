package logstore

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Block is a set of events in columns, sorted by (Timestamp, Seq). Row i's
// message is Msgs[Offsets[i]:Offsets[i+1]] (Message(i)); its stream is
// Streams[Stream[i]]. Scans and reads hand out Blocks; the Logs Insights
// engine evaluates its commands over them column by column.
//
// A Block is not safe for concurrent mutation; Load and Read fill one in
// place, reusing its buffers.
type Block struct {
	Group         string
	Streams       []string
	Stream        []uint32
	Timestamp     []int64
	IngestionTime []int64
	Seq           []uint64
	Offsets       []uint32 // len Len()+1
	Msgs          []byte

	raw []byte // decompression buffer (Msgs aliases it)
	// rebuilt holds the messages of a columnar block (Msgs aliases it).
	rebuilt []byte
	vals    []uint64 // decoding scratch
	cols    *Columns // a columnar block loaded for its columns; reused
	// colsLive: cols describes this block (Msgs is empty unless
	// materialized).
	colsLive bool
}

// Columns returns the block's columns when it was loaded for them
// (ScanQuery.Columns) and is columnar, else nil. Such a block holds no
// messages: Message must not be called; Columns.AppendMessage rebuilds
// one.
func (b *Block) Columns() *Columns {
	if !b.colsLive {
		return nil
	}
	return b.cols
}

// Len is the number of rows.
func (b *Block) Len() int { return len(b.Timestamp) }

// Message returns row i's message bytes (aliasing the block).
func (b *Block) Message(i int) []byte { return b.Msgs[b.Offsets[i]:b.Offsets[i+1]] }

// Record returns row i as a Record whose Message aliases the block.
func (b *Block) Record(i int) Record {
	return Record{Stream: b.Streams[b.Stream[i]], Timestamp: b.Timestamp[i], IngestionTime: b.IngestionTime[i], Seq: b.Seq[i], Message: b.Message(i)}
}

// MessageBytes is the total size of the rows' messages.
func (b *Block) MessageBytes() int {
	if len(b.Offsets) == 0 {
		return 0
	}
	return int(b.Offsets[len(b.Offsets)-1] - b.Offsets[0])
}

func (b *Block) reset() {
	b.Group = ""
	b.Streams = b.Streams[:0]
	b.Stream = b.Stream[:0]
	b.Timestamp = b.Timestamp[:0]
	b.IngestionTime = b.IngestionTime[:0]
	b.Seq = b.Seq[:0]
	b.Offsets = b.Offsets[:0]
	b.Msgs = nil
	b.colsLive = false
}

// slice narrows the block to rows [lo, hi) (Msgs keeps its base; Offsets
// index into it).
func (b *Block) slice(lo, hi int) {
	b.Stream = b.Stream[lo:hi]
	b.Timestamp = b.Timestamp[lo:hi]
	b.IngestionTime = b.IngestionTime[lo:hi]
	b.Seq = b.Seq[lo:hi]
	b.Offsets = b.Offsets[lo : hi+1]
	if b.colsLive {
		b.cols.base += lo
		b.cols.n = hi - lo
	}
}

// keep compacts the block to the rows for which keep[i] is true.
func (b *Block) keep(keep []bool) error {
	if b.colsLive {
		return b.keepColumns(keep)
	}
	n := 0
	var msgs []byte
	offs := make([]uint32, 1, len(keep)+1)
	for i, k := range keep {
		if !k {
			continue
		}
		m := b.Message(i)
		msgs = append(msgs, m...)
		offs = append(offs, uint32(len(msgs)))
		b.Stream[n], b.Timestamp[n], b.IngestionTime[n], b.Seq[n] = b.Stream[i], b.Timestamp[i], b.IngestionTime[i], b.Seq[i]
		n++
	}
	b.Stream, b.Timestamp, b.IngestionTime, b.Seq = b.Stream[:n], b.Timestamp[:n], b.IngestionTime[:n], b.Seq[:n]
	b.Offsets, b.Msgs = offs, msgs
	return nil
}

// search returns the first row with Timestamp ≥ t.
func (b *Block) search(t int64) int {
	i, _ := slices.BinarySearch(b.Timestamp, t)
	return i
}

// --- encoding -------------------------------------------------------------

// The block payload (zstd-compressed as one frame):
//
//	uvarint n, uvarint nStreams, nStreams × (uvarint len, bytes)
//	n × uvarint  timestamp delta (first: zigzag of the value itself)
//	n × zigzag   ingestion time − timestamp
//	n × zigzag   seq delta from the previous row (first: from 0)
//	n × uvarint  stream index
//	n × uvarint  message length
//	messages, concatenated

const maxBlockRaw = 256 << 20 // decoder memory bound

var (
	zenc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(2), zstd.WithLowerEncoderMem(true), zstd.WithEncoderCRC(false)) // blocks carry a CRC32C
	zdec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxBlockRaw), zstd.WithDecoderMaxWindow(maxBlockRaw))
)

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

var encPool = sync.Pool{New: func() any { return new([]byte) }}

// encodeBlock appends the compressed payload of rows to dst.
func encodeBlock(dst []byte, b *Block) []byte {
	bp := encPool.Get().(*[]byte)
	buf := appendRowHeader((*bp)[:0], b)
	n := b.Len()
	for i := range n {
		buf = binary.AppendUvarint(buf, uint64(b.Offsets[i+1]-b.Offsets[i]))
	}
	buf = append(buf, b.Msgs[b.Offsets[0]:b.Offsets[n]]...)
	dst = zenc.EncodeAll(buf, dst)
	*bp = buf
	encPool.Put(bp)
	return dst
}

// appendRowHeader appends everything of the row layout before the message
// lengths: the count, the streams and the per-row columns.
func appendRowHeader(buf []byte, b *Block) []byte {
	buf = binary.AppendUvarint(buf, uint64(b.Len()))
	buf = binary.AppendUvarint(buf, uint64(len(b.Streams)))
	for _, s := range b.Streams {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	var prev int64
	for i, t := range b.Timestamp {
		if i == 0 {
			buf = binary.AppendUvarint(buf, zigzag(t))
		} else {
			buf = binary.AppendUvarint(buf, uint64(t-prev))
		}
		prev = t
	}
	for i, t := range b.IngestionTime {
		buf = binary.AppendUvarint(buf, zigzag(t-b.Timestamp[i]))
	}
	var ps uint64
	for _, s := range b.Seq {
		buf = binary.AppendUvarint(buf, zigzag(int64(s-ps)))
		ps = s
	}
	for _, s := range b.Stream {
		buf = binary.AppendUvarint(buf, uint64(s))
	}
	return buf
}

// decodeBlock decodes a payload (row or columnar) into b, reusing its
// buffers; a columnar one is decoded with its messages unless columns is
// set (then b.Columns() reads it and b has no messages). It never panics
// on bad input.
func decodeBlock(data []byte, b *Block, columns bool) error {
	if len(data) > 0 && data[0] == colMagic {
		return decodeColumnar(data[1:], b, columns)
	}
	raw, err := zdec.DecodeAll(data, b.raw[:0])
	if err != nil {
		return fmt.Errorf("%w: block: %v", ErrCorrupt, err)
	}
	b.raw = raw
	return parseBlock(raw, b)
}

func parseBlock(raw []byte, b *Block) error {
	b.reset()
	p, err := parseRowHeader(raw, b)
	if err != nil {
		return err
	}
	if p, err = parseLengths(p, len(raw), b); err != nil {
		return err
	}
	if int(b.Offsets[b.Len()]) != len(p) {
		return fmt.Errorf("%w: block: bad message bytes", ErrCorrupt)
	}
	b.Msgs = p
	return nil
}

// uvarints reads uvarints from a byte slice, remembering the first
// failure.
type uvarints struct {
	p  []byte
	ok bool
}

func (u *uvarints) next() uint64 {
	v, k := binary.Uvarint(u.p)
	if k <= 0 {
		u.ok = false
		return 0
	}
	u.p = u.p[k:]
	return v
}

// parseRowHeader reads what appendRowHeader wrote into b and returns the
// rest of p.
func parseRowHeader(p []byte, b *Block) ([]byte, error) {
	bad := func(what string) ([]byte, error) { return nil, fmt.Errorf("%w: block: bad %s", ErrCorrupt, what) }
	u := uvarints{p: p, ok: true}
	n64 := u.next()
	if !u.ok || n64 > uint64(len(p)) { // every row takes ≥ 5 bytes
		return bad("count")
	}
	n := int(n64)
	ns := u.next()
	if !u.ok || ns > uint64(len(u.p)) {
		return bad("stream count")
	}
	for range ns {
		l := u.next()
		if !u.ok || l > uint64(len(u.p)) {
			return bad("stream name")
		}
		b.Streams = append(b.Streams, string(u.p[:l]))
		u.p = u.p[l:]
	}
	b.Timestamp = slices.Grow(b.Timestamp, n)[:n]
	b.IngestionTime = slices.Grow(b.IngestionTime, n)[:n]
	b.Seq = slices.Grow(b.Seq, n)[:n]
	b.Stream = slices.Grow(b.Stream, n)[:n]
	if !u.ok {
		return bad("row columns")
	}
	b.vals = slices.Grow(b.vals[:0], n)[:n]
	vals := b.vals
	var ok bool
	if p, ok = readUvarints(u.p, vals); !ok {
		return bad("timestamps")
	}
	var t int64
	for i, v := range vals {
		if i == 0 {
			t = unzigzag(v)
		} else {
			if v > 1<<62 {
				return bad("timestamps")
			}
			t += int64(v)
		}
		b.Timestamp[i] = t
	}
	if p, ok = readUvarints(p, vals); !ok {
		return bad("ingestion times")
	}
	for i, v := range vals {
		b.IngestionTime[i] = b.Timestamp[i] + unzigzag(v)
	}
	if p, ok = readUvarints(p, vals); !ok {
		return bad("sequence numbers")
	}
	var sq uint64
	for i, v := range vals {
		sq += uint64(unzigzag(v))
		b.Seq[i] = sq
	}
	if p, ok = readUvarints(p, vals); !ok {
		return bad("stream ids")
	}
	for i, v := range vals {
		if v >= ns {
			return bad("stream ids")
		}
		b.Stream[i] = uint32(v)
	}
	return p, nil
}

// readUvarints fills dst with the uvarints at the start of p and returns
// the rest of p.
func readUvarints(p []byte, dst []uint64) ([]byte, bool) {
	j := 0
	for i := range dst {
		if j < len(p) && p[j] < 0x80 { // most values here: one byte, no call
			dst[i] = uint64(p[j])
			j++
			continue
		}
		v, k := binary.Uvarint(p[j:])
		if k <= 0 {
			return nil, false
		}
		dst[i] = v
		j += k
	}
	return p[j:], true
}

// parseLengths reads b.Len() message lengths into b.Offsets; total bounds
// their sum.
func parseLengths(p []byte, total int, b *Block) ([]byte, error) {
	n := b.Len()
	b.Offsets = slices.Grow(b.Offsets, n+1)[:n+1]
	b.vals = slices.Grow(b.vals[:0], n)[:n]
	p, ok := readUvarints(p, b.vals)
	if !ok {
		return nil, fmt.Errorf("%w: block: bad message lengths", ErrCorrupt)
	}
	var off uint64
	b.Offsets[0] = 0
	for i, l := range b.vals {
		off += l
		if off > uint64(total) {
			return nil, fmt.Errorf("%w: block: bad message lengths", ErrCorrupt)
		}
		b.Offsets[i+1] = uint32(off)
	}
	return p, nil
}
