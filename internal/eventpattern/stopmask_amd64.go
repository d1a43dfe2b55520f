//go:build amd64 && !purego

package eventpattern

//go:noescape
func stopMasksSSE2(src *byte, blocks int, dst *uint64)

// stopMasksFull fills dst[:len(src)/64] for the full 64-byte blocks of src.
func stopMasksFull(src []byte, dst []uint64) {
	if n := len(src) / 64; n > 0 {
		stopMasksSSE2(&src[0], n, &dst[0])
	}
}
