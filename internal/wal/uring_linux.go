package wal

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Why fsync goes through io_uring on Linux: a goroutine in a blocking
// syscall keeps its P in the syscall state, and the runtime's sysmon
// thread, finding it there on two of its ticks, takes the P back and hands
// it to another thread. Each such retake resets sysmon to its shortest
// sleep (20 µs), so a writer that fsyncs a few hundred times a second keeps
// sysmon waking tens of thousands of times a second. On this project's
// 2-core VMs that was ~8 of the ~18 context switches per PutMetricData call
// and ~15% of the server's CPU. With io_uring the fsync runs in the
// kernel's own workers; the writer goroutine parks in the netpoller until
// the completion arrives (the ring's fd polls readable), like any network
// wait. Where io_uring is unavailable (old kernels, seccomp,
// io_uring_disabled) the writer uses File.Sync.

const (
	sysIOURingSetup = 425 // the same number on every Linux architecture
	sysIOURingEnter = 426

	ioringOffSQRing = 0
	ioringOffCQRing = 0x8000000
	ioringOffSQEs   = 0x10000000

	ioringFeatSingleMmap = 1 << 0
	ioringOpFsync        = 3
	ioringFsyncDatasync  = 1 << 0
)

// The kernel's structures (include/uapi/linux/io_uring.h).
type (
	sqringOffsets struct {
		head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
		userAddr                                                        uint64
	}
	cqringOffsets struct {
		head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
		userAddr                                                        uint64
	}
	uringParams struct {
		sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
		resv                                                                   [3]uint32
		sqOff                                                                  sqringOffsets
		cqOff                                                                  cqringOffsets
	}
	uringSQE struct {
		opcode      uint8
		flags       uint8
		ioprio      uint16
		fd          int32
		off         uint64
		addr        uint64
		len         uint32
		fsyncFlags  uint32
		userData    uint64
		bufIndex    uint16
		personality uint16
		fileIndex   uint32
		addr3       uint64
		pad         uint64
	}
	uringCQE struct {
		userData uint64
		res      int32
		flags    uint32
	}
)

// uringSyncer fsyncs files through a ring of its own. One goroutine at a
// time may use it (the WAL writer): one operation is in flight at most, so
// the rings never fill.
type uringSyncer struct {
	fd       int      // the ring's fd…
	ring     *os.File // …in the netpoller (never call its Fd: that makes it blocking)
	conn     syscall.RawConn
	sqMem    []byte
	cqMem    []byte // == sqMem with IORING_FEAT_SINGLE_MMAP
	sqesMem  []byte
	sqTail   *uint32
	sqMask   uint32
	sqArray  unsafe.Pointer
	cqHead   *uint32
	cqTail   *uint32
	cqMask   uint32
	cqes     unsafe.Pointer
	sqes     unsafe.Pointer
	inFlight uint64 // user_data of the last submission
}

func newSyncer() (syncer, error) {
	if err := uringWorks(); err != nil {
		return nil, err
	}
	return newURingSyncer()
}

// uringWorks checks once per process, with one fsync of a temporary file
// through a ring of its own, that the kernel runs IORING_OP_FSYNC and that
// a ring's fd polls readable on completion (were it never to, a sync would
// wait forever: the probe has a deadline).
var uringWorks = sync.OnceValue(func() error {
	u, err := newURingSyncer()
	if err != nil {
		return err
	}
	defer u.Close()
	probe, err := os.CreateTemp("", "vigil-uring-probe")
	if err != nil {
		return err
	}
	defer os.Remove(probe.Name())
	defer probe.Close()
	u.ring.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := u.Sync(probe.Fd(), probe.Name(), false); err != nil {
		return fmt.Errorf("io_uring: probe: %w", err)
	}
	return nil
})

