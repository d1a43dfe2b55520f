package logstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vigilhq/vigil/internal/wal"
)

// deletes.log holds one wal-framed record per deletion:
//
//	kind byte, key, stream, varint time, uvarint seq
//
// A deletion hides the events of its group with a sequence number ≤ seq
// that match it: all (delGroup), one stream's (delStream), or those with a
// timestamp < time (delBefore). delSeqFloor only carries the sequence
// counter over a rewrite.

const manifestName = "deletes.log"

const (
	delSeqFloor byte = iota
	delGroup
	delStream
	delBefore
)

type deletion struct {
	kind   byte
	key    string
	stream string
	t      int64
	seq    uint64
}

func (d deletion) hides(stream string, ts int64, seq uint64) bool {
	if seq > d.seq {
		return false
	}
	switch d.kind {
	case delGroup:
		return true
	case delStream:
		return stream == d.stream
	case delBefore:
		return ts < d.t
	}
	return false
}

func hidden(dels []deletion, stream string, ts int64, seq uint64) bool {
	for _, d := range dels {
		if d.hides(stream, ts, seq) {
			return true
		}
	}
	return false
}

// blockDead reports whether d hides every row of b.
func (d deletion) blockDead(b *blockRef) bool {
	if b.maxSeq > d.seq {
		return false
	}
	switch d.kind {
	case delGroup:
		return true
	case delStream:
		return len(b.streams) == 1 && b.streams[0] == d.stream
	case delBefore:
		return b.maxT < d.t
	}
	return false
}

// touches reports whether d may hide some row of b.
func (d deletion) touches(b *blockRef) bool {
	if b.minSeq > d.seq {
		return false
	}
	switch d.kind {
	case delStream:
		for _, s := range b.streams {
			if s == d.stream {
				return true
			}
		}
		return false
	case delBefore:
		return b.minT < d.t
	}
	return true
}

func (d deletion) encode() []byte {
	b := make([]byte, wal.HeaderLen, wal.HeaderLen+len(d.key)+len(d.stream)+32)
	b = append(b, d.kind)
	b = appendStr(b, d.key)
	b = appendStr(b, d.stream)
	b = binary.AppendVarint(b, d.t)
	b = binary.AppendUvarint(b, d.seq)
	wal.Frame(b)
	return b
}

func (s *Store) readManifest() ([]deletion, error) {
	var out []deletion
	data, err := os.ReadFile(filepath.Join(s.dir, manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("logstore: read %s: %w", manifestName, err)
	}
	_, err = wal.ReadFrames(data, func(p []byte) error {
		if len(p) < 1 {
			return nil
		}
		d := deletion{kind: p[0]}
		p = p[1:]
		str := func() string {
			l, k := binary.Uvarint(p)
			if k <= 0 || l > uint64(len(p)-k) {
				p = nil
				return ""
			}
			v := string(p[k : k+int(l)])
			p = p[k+int(l):]
			return v
		}
		d.key = str()
		d.stream = str()
		var k int
		d.t, k = binary.Varint(p)
		if k <= 0 {
			return nil
		}
		d.seq, k = binary.Uvarint(p[k:])
		if k <= 0 {
			return nil
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("logstore: read %s: %w", manifestName, err)
	}
	return out, nil
}

// rewriteManifest writes the deletions still needed (and the sequence
// floor) to a fresh file and opens it for appending.
func (s *Store) rewriteManifest() error {
	path := filepath.Join(s.dir, manifestName)
	tmp := path + ".tmp"
	buf := deletion{kind: delSeqFloor, seq: s.seq.Load()}.encode()
	for _, g := range s.groups {
		for _, d := range g.dels {
			buf = append(buf, d.encode()...)
		}
	}
	if err := os.WriteFile(tmp, buf, 0o600); err != nil {
		return fmt.Errorf("logstore: write %s: %w", manifestName, err)
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if !s.opts.NoSync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		f.Close()
		return err
	}
	if !s.opts.NoSync {
		if err := wal.SyncDir(s.dir); err != nil {
			f.Close()
			return err
		}
	}
	s.manifest = f
	return nil
}

// applyDels drops g's dead blocks (removing segments nothing is left of)
// and the deletions nothing can match any more. viewMu held exclusively or
// no concurrency.
func (s *Store) applyDels(g *group) {
	if len(g.dels) == 0 {
		return
	}
	live := g.blocks[:0]
	for _, b := range g.blocks {
		dead := false
		for _, d := range g.dels {
			if d.blockDead(b) {
				dead = true
				break
			}
		}
		if !dead {
			live = append(live, b)
			continue
		}
		if b.seg.live.Add(-1) == 0 {
			os.Remove(b.seg.path)
			b.seg.release()
		}
	}
	clear(g.blocks[len(live):])
	g.blocks = live
	// Keep a deletion while a block may still hold rows it hides or the WAL
	// may still hold such events (seq above what segments cover).
	dels := g.dels[:0]
	for i, d := range g.dels {
		need := false
		for _, b := range g.blocks {
			if d.touches(b) {
				need = true
				break
			}
		}
		if !need && d.seq > s.flushedSeq() {
			need = true
		}
		// A later deletion of the whole group covers earlier ones.
		for _, e := range g.dels[i+1:] {
			if e.kind == delGroup && e.seq >= d.seq {
				need = false
			}
		}
		if need {
			dels = append(dels, d)
		}
	}
	clear(g.dels[len(dels):])
	g.dels = dels
}

// flushedSeq is a sequence number such that every event numbered ≤ it is
// in a segment (none only in the WAL or head).
func (s *Store) flushedSeq() uint64 { return s.flushed.Load() }

func (s *Store) deleteRows(ctx context.Context, p Partition, groupName string, d deletion) error {
	s.maintMu.Lock()
	defer s.maintMu.Unlock()
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	if s.closed {
		return ErrClosed
	}
	g := s.getGroup(p, groupName, false)
	if g == nil {
		return nil // nothing stored, nothing to hide
	}
	d.key = g.key
	d.seq = s.seq.Load()
	if _, err := s.manifest.Write(d.encode()); err != nil {
		return fmt.Errorf("logstore: write %s: %w", manifestName, err)
	}
	if !s.opts.NoSync {
		if err := s.manifest.Sync(); err != nil {
			return fmt.Errorf("logstore: sync %s: %w", manifestName, err)
		}
	}
	g.mu.Lock()
	before := g.head.bytes
	g.head = g.head.filtered(d.hides)
	s.headBytes.Add(int64(g.head.bytes - before))
	g.mu.Unlock()
	s.viewMu.Lock()
	g.dels = append(g.dels, d)
	s.applyDels(g)
	s.viewMu.Unlock()
	return nil
}

// DeleteLogGroup deletes every event of the group stored so far. A group
// created again under the same name starts empty.
func (s *Store) DeleteLogGroup(ctx context.Context, p Partition, group string) error {
	return s.deleteRows(ctx, p, group, deletion{kind: delGroup})
}

// DeleteLogStream deletes every event of one stream stored so far.
func (s *Store) DeleteLogStream(ctx context.Context, p Partition, group, stream string) error {
	return s.deleteRows(ctx, p, group, deletion{kind: delStream, stream: stream})
}

// DeleteBefore deletes the group's events stored so far with a timestamp
// before t (ms): retention. Whole blocks go at once; a segment file is
// removed when none of its blocks is left.
func (s *Store) DeleteBefore(ctx context.Context, p Partition, group string, t int64) error {
	return s.deleteRows(ctx, p, group, deletion{kind: delBefore, t: t})
}
