package sqs

import (
	"encoding/binary"
	"errors"
	"unsafe"
)

// record is a message as stored: everything fixed at send time.
type record struct {
	ID      string
	Sent    int64 // unix ms
	Visible int64 // unix ms when first visible (Sent + the delay)
	Sender  string
	GroupID string
	Trace   string // the AWSTraceHeader system attribute
	BodyMD5 [16]byte
	Body    string
	Attrs   []attr // sorted by name
	// DLQSource is the ARN of the queue a dead-letter queue's message was
	// moved from. Stored after the attributes, only when set, so records
	// written before it existed read the same.
	DLQSource string
	// DedupID is a FIFO message's MessageDeduplicationId, stored after
	// DLQSource (written, maybe empty, whenever DedupID is set).
	DedupID string
}

// attr is a message attribute. Value holds a String or Number attribute's
// text or a Binary attribute's bytes.
type attr struct {
	Name     string
	DataType string
	Value    string
}

func (a attr) binary() bool { return isBinaryType(a.DataType) }

// state is a message's receive history, stored apart from its record.
type state struct {
	Visible  int64 // unix ms when it may next be received
	Count    int32 // receives so far
	First    int64 // unix ms of the first receive
	LastRecv int64 // unix ms of the latest receive (the 12-hour visibility limit counts from it)
}

const recordVersion = 1

var errCorrupt = errors.New("sqs: corrupt stored message")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (r *record) encode(b []byte) []byte {
	b = append(b, recordVersion)
	b = binary.AppendVarint(b, r.Sent)
	b = binary.AppendVarint(b, r.Visible)
	b = appendString(b, r.ID)
	b = appendString(b, r.Sender)
	b = appendString(b, r.GroupID)
	b = appendString(b, r.Trace)
	b = append(b, r.BodyMD5[:]...)
	b = appendString(b, r.Body)
	b = binary.AppendUvarint(b, uint64(len(r.Attrs)))
	for _, a := range r.Attrs {
		b = appendString(b, a.Name)
		b = appendString(b, a.DataType)
		b = appendString(b, a.Value)
	}
	if r.DLQSource != "" || r.DedupID != "" {
		b = appendString(b, r.DLQSource)
	}
	if r.DedupID != "" {
		b = appendString(b, r.DedupID)
	}
	return b
}

// reader decodes what the append functions wrote; the first failure sticks.
type reader struct {
	b   []byte
	err error
	// immutable: b is the bytes of a string, so strings may share them
	// instead of copying.
	immutable bool
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.fail()
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

// string copies (records are read from buffers the store reuses) unless
// the reader's bytes are immutable.
func (r *reader) string() string {
	p := r.bytes(int(r.uvarint()))
	if r.immutable && len(p) > 0 {
		return unsafe.String(&p[0], len(p))
	}
	return string(p)
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

// decodeHeader reads the fields the in-memory index needs.
func decodeHeader(b []byte) (sent, visible int64, err error) {
	r := reader{b: b}
	if v := r.bytes(1); r.err == nil && v[0] != recordVersion {
		return 0, 0, errCorrupt
	}
	sent, visible = r.varint(), r.varint()
	return sent, visible, r.err
}

func decodeRecord(b []byte) (*record, error) {
	rec := new(record)
	if err := decodeRecordFrom(rec, reader{b: b}); err != nil {
		return nil, err
	}
	return rec, nil
}

// decodeRecordInto decodes b into rec, which it overwrites. The strings of
// rec share one copy of b (one allocation for the record, not one per
// field), so any of them keeps the whole copy alive: for records read to
// answer a call, not for ones kept.
func decodeRecordInto(rec *record, b []byte) error {
	cp := string(b)
	return decodeRecordFrom(rec, reader{b: unsafe.Slice(unsafe.StringData(cp), len(cp)), immutable: true})
}

func decodeRecordFrom(rec *record, r reader) error {
	if v := r.bytes(1); r.err == nil && v[0] != recordVersion {
		return errCorrupt
	}
	*rec = record{Sent: r.varint(), Visible: r.varint()}
	rec.ID, rec.Sender, rec.GroupID, rec.Trace = r.string(), r.string(), r.string(), r.string()
	copy(rec.BodyMD5[:], r.bytes(16))
	rec.Body = r.string()
	n := r.uvarint()
	if n > 64 {
		r.fail()
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		rec.Attrs = append(rec.Attrs, attr{Name: r.string(), DataType: r.string(), Value: r.string()})
	}
	if r.err == nil && len(r.b) > 0 {
		rec.DLQSource = r.string()
	}
	if r.err == nil && len(r.b) > 0 {
		rec.DedupID = r.string()
	}
	return r.err
}

func (s *state) encode(b []byte) []byte {
	b = append(b, recordVersion)
	b = binary.AppendVarint(b, s.Visible)
	b = binary.AppendVarint(b, int64(s.Count))
	b = binary.AppendVarint(b, s.First)
	return binary.AppendVarint(b, s.LastRecv)
}

func decodeState(b []byte) (state, error) {
	r := reader{b: b}
	if v := r.bytes(1); r.err == nil && v[0] != recordVersion {
		return state{}, errCorrupt
	}
	s := state{Visible: r.varint(), Count: int32(r.varint()), First: r.varint(), LastRecv: r.varint()}
	return s, r.err
}