// newURingSyncer sets up a ring.
func newURingSyncer() (*uringSyncer, error) {
	var p uringParams
	fd, _, errno := syscall.Syscall(sysIOURingSetup, 2, uintptr(unsafe.Pointer(&p)), 0)
	if errno != 0 {
		return nil, fmt.Errorf("io_uring_setup: %w", errno)
	}
	u := &uringSyncer{fd: int(fd)}
	fail := func(err error) (*uringSyncer, error) {
		u.unmap()
		syscall.Close(int(fd))
		return nil, err
	}
	sqSize := int(p.sqOff.array + p.sqEntries*4)
	cqSize := int(p.cqOff.cqes + p.cqEntries*uint32(unsafe.Sizeof(uringCQE{})))
	if p.features&ioringFeatSingleMmap != 0 {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	const prot, flags = syscall.PROT_READ | syscall.PROT_WRITE, syscall.MAP_SHARED | syscall.MAP_POPULATE
	if u.sqMem, err = syscall.Mmap(int(fd), ioringOffSQRing, sqSize, prot, flags); err != nil {
		return fail(fmt.Errorf("io_uring: map the submission ring: %w", err))
	}
	u.cqMem = u.sqMem
	if p.features&ioringFeatSingleMmap == 0 {
		if u.cqMem, err = syscall.Mmap(int(fd), ioringOffCQRing, cqSize, prot, flags); err != nil {
			return fail(fmt.Errorf("io_uring: map the completion ring: %w", err))
		}
	}
	if u.sqesMem, err = syscall.Mmap(int(fd), ioringOffSQEs, int(p.sqEntries)*int(unsafe.Sizeof(uringSQE{})), prot, flags); err != nil {
		return fail(fmt.Errorf("io_uring: map the submission entries: %w", err))
	}
	sq, cq := unsafe.Pointer(&u.sqMem[0]), unsafe.Pointer(&u.cqMem[0])
	u.sqTail = (*uint32)(unsafe.Add(sq, p.sqOff.tail))
	u.sqMask = *(*uint32)(unsafe.Add(sq, p.sqOff.ringMask))
	u.sqArray = unsafe.Add(sq, p.sqOff.array)
	u.cqHead = (*uint32)(unsafe.Add(cq, p.cqOff.head))
	u.cqTail = (*uint32)(unsafe.Add(cq, p.cqOff.tail))
	u.cqMask = *(*uint32)(unsafe.Add(cq, p.cqOff.ringMask))
	u.cqes = unsafe.Add(cq, p.cqOff.cqes)
	u.sqes = unsafe.Pointer(&u.sqesMem[0])
	// Non-blocking, so that os.NewFile puts it in the netpoller.
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		return fail(fmt.Errorf("io_uring: %w", err))
	}
	u.ring = os.NewFile(fd, "io_uring")
	if u.conn, err = u.ring.SyscallConn(); err != nil {
		u.unmap()
		u.ring.Close()
		return nil, fmt.Errorf("io_uring: %w", err)
	}
	return u, nil
}

// Sync is fsync(2) (fdatasync(2) with dataOnly) done by the kernel's
// io_uring workers while the calling goroutine waits in the netpoller. The
// caller keeps fd open meanwhile.
func (u *uringSyncer) Sync(fd uintptr, name string, dataOnly bool) error {
	var flags uint32
	if dataOnly {
		flags = ioringFsyncDatasync
	}
	u.inFlight++
	tail := *u.sqTail // only this goroutine writes it
	i := tail & u.sqMask
	*(*uringSQE)(unsafe.Add(u.sqes, uintptr(i)*unsafe.Sizeof(uringSQE{}))) = uringSQE{opcode: ioringOpFsync, fd: int32(fd), fsyncFlags: flags, userData: u.inFlight}
	*(*uint32)(unsafe.Add(u.sqArray, uintptr(i)*4)) = i
	atomic.StoreUint32(u.sqTail, tail+1) // publishes the entry to the kernel
	for {
		n, _, errno := syscall.Syscall6(sysIOURingEnter, uintptr(u.fd), 1, 0, 0, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return fmt.Errorf("io_uring_enter: %w", errno)
		}
		if n != 1 {
			return fmt.Errorf("io_uring_enter: submitted %d of 1", n)
		}
		break
	}
	var res int32
	found := false
	err := u.conn.Read(func(uintptr) bool {
		for head := atomic.LoadUint32(u.cqHead); head != atomic.LoadUint32(u.cqTail); head++ {
			c := (*uringCQE)(unsafe.Add(u.cqes, uintptr(head&u.cqMask)*unsafe.Sizeof(uringCQE{})))
			if c.userData == u.inFlight {
				res, found = c.res, true
			}
			atomic.StoreUint32(u.cqHead, head+1)
		}
		return found
	})
	if err != nil {
		return fmt.Errorf("io_uring: wait: %w", err)
	}
	switch errno := syscall.Errno(-res); {
	case res >= 0:
		return nil
	case errno == syscall.EAGAIN || errno == syscall.EINTR || errno == syscall.ECANCELED || errno == syscall.ENOMEM || errno == syscall.EBUSY:
		// The ring's trouble, not the file's: the caller falls back to
		// File.Sync, which decides. (A writeback error such as EIO must
		// not be retried that way: Linux reports it once per file.)
		return fmt.Errorf("io_uring: fsync not run: %w", errno)
	default:
		return &os.PathError{Op: "sync", Path: name, Err: errno}
	}
}

func (u *uringSyncer) unmap() {
	if u.sqesMem != nil {
		syscall.Munmap(u.sqesMem)
	}
	if u.cqMem != nil && (u.sqMem == nil || &u.cqMem[0] != &u.sqMem[0]) {
		syscall.Munmap(u.cqMem)
	}
	if u.sqMem != nil {
		syscall.Munmap(u.sqMem)
	}
	u.sqesMem, u.cqMem, u.sqMem = nil, nil, nil
}

// Close releases the ring.
func (u *uringSyncer) Close() error {
	err := u.ring.Close()
	u.unmap()
	return err
}
