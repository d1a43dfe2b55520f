package awsjson

import (
	"errors"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// FuzzDecode: Decode never panics, fails only with SerializationException,
// and whatever it accepts re-encodes and decodes again.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(fullJSON))
	f.Add([]byte(listMetricsBody))
	f.Add([]byte(`{"T":"2023-11-14T22:13:20Z","D":"NaN","Blob":"aGk","S":"\ud83d\ude00"}`))
	f.Add([]byte(`{"Rec":{"Rec":{"Lists":[[1],[2,3]]}},"M":{"a":null}}`))
	c := New("1.0")
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
			t.Fatalf("re-decode of %s: %v", resp.Body.Bytes(), err)
		}
	})
}
