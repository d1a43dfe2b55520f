//go:build !amd64 || purego

package eventpattern

// stopMaskVariants are the routines checkStops compares with the portable
// oracle: here only the portable stopMasksCopy.
func stopMaskVariants() map[string]func(src, dst []byte, masks []uint64) {
	return map[string]func(src, dst []byte, masks []uint64){"portable": stopMasksCopy}
}
