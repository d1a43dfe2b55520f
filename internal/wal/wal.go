// Package wal is a small write-ahead log shared by Vigil's storage engines:
// a directory of numbered segment files holding length+CRC32C framed
// records, written by one goroutine that covers everything queued since its
// previous write with one write(2) and one fdatasync (group commit: no
// timer, no added latency when idle). Removed segments are recycled as new
// ones (recycle.go).
//
// The package owns only the files named <16 digits>.wal in the directory it
// is given. What a record means is the caller's business; so is deciding
// when a segment's records are persisted elsewhere (RemoveThrough).
package wal

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

// HeaderLen is the size of a record's frame header: uint32 LE payload
// length, uint32 LE CRC32C of the payload.
const HeaderLen = 8

// MaxRecord bounds a record's payload on replay (a corrupt length ends the
// segment).
const MaxRecord = 256 << 20

// ErrClosed is returned by Write and Rotate after Close.
var ErrClosed = errors.New("wal: closed")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checksum is the CRC32C the frames use, for callers framing other files
// the same way.
func Checksum(p []byte) uint32 { return crc32.Checksum(p, castagnoli) }

// Frame fills the HeaderLen bytes reserved at the start of buf for the
// payload buf[HeaderLen:].
func Frame(buf []byte) {
	p := buf[HeaderLen:]
	binary.LittleEndian.PutUint32(buf, uint32(len(p)))
	binary.LittleEndian.PutUint32(buf[4:], Checksum(p))
}

// SegmentName is the file name of segment n.
func SegmentName(n uint64) string { return fmt.Sprintf("%016d.wal", n) }

