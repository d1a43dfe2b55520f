package wal

import "syscall"

func syncFd(fd int, dataOnly bool) error {
	if dataOnly {
		return syscall.Fdatasync(fd)
	}
	return syscall.Fsync(fd)
}
