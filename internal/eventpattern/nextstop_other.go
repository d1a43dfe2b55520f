//go:build !amd64 && !arm64

package eventpattern

import "unsafe"

// nextStopAt returns the index of the first stop byte at or after i, by the
// masks at sp (padWithStops): see nextStopWords, right on any machine.
func nextStopAt(sp unsafe.Pointer, i int) int { return nextStopWords(sp, i) }

// stopWindow returns the mask bits of the 64 positions from i (bit k:
// position i+k); zero means no stop byte within them (ask nextStopAt). The
// masks at sp must be as nextStopAt needs them.
func stopWindow(sp unsafe.Pointer, i int) uint64 {
	w := unsafe.Add(sp, i>>6<<3)
	s := uint(i) & 63
	return *(*uint64)(w)>>s | *(*uint64)(unsafe.Add(w, 8))<<1<<(^s&63)
}