// Segments returns the segment numbers in dir, ascending.
func Segments(dir string) ([]uint64, error) {
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

// ReadFrames calls fn with each intact record's payload in data, framed by
// Frame, stopping at the first torn or corrupt record (a crash's torn tail)
// or at a zero frame header (a zero-filled tail; Frame never writes one
// but for an empty payload, which no caller frames). It reports whether
// data ended cleanly. Payloads alias data.
func ReadFrames(data []byte, fn func(payload []byte) error) (clean bool, err error) {
	return readSegment(data, 0, fn) // segment 0's mask is zero
}

// ReadSegment reads the segment file at path (named by SegmentName) as
// ReadFrames does. A recycled segment ends cleanly where its file's earlier
// records begin.
func ReadSegment(path string, fn func(payload []byte) error) (clean bool, err error) {
	name, ok := strings.CutSuffix(filepath.Base(path), ".wal")
	seg, perr := strconv.ParseUint(name, 10, 64)
	if !ok || perr != nil {
		return false, fmt.Errorf("wal: %s is not a segment's name", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	return readSegment(data, seg, fn)
}

// SyncDir fsyncs a directory (after creating, renaming or removing files).
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Options configure a Writer.
type Options struct {
	// NoSync skips fsync (benchmarks only).
	NoSync bool
	// OnError is told about write errors (they are also returned to the
	// writers concerned); may be nil.
	OnError func(error)
}

type request struct {
	buf  []byte     // a framed record; nil for a rotation
	done chan error // receives the outcome
	seg  uint64     // for rotations: the segment closed
}

// Writer appends records to the current segment. Write, Rotate and Close
// are safe for concurrent use; Close must be called once.
type Writer struct {
	dir  string
	opts Options

	mu      sync.Mutex
	cond    *sync.Cond
	pending []*request
	closed  bool

	// owned by the writer goroutine
	f   *os.File
	off int64 // where the next write goes in f
	// recycled is the size f had when it was recycled: up to there it
	// holds records of its earlier life (recycle.go).
	recycled int64
	sync     syncer
	seg      uint64
	wbuf     []byte
	done     chan struct{}

	firstSeg uint64 // segments from here on are this Writer's (recycle.go)
	spareMu  sync.Mutex
	spare    bool // the spare file exists
}

var donePool = sync.Pool{New: func() any { return make(chan error, 1) }}

// Open starts a writer on a new segment numbered seg (which must not exist,
// and is at least 1).
func Open(dir string, seg uint64, o Options) (*Writer, error) {
	if seg == 0 {
		return nil, errors.New("wal: segments are numbered from 1")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	w := &Writer{dir: dir, opts: o, seg: seg, firstSeg: seg, done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	if _, err := os.Stat(filepath.Join(dir, spareName)); err == nil {
		w.spare = true
	}
	f, recycled, err := w.create(seg)
	if err != nil {
		return nil, err
	}
	w.f, w.recycled = f, recycled
	if !o.NoSync {
		w.sync = openSyncer()
	}
	go w.run()
	return w, nil
}

// create makes segment seg from the spare file if there is one (recycled
// is then the file's size), else a new file.
func (w *Writer) create(seg uint64) (f *os.File, recycled int64, err error) {
	path := filepath.Join(w.dir, SegmentName(seg))
	f, ok, err := w.takeSpare(path)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		if f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err != nil {
			return nil, 0, fmt.Errorf("wal: create segment: %w", err)
		}
	} else {
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, fmt.Errorf("wal: recycle segment: %w", err)
		}
		recycled = st.Size()
	}
	if !w.opts.NoSync {
		if err := SyncDir(w.dir); err != nil {
			f.Close()
			return nil, 0, err
		}
	}
	return f, recycled, nil
}

func (w *Writer) submit(r *request) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.pending = append(w.pending, r)
	w.cond.Signal()
	w.mu.Unlock()
	return nil
}

// Write appends buf (HeaderLen reserved bytes, then the payload; Write
// frames it) and returns once it is on disk. buf must not be modified until
// Write returns.
func (w *Writer) Write(buf []byte) error {
	t, err := w.Submit(buf)
	if err != nil {
		return err
	}
	return t.Wait()
}

// Ticket is a submitted record; Wait must be called exactly once.
type Ticket struct{ done chan error }

// Wait returns once the record is on disk (or failed to get there).
func (t Ticket) Wait() error {
	err := <-t.done
	donePool.Put(t.done)
	return err
}

// Submit queues buf like Write without waiting: records submitted one after
// the other reach the file in that order, so a caller may submit under its
// own lock (fixing the order) and wait outside it. buf must not be modified
// until Wait returns; the writer rewrites its frame header's checksum
// (recycle.go), so only the payload may be read meanwhile.
func (w *Writer) Submit(buf []byte) (Ticket, error) {
	Frame(buf)
	done := donePool.Get().(chan error)
	if err := w.submit(&request{buf: buf, done: done}); err != nil {
		donePool.Put(done)
		return Ticket{}, err
	}
	return Ticket{done}, nil
}

// Rotate makes the writer sync what is queued, close its segment and start
// the next one. It returns the number of the closed segment: every record
// whose Write began before Rotate was called is in it or an earlier one.
func (w *Writer) Rotate() (uint64, error) {
	r := &request{done: make(chan error, 1)}
	if err := w.submit(r); err != nil {
		return 0, err
	}
	err := <-r.done
	return r.seg, err
}

// RemoveThrough deletes the segments numbered ≤ seg, but for one kept to be
// recycled.
func (w *Writer) RemoveThrough(seg uint64) error {
	segs, err := Segments(w.dir)
	if err != nil {
		return err
	}
	var errs []error
	for i := len(segs) - 1; i >= 0; i-- { // the newest is the one to recycle
		if n := segs[i]; n <= seg && !w.keepSpare(n) {
			if err := os.Remove(filepath.Join(w.dir, SegmentName(n))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Close writes what is queued and stops the writer.
func (w *Writer) Close() error {
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
	if w.sync != nil {
		w.sync.Close()
	}
	return w.f.Close()
}

// write writes b at the segment's end (which is not the file's when the
// segment is a recycled file).
func (w *Writer) write(b []byte) error {
	n, err := w.f.WriteAt(b, w.off)
	w.off += int64(n)
	return err
}

// largeRecord is the size from which a record is written from its own
// buffer rather than copied into the batch's.
const largeRecord = 64 << 10

func (w *Writer) run() {
	defer close(w.done)
	var batch []*request
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
			// Small records are gathered into one write; large ones are
			// written from the caller's buffer (no copy).
			i := 0
			var err error
			w.wbuf = w.wbuf[:0]
			wrote := false
			for ; i < len(batch) && batch[i].buf != nil && err == nil; i++ {
				b := batch[i].buf
				maskFrame(b, w.seg)
				if len(b) < largeRecord {
					w.wbuf = append(w.wbuf, b...)
				} else {
					if len(w.wbuf) > 0 {
						err = w.write(w.wbuf)
						w.wbuf = w.wbuf[:0]
					}
					if err == nil {
						err = w.write(b)
					}
				}
				wrote = true
			}
			for ; i < len(batch) && batch[i].buf != nil; i++ { // after an error
			}
			if wrote {
				if err == nil {
					err = w.writeEnd()
				}
				if err == nil && !w.opts.NoSync {
					err = w.syncFile(w.f)
				}
				if err != nil {
					err = fmt.Errorf("wal: write: %w", err)
					if w.opts.OnError != nil {
						w.opts.OnError(err)
					}
				}
			}
			for _, r := range batch[:i] {
				r.done <- err
			}
			if i < len(batch) { // a rotation
				r := batch[i]
				r.seg = w.seg
				err := w.f.Close()
				if f, recycled, cerr := w.create(w.seg + 1); cerr == nil {
					w.f, w.off, w.recycled = f, 0, recycled
					w.seg++
				} else {
					// Keep appending to a reopened old segment rather than
					// lose writes (at w.off, which is still its end).
					err = errors.Join(err, cerr)
					if f, oerr := os.OpenFile(filepath.Join(w.dir, SegmentName(w.seg)), os.O_WRONLY, 0); oerr == nil {
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
