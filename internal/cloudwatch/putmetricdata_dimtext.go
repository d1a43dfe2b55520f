package cloudwatch

import "unsafe"

// dimTextChecked remembers, for one PutMetricData call, the dimension name
// and value pointers whose text datumDimensions accepted. The hot decoder
// shares one pointer among a call's equal strings, so each distinct name or
// value is checked about once per call instead of once per datum; the
// generic decoder's pointers are all distinct and simply never match.
//
// It must not outlive the call: a pointer it holds could be reused for
// another string once the call's input is garbage. Pointed-to strings are
// never written (see arena.TextPointer), so a pointer checked once stays
// checked for the call.
type dimTextChecked struct {
	names  pointerSet[[32]*string]
	values pointerSet[[256]*string]
}

// pointerSet is a lossy set of string pointers: a direct-mapped cache, a
// pointer evicting the one it collides with.
type pointerSet[A [32]*string | [256]*string] struct{ slots A }

func (c *pointerSet[A]) slot(p *string) **string {
	// Pointers are hashed, never turned back into pointers.
	return &c.slots[uintptr(unsafe.Pointer(p))>>4%uintptr(len(c.slots))]
}

func (c *pointerSet[A]) has(p *string) bool { return p != nil && *c.slot(p) == p }

func (c *pointerSet[A]) add(p *string) {
	if p != nil {
		*c.slot(p) = p
	}
}
