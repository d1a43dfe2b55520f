//go:build unix

// Package cputime reads the process's CPU time, for benchmarks: CPU per
// operation is steadier than wall time on a machine shared with other work.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user and system CPU time the process has used, and
// whether it could be read.
func Process() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
