package awsquery

import (
	"net/url"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// FuzzDecode checks that no form, however broken, panics the decoder, and
// that what decodes also encodes. Seeds are in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("Str=a&List.member.1=x&Map.entry.1.key=k&Map.entry.1.value=v"), "")
	f.Add([]byte("Items.member.2.Tags.member.1=a&Items.member.1.Name=n&Entry.1.Name=k&Entry.1.Value.Value=1.5"), "Nested.Inner.Leaf=x")
	c := New()
	op := testService.Operation("Kitchen")
	f.Fuzz(func(t *testing.T, body []byte, query string) {
		req := &protocol.Request{Service: testService, Op: op, Body: body, URL: &url.URL{RawQuery: query}, RequestID: "r"}
		var in kitchenInput
		err := c.Decode(req, &in)
		var resp protocol.Response
		if err != nil {
			if _, ok := err.(*shape.Error); !ok {
				t.Fatalf("Decode returned %T, want *shape.Error", err)
			}
			c.EncodeError(req, err, &resp)
			return
		}
		out := kitchenOutput{}
		copyFields(&out, &in)
		c.EncodeOutput(req, &out, &resp)
		if resp.Status != 200 {
			t.Fatalf("status %d", resp.Status)
		}
	})
}

func copyFields(out *kitchenOutput, in *kitchenInput) {
	out.Str, out.Bool, out.Int, out.Long, out.Float, out.Double = in.Str, in.Bool, in.Int, in.Long, in.Float, in.Double
	out.Time, out.Blob, out.List, out.FlatList, out.Named, out.FlatNamed = in.Time, in.Blob, in.List, in.FlatList, in.Named, in.FlatNamed
	out.Items, out.Map, out.FlatMap, out.Nested, out.Renamed, out.Lists, out.Epoch = in.Items, in.Map, in.FlatMap, in.Nested, in.Renamed, in.Lists, in.Epoch
}
