package logstore

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"

	"github.com/vigilhq/vigil/internal/wal"
)

// Append used to copy each message twice: into its WAL record and into the
// head's chunks. The record holds the messages' bytes verbatim, so the head
// now keeps the record itself as one of its chunks (full, never appended
// to) and points into it: one copy of the messages fewer per call, and the
// record's buffer is the allocation the chunk used to be. The WAL writer
// only reads the record, but for its frame header's checksum (wal.Submit),
// which the head never reads; Append keeps it unmodified after Submit.

// recFree holds the records of flushed heads for Append to reuse as
// buffers: a record is a third of a megabyte at full batches, and a new
// one is zeroed by the runtime before use and faulted in (~4% of ingest
// CPU). It holds at most MaxHeadBytes: memory the frozen head held anyway
// and the next head takes back as it fills. Maintain drops it when no
// Append used it since the last call (ingest stopped). A sync.Pool was
// tried: the GC empties it long before the next head has taken its
// buffers back (a fifth reused).
type recFree struct {
	mu    sync.Mutex
	bufs  [][]byte
	bytes int
	used  bool
}

// get returns an empty buffer of capacity at least n: a recycled one when
// one is no bigger than 2n (a head keeps its records whole: a large one
// holding a small batch would hold memory for nothing). New buffers are
// rounded up to an eighth of n's power of two, so that batches of about
// one size share buffers.
func (f *recFree) get(n int) []byte {
	if n < 16<<10 {
		return make([]byte, 0, n)
	}
	f.mu.Lock()
	for i := len(f.bufs) - 1; i >= 0 && i >= len(f.bufs)-4; i-- {
		if b := f.bufs[i]; cap(b) >= n && cap(b) <= 2*n {
			last := len(f.bufs) - 1
			f.bufs[i], f.bufs[last] = f.bufs[last], nil
			f.bufs = f.bufs[:last]
			f.bytes -= cap(b)
			f.used = true
			f.mu.Unlock()
			return b[:0]
		}
	}
	f.mu.Unlock()
	step := 1 << (bits.Len(uint(n)) - 4)
	return make([]byte, 0, (n+step-1)&^(step-1))
}

// put takes the records of h, which must be unreachable: no reader (reads
// copy a head's rows out under viewMu) nor the WAL writer (a flush rotates
// the WAL, which writes every record of the frozen head, before it writes
// the segment) uses them any more.
func (f *recFree) put(h *head, limit int) {
	f.mu.Lock()
	for _, b := range h.recs {
		if cap(b) >= 16<<10 && f.bytes+cap(b) <= limit {
			f.bufs = append(f.bufs, b)
			f.bytes += cap(b)
		}
	}
	f.mu.Unlock()
	h.chunks, h.recs = nil, nil
}

// idle drops the buffers when none was used since the last call.
func (f *recFree) idle() {
	f.mu.Lock()
	if !f.used {
		clear(f.bufs)
		f.bufs, f.bytes = f.bufs[:0], 0
	}
	f.used = false
	f.mu.Unlock()
}

// walRecord encodes events as one WAL record (frame header reserved, first
// seq left zero for the caller to fill in at wal.HeaderLen) into a buffer
// of its own, and returns it with the offset of each message in it.
func (s *Store) walRecord(key, stream string, events []Event, size int, at []uint32) ([]byte, []uint32) {
	buf := s.free.get(wal.HeaderLen + 8 + 2*binary.MaxVarintLen64 + len(key) + len(stream) + binary.MaxVarintLen64 + size + len(events)*(2*binary.MaxVarintLen64+5))
	buf = buf[:wal.HeaderLen+8]
	buf = appendStr(buf, key)
	buf = appendStr(buf, stream)
	buf = binary.AppendUvarint(buf, uint64(len(events)))
	at = at[:0]
	for _, e := range events {
		buf = binary.AppendVarint(buf, e.Timestamp)
		buf = binary.AppendUvarint(buf, zigzag(e.IngestionTime-e.Timestamp))
		buf = binary.AppendUvarint(buf, uint64(len(e.Message)))
		at = append(at, uint32(len(buf)))
		buf = append(buf, e.Message...)
	}
	return buf, at
}

// addRecord is add for events whose messages lie in rec at the offsets at
// (walRecord's): rec becomes a chunk of h, which h keeps as it is.
func (h *head) addRecord(stream string, seq uint64, evs []Event, rec []byte, at []uint32) {
	si, ok := h.streamIdx[stream]
	if !ok {
		si = uint32(len(h.streams))
		h.streams = append(h.streams, stream)
		h.streamIdx[stream] = si
	}
	// A full chunk: add never appends to it.
	h.chunks = append(h.chunks, rec[:len(rec):len(rec)])
	h.recs = append(h.recs, rec)
	chunk := uint32(len(h.chunks) - 1)
	n := len(evs)
	h.ts = grow(h.ts, n)
	h.ingest = grow(h.ingest, n)
	h.seq = grow(h.seq, n)
	h.stream = grow(h.stream, n)
	h.loc = grow(h.loc, n)
	for i := range evs {
		e := &evs[i]
		h.ts = append(h.ts, e.Timestamp)
		h.ingest = append(h.ingest, e.IngestionTime)
		h.seq = append(h.seq, seq+uint64(i))
		h.stream = append(h.stream, si)
		h.loc = append(h.loc, msgLoc{chunk, at[i], uint32(len(e.Message))})
		h.bytes += len(e.Message)
	}
}

// grow makes room for n more elements in s, doubling its capacity when it
// must grow: append grows a large slice by a quarter, which copied a
// head's columns about five times over as it filled.
func grow[T any](s []T, n int) []T {
	if len(s)+n <= cap(s) {
		return s
	}
	return slices.Grow(s, max(n, cap(s)))
}
