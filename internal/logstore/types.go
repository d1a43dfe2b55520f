package logstore

import "errors"

// Partition is an (account, region) pair: all data is partitioned by it.
type Partition struct {
	Account string
	Region  string
}

// Event is one log event to append.
type Event struct {
	Timestamp     int64 // ms since the epoch
	IngestionTime int64 // ms since the epoch
	Message       []byte
}

// Record is a stored event as reads return it.
type Record struct {
	Stream        string
	Timestamp     int64
	IngestionTime int64
	// Seq is the store-wide sequence number given at Append: with
	// Timestamp, the event's position (Cursor) and identity (@ptr, eventId).
	Seq     uint64
	Message []byte
}

// Cursor is a position between events in (timestamp, sequence) order. The
// zero Cursor means "from the start" (of the chosen direction).
type Cursor struct {
	Time  int64
	Seq   uint64
	Valid bool
}

// CursorOf returns the position of r: a read resumed from it starts just
// after r in the read's direction.
func CursorOf(r *Record) Cursor { return Cursor{Time: r.Timestamp, Seq: r.Seq, Valid: true} }

// Named errors.
var (
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("logstore: closed")
	// ErrNotFound: GetRecord found no event for the pointer (never stored,
	// deleted, expired, or another partition's).
	ErrNotFound = errors.New("logstore: record not found")
	// ErrBadPointer: a record pointer that this package did not make.
	ErrBadPointer = errors.New("logstore: malformed record pointer")
	// ErrCorrupt: a block or segment failed its checksum or did not decode.
	ErrCorrupt = errors.New("logstore: corrupt data")
	// ErrTooLarge: a single Append over MaxAppendBytes.
	ErrTooLarge = errors.New("logstore: append too large")
)

// MaxAppendBytes bounds one Append's message bytes (AWS allows 1 MiB per
// PutLogEvents; this leaves room for other callers such as CloudTrail
// delivery).
const MaxAppendBytes = 64 << 20
