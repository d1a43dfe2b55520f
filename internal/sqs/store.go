package sqs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"
)

// MessageStore is where messages are durable. The service orders writes
// (Apply is called under a queue's lock) and waits for durability outside
// the lock, so concurrent calls share an fsync. Methods are safe for
// concurrent use.
type MessageStore interface {
	// Apply makes w visible to View and Load, ordered after every write
	// applied before it. With durable, the returned wait blocks until w is
	// on disk (fsynced); without, w is handed to the OS at once and fsynced
	// with the next durable write, and wait returns at once. The caller must
	// call wait exactly once, and may reuse w only after Apply returns.
	Apply(w *Writes, durable bool) (wait func() error, err error)
	// View calls fn with the record of message seq of queue q, valid only
	// during the call; found is false when there is none.
	View(q int64, seq uint64, fn func(rec []byte) error) (found bool, err error)
	// Load calls fn for every stored message in (queue, seq) order, with its
	// receive state (nil when never received). rec and state are valid only
	// during the call.
	Load(fn func(q int64, seq uint64, rec, state []byte) error) error
}

// What Apply is asked to wait for. Sends (and purges, queue deletions) are
// synced: acknowledged only once on disk. Receives, deletes, visibility
// changes and retention sweeps are not: at-least-once delivery survives
// losing them (a message deleted or received in the last instant before a
// power failure comes back, or comes back early), and the next synced
// write makes them durable too.
const (
	synced   = true
	unsynced = false
)

// Writes is an ordered list of changes to apply together.
type Writes struct{ ops []writeOp }

type opKind uint8

const (
	opPutMessage opKind = iota
	opPutState
	opDelete // the message and its state
)

type writeOp struct {
	kind  opKind
	queue int64
	seq   uint64
	val   []byte
	// stateWrites is, for opDelete, how often the message's state key has
	// been written (stateWritesUnknown when the count is not known).
	stateWrites uint8
}

// PutMessage stores a new message's record.
func (w *Writes) PutMessage(q int64, seq uint64, rec []byte) {
	w.ops = append(w.ops, writeOp{kind: opPutMessage, queue: q, seq: seq, val: rec})
}

// PutState stores message m's receive state.
func (w *Writes) PutState(q int64, m *msg, state []byte) {
	if m.stateWrites < stateWritesUnknown {
		m.stateWrites++
	}
	w.ops = append(w.ops, writeOp{kind: opPutState, queue: q, seq: m.seq, val: state})
}

// Delete removes message m and its state.
func (w *Writes) Delete(q int64, m *msg) {
	w.ops = append(w.ops, writeOp{kind: opDelete, queue: q, seq: m.seq, stateWrites: m.stateWrites})
}

// deleteEvery removes every message of queue q's index; q's lock is held.
// (A message a receive took out of the index to move it to a dead-letter
// queue is deleted by that move, or put back.)
func (w *Writes) deleteEvery(q *queue) {
	w.ops = slices.Grow(w.ops, len(q.idx.bySeq))
	for _, m := range q.idx.bySeq {
		w.Delete(q.id, m)
	}
}

// Len is the number of changes.
func (w *Writes) Len() int { return len(w.ops) }

// Keys: "sqs/M", the message's sequence number and its queue's id (both
// big-endian), then a byte saying what the key holds: the message's record
// (keyRecord), which never changes, or its receive state (keyState), under
// its own key so that a receive rewrites a few bytes, not the body.
//
// Sequence numbers are one counter for every queue, so new messages, and
// the states of messages received soon after they came, land at the end of
// the key space: a memtable flush makes a table that overlaps no older one,
// and compactions move such tables down without rewriting them. Keyed by
// queue first (the first layout, "sqs/m" and "sqs/s"), every flush
// overlapped every active queue's older messages, and a backlog growing in
// ten queues at once (an SNS fan-out nobody reads yet) was rewritten over
// and over: compactions took ~30% of the fan-out's CPU. The price: a
// queue's messages are not one key range, so deleting a queue deletes its
// messages one by one.
const (
	keyPrefix = "sqs/M"
	keyLen    = len(keyPrefix) + 17

	legacyMessage = "sqs/m"
	legacyState   = "sqs/s"
	legacyKeyLen  = len(legacyMessage) + 16
)

type keyKind byte

const (
	keyRecord keyKind = iota
	keyState
)

func appendKey(b []byte, kind keyKind, q int64, seq uint64) []byte {
	b = append(b, keyPrefix...)
	b = binary.BigEndian.AppendUint64(b, seq)
	b = binary.BigEndian.AppendUint64(b, uint64(q))
	return append(b, byte(kind))
}

func parseKey(k []byte) (q int64, seq uint64, kind keyKind, ok bool) {
	if len(k) != keyLen || string(k[:len(keyPrefix)]) != keyPrefix {
		return 0, 0, 0, false
	}
	p := len(keyPrefix)
	return int64(binary.BigEndian.Uint64(k[p+8:])), binary.BigEndian.Uint64(k[p:]), keyKind(k[p+16]), true
}

// PebbleStore keeps messages in the data directory's Pebble.
type PebbleStore struct{ db *pebble.DB }

// NewPebbleStore returns a store over db, which the caller owns.
func NewPebbleStore(db *pebble.DB) *PebbleStore { return &PebbleStore{db: db} }

