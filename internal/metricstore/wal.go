package metricstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The write-ahead log is a directory of segment files named
// <16-digit number>.wal. A segment is a sequence of records framed as
//
//	uint32 LE payload length, uint32 LE CRC32C of the payload, payload
//
// One goroutine (the writer) owns the current segment: Append callers hand
// it encoded records, it writes whatever has queued since its previous
// write in one write(2) and covers it with one fsync (group commit: no
// timer, no added latency when idle). Segments are removed once the head
// data they hold has been persisted to Pebble. On Open the segments are
// replayed in order; a record that is short or fails its CRC ends its
// segment (a torn write at the crash point).

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const frameHeader = 8

// maxRecord bounds a record's payload on replay (a corrupt length).
const maxRecord = 256 << 20

var errWALClosed = errors.New("metricstore: wal closed")

type walReq struct {
	buf  []byte     // a framed record; nil for a rotation
	defs []*series  // series defined by this record, marked durable once synced
	done chan error // receives the outcome
	seg  uint64     // for rotations: the segment closed
}

type wal struct {
	dir    string
	noSync bool

	mu      sync.Mutex
	cond    *sync.Cond
	pending []*walReq
	closed  bool

	// owned by the writer goroutine
	f     *os.File
	seg   uint64
	wbuf  []byte
	done  chan struct{}
	onErr func(error)
}

func segName(n uint64) string { return fmt.Sprintf("%016d.wal", n) }

// listSegments returns the segment numbers in dir, ascending.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".wal")
		if !ok || e.IsDir() {
			continue
		}
		n, err := strconv.ParseUint(name, 10, 64)
		if err != nil {
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// readSegment calls fn with each intact record's payload, stopping at the
// first torn or corrupt record. It reports whether the segment ended
// cleanly.
func readSegment(path string, fn func(payload []byte) error) (clean bool, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	for len(data) > 0 {
		if len(data) < frameHeader {
			return false, nil
		}
		n := binary.LittleEndian.Uint32(data)
		sum := binary.LittleEndian.Uint32(data[4:])
		if n > maxRecord || int(n) > len(data)-frameHeader {
			return false, nil
		}
		p := data[frameHeader : frameHeader+int(n)]
		if crc32.Checksum(p, castagnoli) != sum {
			return false, nil
		}
		if err := fn(p); err != nil {
			return false, err
		}
		data = data[frameHeader+int(n):]
	}
	return true, nil
}

// openWAL starts the writer on a new segment numbered seg.
func openWAL(dir string, seg uint64, noSync bool, onErr func(error)) (*wal, error) {
	w := &wal{dir: dir, noSync: noSync, seg: seg, done: make(chan struct{}), onErr: onErr}
	w.cond = sync.NewCond(&w.mu)
	f, err := w.create(seg)
	if err != nil {
		return nil, err
	}
	w.f = f
	go w.run()
	return w, nil
}

func (w *wal) create(seg uint64) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(w.dir, segName(seg)), os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("metricstore: create wal segment: %w", err)
	}
	if !w.noSync {
		if err := syncDir(w.dir); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// submit queues r for the writer. It does no I/O.
func (w *wal) submit(r *walReq) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errWALClosed
	}
	w.pending = append(w.pending, r)
	w.cond.Signal()
	w.mu.Unlock()
	return nil
}

// rotate makes the writer sync what is queued, close its segment and start
// the next one. It returns the number of the closed segment: every record
// submitted before rotate was called is in it or an earlier one.
func (w *wal) rotate() (uint64, error) {
	r := &walReq{done: make(chan error, 1)}
	if err := w.submit(r); err != nil {
		return 0, err
	}
	err := <-r.done
	return r.seg, err
}

// removeThrough deletes the segments numbered ≤ seg.
func (w *wal) removeThrough(seg uint64) error {
	segs, err := listSegments(w.dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range segs {
		if n <= seg {
			if err := os.Remove(filepath.Join(w.dir, segName(n))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// close writes what is queued and stops the writer.
func (w *wal) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return nil
	}
	w.closed = true
	w.cond.Signal()
	w.mu.Unlock()
	<-w.done
	return w.f.Close()
}

func (w *wal) run() {
	defer close(w.done)
	var batch []*walReq
	for {
		w.mu.Lock()
		for len(w.pending) == 0 && !w.closed {
			w.cond.Wait()
		}
		if len(w.pending) == 0 && w.closed {
			w.mu.Unlock()
			return
		}
		batch = append(batch[:0], w.pending...)
		clear(w.pending)
		w.pending = w.pending[:0]
		w.mu.Unlock()

		// Records up to the next rotation go out in one write and one sync.
		for len(batch) > 0 {
			i := 0
			w.wbuf = w.wbuf[:0]
			for ; i < len(batch) && batch[i].buf != nil; i++ {
				w.wbuf = append(w.wbuf, batch[i].buf...)
			}
			var err error
			if len(w.wbuf) > 0 {
				_, err = w.f.Write(w.wbuf)
				if err == nil && !w.noSync {
					err = w.f.Sync()
				}
				if err != nil {
					err = fmt.Errorf("metricstore: wal write: %w", err)
					w.onErr(err)
				}
			}
			for _, r := range batch[:i] {
				if err == nil {
					for _, s := range r.defs {
						s.durable.Store(true)
					}
				}
				r.done <- err
			}
			if i < len(batch) { // a rotation
				r := batch[i]
				r.seg = w.seg
				err := w.f.Close()
				if f, cerr := w.create(w.seg + 1); cerr == nil {
					w.f = f
					w.seg++
				} else {
					// Keep appending to a reopened old segment rather than lose writes.
					err = errors.Join(err, cerr)
					if f, oerr := os.OpenFile(filepath.Join(w.dir, segName(w.seg)), os.O_WRONLY|os.O_APPEND, 0o600); oerr == nil {
						w.f = f
					}
					r.seg = w.seg - 1
				}
				r.done <- err
				i++
			}
			clear(batch[:i])
			batch = batch[i:]
		}
	}
}

// frame fills the 8-byte header reserved at the start of buf.
func frame(buf []byte) {
	p := buf[frameHeader:]
	binary.LittleEndian.PutUint32(buf, uint32(len(p)))
	binary.LittleEndian.PutUint32(buf[4:], crc32.Checksum(p, castagnoli))
}
