package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"reflect"
	"unsafe"

	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// The send path's per-message costs, kept low for a topic's fan-out (one
// body to many queues in one DeliverAll) and for batches of ten: a body's
// checks and MD5 and an attribute map's checks are done once however many
// queues receive it, and the records of one call are encoded into one
// buffer.

// bodyCache remembers the last body and attribute map that passed
// prepare's checks, with what the checks computed. A nil *bodyCache
// remembers nothing. Not safe for concurrent use: one per call.
type bodyCache struct {
	bodyOK   bool
	lastBody string
	bodyMD5  [16]byte

	attrsOK   bool
	attrsFrom unsafe.Pointer // the map checked (its identity: callers do not change a map during a call)
	attrs     []attr         // shared by the records that carry them; never modified
	attrSize  int
	attrsMD5  string
}

// body applies checkBody and returns the body's MD5. Only a success is
// remembered, so an error is built afresh for each message.
func (c *bodyCache) checkBody(b string) ([16]byte, error) {
	if c != nil && c.bodyOK && c.lastBody == b { // equal strings of one fan-out share their bytes: compared at once
		return c.bodyMD5, nil
	}
	if err := checkBody(b); err != nil {
		return [16]byte{}, err
	}
	// md5.Sum keeps nothing of its argument and does not write to it, so
	// the body's bytes need no copy.
	sum := md5.Sum(unsafe.Slice(unsafe.StringData(b), len(b)))
	if c != nil {
		c.bodyOK, c.lastBody, c.bodyMD5 = true, b, sum
	}
	return sum, nil
}

// attributes is messageAttributes with the attributes' MD5.
func (c *bodyCache) attributes(in map[string]sqsapi.MessageAttributeValue) ([]attr, int, string, error) {
	var from unsafe.Pointer
	if len(in) > 0 {
		from = reflect.ValueOf(in).UnsafePointer()
	}
	if c != nil && c.attrsOK && from != nil && c.attrsFrom == from {
		return c.attrs, c.attrSize, c.attrsMD5, nil
	}
	attrs, size, err := messageAttributes(in)
	if err != nil {
		return nil, 0, "", err
	}
	sum := md5OfAttributes(attrs)
	if c != nil && from != nil {
		c.attrsOK, c.attrsFrom, c.attrs, c.attrSize, c.attrsMD5 = true, from, attrs, size, sum
	}
	return attrs, size, sum, nil
}

// encodeRecords encodes the records of ps into one buffer sized for all
// of them; each p.encoded is its part.
func encodeRecords(ps []*prepared, buf []byte) []byte {
	n := 0
	for _, p := range ps {
		n += p.rec.encodedSize()
	}
	buf = sized(buf, n)[:0]
	for _, p := range ps {
		start := len(buf)
		buf = p.rec.encode(buf)
		p.encoded = buf[start:len(buf):len(buf)]
	}
	return buf
}

// encodedSize is the length of r.encode's output, or a little more.
func (r *record) encodedSize() int {
	str := func(s string) int { return uvarintLen(uint64(len(s))) + len(s) }
	n := 1 + 2*binary.MaxVarintLen64 + str(r.ID) + str(r.Sender) + str(r.GroupID) + str(r.Trace) + len(r.BodyMD5) + str(r.Body) +
		uvarintLen(uint64(len(r.Attrs))) + str(r.DLQSource) + str(r.DedupID)
	for _, a := range r.Attrs {
		n += str(a.Name) + str(a.DataType) + str(a.Value)
	}
	return n
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// stringPtrs hands out pointers to strings from one array (the answer's
// fields are *string): one allocation for a receive's answer instead of
// one per field. A pointer handed out stays valid when the array grows.
type stringPtrs struct{ s []string }

func (p *stringPtrs) grow(n int) { p.s = make([]string, 0, n) }

func (p *stringPtrs) to(v string) *string {
	p.s = append(p.s, v)
	return &p.s[len(p.s)-1]
}
