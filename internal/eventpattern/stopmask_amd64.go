//go:build amd64 && !purego

package eventpattern

//go:noescape
func stopMasksCopySSE2(src *byte, blocks int, dst *byte, masks *uint64)

// stopMasksCopy copies the full 64-byte blocks of src to dst and fills
// masks[:len(src)/64] with their stop masks.
func stopMasksCopy(src, dst []byte, masks []uint64) {
	if n := len(src) / 64; n > 0 {
		_, _ = dst[n*64-1], masks[n-1]
		stopMasksCopySSE2(&src[0], n, &dst[0], &masks[0])
	}
}
