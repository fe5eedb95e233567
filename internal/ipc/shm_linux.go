//go:build linux && !android

package ipc

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Shmget is shmget(2).
func Shmget(key, size, flags int) (int, error) { return shmget(key, size, flags) }

// Shmat maps segment id; the slice's length is the segment's shm_segsz, read by IPC_STAT after
// the mapping (as Qt does). It must not be used after [Shmdt].
func Shmat(id int, flags int) ([]byte, error) { return ShmatSize(id, flags, 0) }

// ShmatSize is [Shmat] for a caller that already knows the segment's size: the Segsz of a
// [ShmStat] of the same id (the size of a segment never changes, and an id is not reused while
// the kernel could hand it out again within any realistic time: its sequence number wraps
// after 2³¹ allocations). It saves the IPC_STAT; size 0 means unknown (Shmat).
func ShmatSize(id, flags int, size uint64) ([]byte, error) {
	addr, err := shmatAddr(id, flags)
	if err != nil {
		return nil, err
	}
	if size == 0 {
		var d unix.SysvShmDesc
		if err := shmctlStat(id, &d); err != nil {
			shmdtAddr(addr)
			return nil, err
		}
		size = uint64(d.Segsz)
	}
	return unsafe.Slice((*byte)(addr), int(size)), nil
}

// mappedAt is the address of a mapping the kernel made (outside the Go heap) as a pointer. The
// conversion goes through memory because vet cannot tell such an address from a uintptr that
// once held a Go pointer.
func mappedAt(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }

// Shmdt unmaps a slice returned by [Shmat].
func Shmdt(b []byte) error {
	if len(b) == 0 {
		return unix.EINVAL
	}
	return shmdtAddr(unsafe.Pointer(&b[0]))
}

// ShmStat is shmctl(IPC_STAT): the owner, creator, mode, size, attachments and pids of a
// segment.
func ShmStat(id int) (ShmDesc, error) {
	var d unix.SysvShmDesc
	if err := shmctlStat(id, &d); err != nil {
		return ShmDesc{}, err
	}
	return ShmDesc{
		Perm:  IpcPerm{Uid: d.Perm.Uid, Gid: d.Perm.Gid, Cuid: d.Perm.Cuid, Cgid: d.Perm.Cgid, Mode: uint32(d.Perm.Mode)},
		Segsz: uint64(d.Segsz), Nattch: uint64(d.Nattch),
		Cpid: d.Cpid, Lpid: d.Lpid,
	}, nil
}

// ShmRemove is shmctl(IPC_RMID): the segment goes away when the last process detaches.
func ShmRemove(id int) error { return shmctlRemove(id) }
