//go:build linux && !android

package ipc

import "golang.org/x/sys/unix"

// Shmget is shmget(2).
func Shmget(key, size, flags int) (int, error) { return shmget(key, size, flags) }

// Shmat maps segment id; the slice's length is the segment's shm_segsz (IPC_STAT). It must not
// be used after [Shmdt].
func Shmat(id int, flags int) ([]byte, error) { return shmat(id, flags) }

// Shmdt unmaps a slice returned by [Shmat].
func Shmdt(b []byte) error {
	if len(b) == 0 {
		return unix.EINVAL
	}
	return shmdt(b)
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
