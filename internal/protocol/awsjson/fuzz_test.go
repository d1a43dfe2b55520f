package awsjson

import (
	"testing"

	"github.com/vigilhq/vigil/internal/protocol/internal/shapetest"
)

// FuzzDecode: Decode never panics, fails only with SerializationException,
// and whatever it accepts re-encodes and decodes again.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(fullJSON))
	f.Add([]byte(listMetricsBody))
	f.Add([]byte(`{"T":"2023-11-14T22:13:20Z","D":"NaN","Blob":"aGk","S":"\ud83d\ude00"}`))
	f.Add([]byte(`{"Rec":{"Rec":{"Lists":[[1],[2,3]]}},"M":{"a":null}}`))
	shapetest.FuzzDecode(f, New("1.0"))
}
