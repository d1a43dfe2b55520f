//go:build !amd64 || purego

package eventpattern

// stopMasksFull fills dst[:len(src)/64] for the full 64-byte blocks of src.
func stopMasksFull(src []byte, dst []uint64) {
	stopMasksGeneric(src[:len(src)/64*64], dst)
}