// Apply implements MessageStore.
func (s *PebbleStore) Apply(w *Writes, durable bool) (func() error, error) {
	b := s.db.NewBatch()
	var key []byte
	for _, op := range w.ops {
		var err error
		switch op.kind {
		case opPutMessage:
			key = appendKey(key[:0], keyRecord, op.queue, op.seq)
			err = b.Set(key, op.val, nil)
		case opPutState:
			key = appendKey(key[:0], keyState, op.queue, op.seq)
			err = b.Set(key, op.val, nil)
		case opDelete:
			// A message's record is written exactly once, so a single
			// delete removes it, and where it meets the record in a flush
			// or compaction both vanish: a message received and deleted
			// soon after it was sent leaves nothing for compactions to
			// carry. The state key gets one too when written once;
			// rewritten (or of unknown history), it needs a full delete.
			key = appendKey(key[:0], keyRecord, op.queue, op.seq)
			err = b.SingleDelete(key, nil)
			if err == nil && op.stateWrites > 0 {
				key = appendKey(key[:0], keyState, op.queue, op.seq)
				if op.stateWrites == 1 {
					err = b.SingleDelete(key, nil)
				} else {
					err = b.Delete(key, nil)
				}
			}
		}
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("sqs store: build batch: %w", err)
		}
	}
	if !durable {
		// Pebble's WAL writer hands the record to the OS at once and the
		// next durable write's fsync covers it (the WAL is sequential).
		err := s.db.Apply(b, pebble.NoSync)
		if cerr := b.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("sqs store: apply: %w", err)
		}
		return noWait, nil
	}
	// Applied now (so that the queue's lock orders it), synced later by
	// Pebble's WAL writer together with every batch waiting meanwhile.
	if err := s.db.ApplyNoSyncWait(b, pebble.Sync); err != nil {
		b.Close()
		return nil, fmt.Errorf("sqs store: apply: %w", err)
	}
	return func() error {
		err := b.SyncWait()
		if cerr := b.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("sqs store: sync: %w", err)
		}
		return nil
	}, nil
}

func noWait() error { return nil }

// View implements MessageStore.
func (s *PebbleStore) View(q int64, seq uint64, fn func(rec []byte) error) (bool, error) {
	var kb [keyLen]byte
	v, closer, err := s.db.Get(appendKey(kb[:0], keyRecord, q, seq))
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqs store: read message: %w", err)
	}
	defer closer.Close()
	return true, fn(v)
}

// Load implements MessageStore: a message's state key follows its record's.
// Messages kept in the first key layout are moved to the current one first.
func (s *PebbleStore) Load(fn func(q int64, seq uint64, rec, state []byte) error) error {
	if err := s.migrateLegacy(); err != nil {
		return err
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(keyPrefix), UpperBound: []byte(keyPrefix + "\xff")})
	if err != nil {
		return fmt.Errorf("sqs store: load: %w", err)
	}
	defer it.Close()
	// The record last read, passed on once the next key shows whether it
	// has a state.
	var (
		rec     []byte
		rq      int64
		rseq    uint64
		pending bool
	)
	pass := func(state []byte) error {
		if !pending {
			return nil
		}
		pending = false
		return fn(rq, rseq, rec, state)
	}
	for ok := it.First(); ok; ok = it.Next() {
		q, seq, kind, valid := parseKey(it.Key())
		if !valid {
			continue
		}
		var err error
		switch {
		case kind == keyRecord:
			if err = pass(nil); err == nil {
				rec, rq, rseq, pending = append(rec[:0], it.Value()...), q, seq, true
			}
		case kind == keyState && pending && q == rq && seq == rseq:
			err = pass(it.Value())
		} // else the state of a message already gone
		if err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("sqs store: load: %w", err)
	}
	return pass(nil)
}

// migrateLegacy moves every key of the first layout ((queue, seq) order) to
// the current one, a few thousand keys per synced batch. Each key moves
// atomically, so a crash in between leaves each in exactly one layout, and
// the next start goes on from there; Load reads the current layout only
// once nothing is left in the old one.
func (s *PebbleStore) migrateLegacy() error {
	const perBatch = 4096
	lower, upper := []byte(legacyMessage), []byte(legacyState+"\xff")
	for {
		it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
		if err != nil {
			return fmt.Errorf("sqs store: migrate: %w", err)
		}
		b := s.db.NewBatch()
		var key []byte
		n := 0
		for ok := it.First(); ok && n < perBatch; ok = it.Next() {
			k := it.Key()
			if len(k) != legacyKeyLen {
				continue
			}
			p := len(legacyMessage)
			q, seq := int64(binary.BigEndian.Uint64(k[p:])), binary.BigEndian.Uint64(k[p+8:])
			kind := keyRecord
			if string(k[:p]) == legacyState {
				kind = keyState
			}
			key = appendKey(key[:0], kind, q, seq)
			if err = b.Set(key, it.Value(), nil); err == nil {
				err = b.Delete(k, nil)
			}
			if err != nil {
				break
			}
			n++
		}
		err = errors.Join(err, it.Error(), it.Close())
		if err == nil && n > 0 {
			err = b.Commit(pebble.Sync)
		}
		err = errors.Join(err, b.Close())
		if err != nil {
			return fmt.Errorf("sqs store: migrate: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
}
