//go:build !amd64 || purego

package eventpattern

// stopMasksCopy copies the full 64-byte blocks of src to dst and fills
// masks[:len(src)/64] with their stop masks.
func stopMasksCopy(src, dst []byte, masks []uint64) {
	n := len(src) / 64 * 64
	copy(dst[:n], src[:n])
	stopMasksGeneric(src[:n], masks)
}
