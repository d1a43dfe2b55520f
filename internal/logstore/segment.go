package logstore

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/vigilhq/vigil/internal/wal"
)

// A segment file is
//
//	blocks: per block, its summary then its zstd payload
//	footer: a wal-framed record (uvarint version, walThrough, maxSeq,
//	        nBlocks, then per block the fields of blockRef)
//	trailer: uint64 LE length of the framed footer, "VGLSEG01"
//
// written to a temporary name, fsynced and renamed: a segment exists whole
// or not at all. The block's CRC covers its summary and payload.
//
// Footer versions: 3 (written now): as 2, and a column-wise block's
// column frames may be S2 or Huffman chunks (colcodec.go), which version 2
// readers do not know. 2: the summary is a trigram bitmap
// (summary.go) of a power-of-two length from 8 bytes to 16 KiB. 1: the
// summary was a bloom filter of whole tokens, which cannot serve substring
// matching: its bytes are skipped and the block is treated as having no
// summary (never skipped; reads stay correct, only slower). Other versions
// are refused with ErrCorrupt.

const (
	segMagic   = "VGLSEG01"
	segVersion = 3
)

type segment struct {
	num  uint64
	path string
	f    *os.File
	refs atomic.Int32 // the index's reference + readers'
	live atomic.Int32 // blocks still in the index
}

func (sg *segment) acquire() { sg.refs.Add(1) }
func (sg *segment) release() {
	if sg.refs.Add(-1) == 0 {
		sg.f.Close()
	}
}

// blockRef locates one block and summarises it.
type blockRef struct {
	seg            *segment
	off            int64
	sumLen         uint32 // bytes before the payload
	hasSum         bool   // they are a trigram summary (not a version 1 bloom)
	dataLen        uint32
	crc            uint32
	minT, maxT     int64
	minSeq, maxSeq uint64
	count          uint32
	raw            uint32 // message bytes
	streams        []string
}

func (b *blockRef) hasStream(pred func(string) bool) bool {
	return slices.ContainsFunc(b.streams, pred)
}

// mayMatch reports whether the block may hold a message with every
// required substring; buf is scratch (returned, possibly grown). A block
// without a summary may.
func (b *blockRef) mayMatch(req required, buf []byte) (bool, []byte, error) {
	if len(req) == 0 || !b.hasSum {
		return true, buf, nil
	}
	buf = slices.Grow(buf[:0], int(b.sumLen))[:b.sumLen]
	if _, err := b.seg.f.ReadAt(buf, b.off); err != nil {
		return false, buf, fmt.Errorf("logstore: read %s: %w", b.seg.path, err)
	}
	return req.mayMatch(buf), buf, nil
}

// load reads, verifies and decodes the block into dst; buf is scratch.
// With columns, a columnar block is left column-wise (Block.Columns).
func (b *blockRef) load(dst *Block, buf []byte, columns bool) ([]byte, error) {
	n := int(b.sumLen + b.dataLen)
	buf = slices.Grow(buf[:0], n)[:n]
	if _, err := b.seg.f.ReadAt(buf, b.off); err != nil {
		return buf, fmt.Errorf("logstore: read %s: %w", b.seg.path, err)
	}
	if wal.Checksum(buf) != b.crc {
		return buf, fmt.Errorf("%w: block checksum in %s at %d", ErrCorrupt, b.seg.path, b.off)
	}
	if err := decodeBlock(buf[b.sumLen:], dst, columns); err != nil {
		return buf, err
	}
	if dst.Len() != int(b.count) {
		return buf, fmt.Errorf("%w: block row count in %s at %d", ErrCorrupt, b.seg.path, b.off)
	}
	return buf, nil
}

type segBlock struct {
	key string // group key
	ref *blockRef
}

func segFileName(n uint64) string { return fmt.Sprintf("%016d.seg", n) }

