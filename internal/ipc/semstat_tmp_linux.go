//go:build linux && (amd64 || arm64 || riscv64 || loong64 || ppc64 || ppc64le || s390x || mips64 || mips64le)

package ipc

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// SemDesc is what semctl(IPC_STAT) reports of a semaphore set that qtshm-go uses.
type SemDesc struct {
	Uid, Gid, Cuid, Cgid, Mode uint32
	Otime, Ctime               int64
	Nsems                      uint64
}

// Semstat is semctl(IPC_STAT).
func Semstat(id int) (SemDesc, error) {
	var buf [256]byte // larger than any struct semid64_ds
	_, _, e := unix.Syscall6(unix.SYS_SEMCTL, uintptr(id), 0, uintptr(IPC_STAT), uintptr(unsafe.Pointer(&buf[0])), 0, 0)
	if e != 0 {
		return SemDesc{}, e
	}
	p := (*unix.SysvIpcPerm)(unsafe.Pointer(&buf[0]))
	d := SemDesc{Uid: p.Uid, Gid: p.Gid, Cuid: p.Cuid, Cgid: p.Cgid, Mode: p.Mode}
	off := unsafe.Sizeof(*p)
	words := (*[8]int64)(unsafe.Pointer(&buf[off]))
	// 64-bit layouts: x86-64 pads otime and ctime with an unused word each; the generic
	// layout does not.
	if isAmd64 {
		d.Otime, d.Ctime, d.Nsems = words[0], words[2], uint64(words[4])
	} else {
		d.Otime, d.Ctime, d.Nsems = words[0], words[1], uint64(words[2])
	}
	return d, nil
}
