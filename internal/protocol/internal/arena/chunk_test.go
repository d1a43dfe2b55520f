package arena

import (
	"reflect"
	"testing"
)

// A small call takes small chunks: the first holds firstChunk values, the
// next ones double up to chunk.
func TestChunksGrow(t *testing.T) {
	var a Arena
	var caps []int
	for range 2 * chunk {
		a.New(reflect.TypeFor[string]())
		if c := cap(a.strs); len(caps) == 0 || caps[len(caps)-1] != c {
			caps = append(caps, c)
		}
	}
	want := []int{firstChunk, 2 * firstChunk, 4 * firstChunk, 8 * firstChunk, 16 * firstChunk, chunk}
	if !reflect.DeepEqual(caps, want) {
		t.Fatalf("chunk sizes %v, want %v", caps, want)
	}
}
