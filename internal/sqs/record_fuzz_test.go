package sqs

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzRecord: decoding never panics, and a record that decodes encodes
// back to the same bytes within encodedSize (encodeRecords sizes its
// buffer with it).
func FuzzRecord(f *testing.F) {
	for _, r := range []record{
		{ID: "id", Sent: 1, Visible: 2, Sender: "AIDA", Body: "hello", BodyMD5: [16]byte{1}},
		{ID: "id", Sent: -5, Visible: 1 << 40, Body: "b", Attrs: []attr{{Name: "a", DataType: "String", Value: "v"}, {Name: "b", DataType: "Binary", Value: "\x00\xff"}}},
		{ID: "id", Body: "b", GroupID: "g", Trace: "t", DLQSource: "arn:aws:sqs:us-east-1:1:src", DedupID: "d"},
		{ID: "id", Body: "b", DedupID: "d"},
	} {
		f.Add(r.encode(nil))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeRecord(b)
		var shared record
		if serr := decodeRecordInto(&shared, b); (serr == nil) != (err == nil) {
			t.Fatalf("decodeRecord: %v, decodeRecordInto: %v", err, serr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(*rec, shared) {
			t.Fatalf("decodeRecordInto %+v, decodeRecord %+v", shared, *rec)
		}
		enc := rec.encode(nil)
		if n := rec.encodedSize(); len(enc) > n {
			t.Fatalf("encoded %d bytes, encodedSize %d", len(enc), n)
		}
		// Decoding what encode wrote gives a record that encodes the same.
		again, err := decodeRecord(enc)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !bytes.Equal(again.encode(nil), enc) {
			t.Fatal("encoding is not stable")
		}
	})
}