func listSegFiles(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".seg")
		if !ok {
			if strings.HasSuffix(e.Name(), ".tmp") {
				os.Remove(filepath.Join(dir, e.Name()))
			}
			continue
		}
		if n, err := strconv.ParseUint(name, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func encodeFooter(blocks []segBlock, walThrough, maxSeq uint64) []byte {
	return encodeFooterVersion(segVersion, blocks, walThrough, maxSeq)
}

// encodeFooterVersion writes a footer claiming any version (tests write
// older ones).
func encodeFooterVersion(version uint64, blocks []segBlock, walThrough, maxSeq uint64) []byte {
	b := make([]byte, wal.HeaderLen, 4096)
	b = binary.AppendUvarint(b, version)
	b = binary.AppendUvarint(b, walThrough)
	b = binary.AppendUvarint(b, maxSeq)
	b = binary.AppendUvarint(b, uint64(len(blocks)))
	for _, sb := range blocks {
		r := sb.ref
		b = appendStr(b, sb.key)
		b = binary.AppendUvarint(b, uint64(r.off))
		b = binary.AppendUvarint(b, uint64(r.sumLen))
		b = binary.AppendUvarint(b, uint64(r.dataLen))
		b = binary.LittleEndian.AppendUint32(b, r.crc)
		b = binary.AppendVarint(b, r.minT)
		b = binary.AppendUvarint(b, uint64(r.maxT-r.minT))
		b = binary.AppendUvarint(b, r.minSeq)
		b = binary.AppendUvarint(b, r.maxSeq-r.minSeq)
		b = binary.AppendUvarint(b, uint64(r.count))
		b = binary.AppendUvarint(b, uint64(r.raw))
		b = binary.AppendUvarint(b, uint64(len(r.streams)))
		for _, s := range r.streams {
			b = appendStr(b, s)
		}
	}
	wal.Frame(b)
	b = binary.LittleEndian.AppendUint64(b, uint64(len(b)))
	return append(b, segMagic...)
}

// openSegment opens a segment file and decodes its footer.
func openSegment(dir string, num uint64) (*segment, []segBlock, uint64, uint64, error) {
	path := filepath.Join(dir, segFileName(num))
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	fail := func(what string) (*segment, []segBlock, uint64, uint64, error) {
		f.Close()
		return nil, nil, 0, 0, fmt.Errorf("%w: segment %s: %s", ErrCorrupt, path, what)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, 0, 0, err
	}
	size := st.Size()
	if size < 16 {
		return fail("short")
	}
	var tr [16]byte
	if _, err := f.ReadAt(tr[:], size-16); err != nil || string(tr[8:]) != segMagic {
		return fail("trailer")
	}
	flen := int64(binary.LittleEndian.Uint64(tr[:]))
	if flen <= 0 || flen > size-16 {
		return fail("footer length")
	}
	buf := make([]byte, flen)
	if _, err := f.ReadAt(buf, size-16-flen); err != nil {
		return fail("footer read")
	}
	var payload []byte
	if clean, _ := wal.ReadFrames(buf, func(p []byte) error { payload = p; return nil }); !clean || payload == nil {
		return fail("footer checksum")
	}
	sg := &segment{num: num, path: path, f: f}
	sg.refs.Store(1)
	p := payload
	ok := true
	uv := func() uint64 {
		v, k := binary.Uvarint(p)
		if k <= 0 {
			ok = false
			return 0
		}
		p = p[k:]
		return v
	}
	str := func() string {
		l := uv()
		if !ok || l > uint64(len(p)) {
			ok = false
			return ""
		}
		s := string(p[:l])
		p = p[l:]
		return s
	}
	version := uv()
	if ok && (version < 1 || version > segVersion) {
		f.Close()
		return nil, nil, 0, 0, fmt.Errorf("%w: segment %s: unsupported version %d", ErrCorrupt, path, version)
	}
	walThrough := uv()
	maxSeq := uv()
	n := uv()
	if !ok || n > uint64(len(p)) {
		return fail("footer")
	}
	blocks := make([]segBlock, 0, n)
	for range n {
		key := str()
		r := &blockRef{seg: sg}
		r.off = int64(uv())
		r.sumLen = uint32(uv())
		r.hasSum = version >= 2
		if r.hasSum && !validSummaryLen(r.sumLen) {
			return fail("footer summary length")
		}
		r.dataLen = uint32(uv())
		if len(p) < 4 {
			return fail("footer")
		}
		r.crc = binary.LittleEndian.Uint32(p)
		p = p[4:]
		v, k := binary.Varint(p)
		if k <= 0 {
			return fail("footer")
		}
		p = p[k:]
		r.minT = v
		r.maxT = v + int64(uv())
		r.minSeq = uv()
		r.maxSeq = r.minSeq + uv()
		r.count = uint32(uv())
		r.raw = uint32(uv())
		ns := uv()
		if !ok || ns > uint64(len(p)) {
			return fail("footer")
		}
		for range ns {
			r.streams = append(r.streams, str())
		}
		if !ok || r.off+int64(r.sumLen)+int64(r.dataLen) > size {
			return fail("footer")
		}
		blocks = append(blocks, segBlock{key, r})
	}
	return sg, blocks, walThrough, maxSeq, nil
}
