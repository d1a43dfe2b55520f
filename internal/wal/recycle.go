package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Segments are recycled: the newest segment RemoveThrough would delete is
// kept as the spare file, and the next segment is the spare renamed. Its
// writes then overwrite allocated blocks instead of growing a file, so an
// fdatasync has no block allocation or file size to persist: on this
// project's development VM (ext4) a 60 KB write with its fdatasync took
// ×0.6 of the latency and ×0.6 of the CPU of the same append to a new file.
// The group commit's wait is the idle time of every ingest path.
//
// A recycled file still holds its earlier life's records past the new
// ones. So that replay cannot take them for new ones, the writer stores
// each record's CRC XORed with its segment's mask: a record of segment j
// read as part of segment k fails the check unless mask(j) == mask(k), and
// masks differ for any two segment numbers below 2^32. The check failing
// that way is how a reader knows where a recycled segment's records end.
//
// Where a recycled file's earlier life goes on after the new records, the
// writer ends what it writes with an end mark, a zero frame header (which
// no masked record has), covered by its next write. Without it a reader
// would stop at garbage there and report the segment torn.
//
// Segments written before masking (no record of them matches a mask, as no
// mask is zero) are still read: the first record decides.

// spareName is the recycled file waiting to become the next segment. Only
// masked segments become it, so its old records can never pass for a new
// segment's.
const spareName = "segment.spare"

// maskMul is odd, so multiplying by it permutes the uint32s: two segments
// share a mask only if their numbers agree in the low 32 bits.
const maskMul = 0x9E3779B1

// maskMulInverse is maskMul's inverse mod 2^32.
const maskMulInverse = 0x0E8B2F51

func segmentMask(seg uint64) uint32 { return uint32(seg) * maskMul }

// maskFrame turns the frame at the start of buf (Frame's output) into its
// stored form in segment seg.
func maskFrame(buf []byte, seg uint64) {
	binary.LittleEndian.PutUint32(buf[4:], binary.LittleEndian.Uint32(buf[4:])^segmentMask(seg))
}

// readSegment is ReadFrames for the content of segment seg, whose records'
// checksums are masked. It ends cleanly where the records of the file's
// earlier life begin.
func readSegment(data []byte, seg uint64, fn func(payload []byte) error) (clean bool, err error) {
	mask := segmentMask(seg)
	unmasked, first := false, true
	for len(data) > 0 {
		if len(data) < HeaderLen {
			return false, nil
		}
		n := binary.LittleEndian.Uint32(data)
		stored := binary.LittleEndian.Uint32(data[4:])
		if n > MaxRecord || int(n) > len(data)-HeaderLen {
			return false, nil
		}
		p := data[HeaderLen : HeaderLen+int(n)]
		sum := Checksum(p)
		switch {
		case n == 0 && stored == 0:
			return true, nil // the end mark, or a zero-filled tail
		case stored == sum^mask && !unmasked:
		case stored == sum && (first || unmasked):
			unmasked = true // written before masking, which wrote no empty records
		case olderMask(stored^sum, seg):
			return true, nil // the earlier life, where it lines up
		default:
			return false, nil
		}
		first = false
		if err := fn(p); err != nil {
			return false, err
		}
		data = data[HeaderLen+int(n):]
	}
	return true, nil
}

// olderMask reports whether m is the mask of a segment before seg: the
// record is from the file's earlier life.
func olderMask(m uint32, seg uint64) bool {
	j := m * maskMulInverse
	return j != 0 && j < uint32(seg)
}

// writeEnd writes the gathered records, if any, with the end mark when the
// segment goes on into its file's earlier life.
func (w *Writer) writeEnd() error {
	mark := w.off+int64(len(w.wbuf)) < w.recycled
	if mark {
		w.wbuf = append(w.wbuf, make([]byte, HeaderLen)...)
	}
	if len(w.wbuf) == 0 {
		return nil
	}
	err := w.write(w.wbuf)
	if mark && err == nil {
		w.off -= HeaderLen
	}
	return err
}

// takeSpare renames the spare file, if there is one, to path and opens it
// for writing over. ok is false when there is no spare.
func (w *Writer) takeSpare(path string) (f *os.File, ok bool, err error) {
	w.spareMu.Lock()
	defer w.spareMu.Unlock()
	if !w.spare {
		return nil, false, nil
	}
	w.spare = false
	if err := os.Rename(filepath.Join(w.dir, spareName), path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("wal: recycle segment: %w", err)
	}
	f, err = os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, false, fmt.Errorf("wal: recycle segment: %w", err)
	}
	return f, true, nil
}

// keepSpare makes segment n the spare file instead of deleting it, when
// there is none yet and the segment is masked (written by this Writer).
// It reports whether it did.
func (w *Writer) keepSpare(n uint64) bool {
	if n < w.firstSeg {
		return false
	}
	w.spareMu.Lock()
	defer w.spareMu.Unlock()
	if w.spare {
		return false
	}
	if err := os.Rename(filepath.Join(w.dir, SegmentName(n)), filepath.Join(w.dir, spareName)); err != nil {
		return false
	}
	w.spare = true
	return true
}
