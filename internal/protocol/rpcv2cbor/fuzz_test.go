package rpcv2cbor

import (
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/protocol/internal/shapetest"
)

// FuzzDecode: Decode never panics, fails only with SerializationException,
// and whatever it accepts re-encodes and decodes again.
func FuzzDecode(f *testing.F) {
	f.Add(appendStruct(nil, shapetest.AllShape, reflect.ValueOf(full())))
	f.Add(listMetricsBody())
	f.Add(mustHex(`a3 63 756e6b bf 61 61 9f 01 c1 02 ff ff  6153 7f 61 78 ff  62 7878 a1 01 02`))
	f.Add(mustHex(`a2 61 54 c1 f9 3800 64 426c6f62 5f 41 01 42 0203 ff`))
	shapetest.FuzzDecode(f, New())
}
