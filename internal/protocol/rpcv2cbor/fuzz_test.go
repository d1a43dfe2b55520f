package rpcv2cbor

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

func valueOf(v any) reflect.Value { return reflect.ValueOf(v) }

// FuzzDecode: Decode never panics, fails only with SerializationException,
// and whatever it accepts re-encodes and decodes again.
func FuzzDecode(f *testing.F) {
	f.Add(appendStruct(nil, allShape, valueOf(full())))
	f.Add(listMetricsBody())
	f.Add(mustHex(`a3 63 756e6b bf 61 61 9f 01 c1 02 ff ff  6153 7f 61 78 ff  62 7878 a1 01 02`))
	f.Add(mustHex(`a2 61 54 c1 f9 3800 64 426c6f62 5f 41 01 42 0203 ff`))
	c := New()
	f.Fuzz(func(t *testing.T, body []byte) {
		var v allTypes
		err := c.Decode(&protocol.Request{Service: svc, Op: allOp, Body: body}, &v)
		if err != nil {
			var se *shape.Error
			if !errors.As(err, &se) || se.Code != "SerializationException" {
				t.Fatalf("unexpected error %#v", err)
			}
			return
		}
		var resp protocol.Response
		c.EncodeOutput(&protocol.Request{Service: svc, Op: allOp}, &v, &resp)
		var again allTypes
		if err := c.Decode(&protocol.Request{Service: svc, Op: allOp, Body: resp.Body.Bytes()}, &again); err != nil {
			t.Fatalf("re-decode of %x: %v", resp.Body.Bytes(), err)
		}
	})
}
