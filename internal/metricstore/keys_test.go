package metricstore

import (
	"bytes"
	"testing"
)

// Series keys sort as their fields do, field by field, and read back
// exactly, NUL bytes included.
func TestOrdEncodingRoundTripsAndSorts(t *testing.T) {
	words := []string{"", "\x00", "\x00\x00", "\x00a", "a", "a\x00", "a\x00b", "ab", "b", "\xff"}
	for i, x := range words {
		enc := appendOrd(nil, x)
		got, rest, err := readOrd(append(enc, 'z'))
		if err != nil || got != x || string(rest) != "z" {
			t.Fatalf("%q: read %q, rest %q, %v", x, got, rest, err)
		}
		for _, y := range words[i+1:] {
			// words is sorted, and an encoding followed by more fields
			// must still sort before the next word's.
			if bytes.Compare(append(enc, 0xff), appendOrd(nil, y)) >= 0 {
				t.Errorf("%q does not sort before %q", x, y)
			}
		}
	}
}
