//go:build !linux

package wal

import "syscall"

// syncFd is fsync: not every system has fdatasync.
func syncFd(fd int, _ bool) error { return syscall.Fsync(fd) }
