package awsjson

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/protocol/internal/jsonwire"
)

// genericPutEventsResponse is what the generic encoder writes for o.
func genericPutEventsResponse(o *eventsapi.PutEventsResponse) []byte {
	return jsonwire.AppendStruct(nil, hotPutEventsOutput, reflect.ValueOf(o), jsonwire.Options{})
}

func TestPutEventsResponseHotShape(t *testing.T) {
	if hotPutEventsOutput == nil {
		t.Fatal("PutEvents' output shape is not the one appendPutEventsResponse writes: update it")
	}
}

func TestAppendPutEventsResponse(t *testing.T) {
	str := func(s string) *string { return &s }
	n := func(v int32) *int32 { return &v }
	for _, o := range []*eventsapi.PutEventsResponse{
		{},
		{FailedEntryCount: n(0)},
		{Entries: []eventsapi.PutEventsResultEntry{}},
		{FailedEntryCount: n(0), Entries: []eventsapi.PutEventsResultEntry{}},
		{FailedEntryCount: n(0), Entries: []eventsapi.PutEventsResultEntry{{EventId: str("11111111-2222-4333-8444-555555555555")}, {EventId: str("a")}}},
		{FailedEntryCount: n(1), Entries: []eventsapi.PutEventsResultEntry{{EventId: str("x")}, {ErrorCode: str("InvalidArgument"), ErrorMessage: str(`Parameter "Source" is not valid.` + "\n\t\x00\u2028<>&\xff")}}},
		{FailedEntryCount: n(-7), Entries: []eventsapi.PutEventsResultEntry{{}, {ErrorMessage: str("")}, {EventId: str(""), ErrorCode: str(""), ErrorMessage: str("")}}},
		{Entries: []eventsapi.PutEventsResultEntry{{ErrorCode: str("c")}}},
		{FailedEntryCount: n(2147483647)},
	} {
		got, want := appendPutEventsResponse([]byte("x"), o), append([]byte("x"), genericPutEventsResponse(o)...)
		if !bytes.Equal(got, want) {
			t.Errorf("%+v:\n got %s\nwant %s", o, got, want)
		}
	}
}

// TestEncodeOutputPutEvents checks that EncodeOutput takes the hot path for
// PutEvents and writes what the generic encoder writes.
func TestEncodeOutputPutEvents(t *testing.T) {
	id := "0d8cd6ae-1fdc-4a3c-9d7e-9d9c1d1e3b4f"
	failed := int32(0)
	o := &eventsapi.PutEventsResponse{FailedEntryCount: &failed, Entries: []eventsapi.PutEventsResultEntry{{EventId: &id}}}
	req := &protocol.Request{Op: eventsapi.Model.Operation("PutEvents"), RequestID: "r"}
	var resp protocol.Response
	v11.EncodeOutput(req, o, &resp)
	if want := genericPutEventsResponse(o); !bytes.Equal(resp.Body.Bytes(), want) {
		t.Errorf("got %s, want %s", resp.Body.Bytes(), want)
	}
}

func TestAppendPutEventsResponseRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		o := randomPutEventsResponse(r)
		if got, want := appendPutEventsResponse(nil, o), genericPutEventsResponse(o); !bytes.Equal(got, want) {
			t.Fatalf("%+v:\n got %s\nwant %s", o, got, want)
		}
	}
}

func randomPutEventsResponse(r *rand.Rand) *eventsapi.PutEventsResponse {
	const alphabet = "ab\"\\/\x00\x1f\x7f é\u2028\xff\n"
	s := func() *string {
		if r.IntN(3) == 0 {
			return nil
		}
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		v := string(b)
		return &v
	}
	o := &eventsapi.PutEventsResponse{}
	if r.IntN(4) > 0 {
		n := int32(r.Uint32())
		o.FailedEntryCount = &n
	}
	if r.IntN(4) > 0 {
		o.Entries = make([]eventsapi.PutEventsResultEntry, r.IntN(12))
		for i := range o.Entries {
			o.Entries[i] = eventsapi.PutEventsResultEntry{EventId: s(), ErrorCode: s(), ErrorMessage: s()}
		}
	}
	return o
}

func FuzzAppendPutEventsResponse(f *testing.F) {
	f.Add(int32(0), "id", "", "", true, uint8(3))
	f.Add(int32(1), "", "InvalidArgument", "bad \"x\"\n", false, uint8(1))
	f.Fuzz(func(t *testing.T, failed int32, id, code, msg string, hasFailed bool, n uint8) {
		o := &eventsapi.PutEventsResponse{}
		if hasFailed {
			o.FailedEntryCount = &failed
		}
		if n > 0 {
			o.Entries = make([]eventsapi.PutEventsResultEntry, n%12)
			for i := range o.Entries {
				e := &o.Entries[i]
				if i%2 == 0 {
					e.EventId = &id
				}
				if i%3 != 0 {
					e.ErrorCode, e.ErrorMessage = &code, &msg
				}
			}
		}
		if got, want := appendPutEventsResponse(nil, o), genericPutEventsResponse(o); !bytes.Equal(got, want) {
			t.Fatalf("%+v:\n got %s\nwant %s", o, got, want)
		}
	})
}
