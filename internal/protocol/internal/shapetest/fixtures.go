package shapetest

import (
	"errors"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/protocol"
)

// Inner is the structure AllTypes nests, lists and maps.
type Inner struct {
	Name  *string
	Value *float64
}

// AllTypes has a member of every kind a codec must carry, including a
// renamed member, nested collections and recursion, so one value exercises a
// codec's whole representation table.
type AllTypes struct {
	S       *string
	B       *bool
	I       *int32
	L       *int64
	F       *float32
	D       *float64
	T       *time.Time
	Blob    []byte
	Strs    []string
	Structs []Inner
	M       map[string]int64
	MS      map[string]Inner
	Nested  *Inner
	Doc     any
	Renamed *string `wire:"renamed_key"`
	Times   []time.Time
	Lists   [][]int32
	Rec     *AllTypes
	Bools   []bool
	Empty   []string
}

var (
	// AllShape is the shape of AllTypes.
	AllShape = Of[AllTypes]()
	// AllOp takes and returns AllTypes.
	AllOp = &shape.Operation{Name: "All", Input: AllShape, Output: AllShape}
	// AllService has the one operation AllOp.
	AllService = &shape.Service{ID: "test", Operations: []*shape.Operation{AllOp}}
)

// FuzzDecode fuzzes c with AllOp bodies from f's corpus: Decode never
// panics, fails only with SerializationException, and whatever it accepts
// re-encodes into a body it decodes again.
func FuzzDecode(f *testing.F, c protocol.Codec) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var v AllTypes
		err := c.Decode(&protocol.Request{Service: AllService, Op: AllOp, Body: body}, &v)
		if err != nil {
			var se *shape.Error
			if !errors.As(err, &se) || se.Code != "SerializationException" {
				t.Fatalf("unexpected error %#v", err)
			}
			return
		}
		var resp protocol.Response
		c.EncodeOutput(&protocol.Request{Service: AllService, Op: AllOp}, &v, &resp)
		var again AllTypes
		if err := c.Decode(&protocol.Request{Service: AllService, Op: AllOp, Body: resp.Body.Bytes()}, &again); err != nil {
			t.Fatalf("re-decode of %q: %v", resp.Body.Bytes(), err)
		}
	})
}
