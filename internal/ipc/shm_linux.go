//go:build linux

package ipc

import "golang.org/x/sys/unix"

// SHM_RDONLY is shmat's read-only flag.
const SHM_RDONLY = unix.SHM_RDONLY

// Shmget is shmget(2).
func Shmget(key, size, flags int) (int, error) { return unix.SysvShmGet(key, size, flags) }

// Shmat maps segment id; the slice's length is the segment's shm_segsz (IPC_STAT). It must not
// be used after [Shmdt].
func Shmat(id int, flags int) ([]byte, error) { return unix.SysvShmAttach(id, 0, flags) }

// Shmdt unmaps a slice returned by [Shmat].
func Shmdt(b []byte) error { return unix.SysvShmDetach(b) }

// ShmStat is shmctl(IPC_STAT).
func ShmStat(id int) (unix.SysvShmDesc, error) {
	var d unix.SysvShmDesc
	_, err := unix.SysvShmCtl(id, unix.IPC_STAT, &d)
	return d, err
}

// ShmRemove is shmctl(IPC_RMID): the segment goes away when the last process detaches.
func ShmRemove(id int) error {
	_, err := unix.SysvShmCtl(id, unix.IPC_RMID, nil)
	return err
}
