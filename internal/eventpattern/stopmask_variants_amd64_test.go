//go:build amd64 && !purego

package eventpattern

import "golang.org/x/sys/cpu"

// stopMaskVariants are the routines checkStops compares with the portable
// oracle: each assembly routine this CPU can run.
func stopMaskVariants() map[string]func(src, dst []byte, masks []uint64) {
	v := map[string]func(src, dst []byte, masks []uint64){
		"sse2": func(src, dst []byte, masks []uint64) {
			if n := len(src) / 64; n > 0 {
				_, _ = dst[n*64-1], masks[n-1]
				stopMasksCopySSE2(&src[0], n, &dst[0], &masks[0])
			}
		},
	}
	if cpu.X86.HasAVX2 {
		v["avx2"] = func(src, dst []byte, masks []uint64) {
			if n := len(src) / 64; n > 0 {
				_, _ = dst[n*64-1], masks[n-1]
				stopMasksCopyAVX2(&src[0], n, &dst[0], &masks[0])
			}
		}
	}
	return v
}
