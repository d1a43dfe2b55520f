//go:build amd64 && !purego

package eventpattern

import "golang.org/x/sys/cpu"

//go:noescape
func stopMasksCopySSE2(src *byte, blocks int, dst *byte, masks *uint64)

//go:noescape
func stopMasksCopyAVX2(src *byte, blocks int, dst *byte, masks *uint64)

// useAVX2 selects the AVX2 routine, about half the SSE2 one's instructions
// per block; SSE2 (the amd64 baseline) is the fallback. A variable, not a
// constant, so that the tests can run both.
var useAVX2 = cpu.X86.HasAVX2

// stopMasksCopy copies the full 64-byte blocks of src to dst and fills
// masks[:len(src)/64] with their stop masks.
func stopMasksCopy(src, dst []byte, masks []uint64) {
	if n := len(src) / 64; n > 0 {
		_, _ = dst[n*64-1], masks[n-1]
		if useAVX2 {
			stopMasksCopyAVX2(&src[0], n, &dst[0], &masks[0])
		} else {
			stopMasksCopySSE2(&src[0], n, &dst[0], &masks[0])
		}
	}
}
