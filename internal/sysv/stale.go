package sysv

import (
	"errors"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/ipc"
	"golang.org/x/sys/unix"
)

// RemoveStale removes the segment behind nativeKey (a qipc_sharedmemory_ key file) and the key
// file when no process is attached to it — what a crashed creator leaves behind, and what Qt
// 6.6.1+ removes on its own (QSharedMemorySystemV::cleanHandle). A segment with attachments is
// left alone. It reports whether it removed anything.
func RemoveStale(nativeKey string) (bool, error) {
	key, err := ipc.Ftok(nativeKey, ipc.ProjQ)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, shmErrno(backend.FlavorQt5, "remove", "QSharedMemory::handle", err)
	}
	id, err := ipc.Shmget(key, 0, 0o400)
	if errors.Is(err, unix.ENOENT) {
		// A key file without a segment: Qt ≤6.5 fails attach later with "doesn't exist"; it is stale too.
		if err := unix.Unlink(nativeKey); err != nil && !errors.Is(err, unix.ENOENT) {
			return false, shmErrno(backend.FlavorQt5, "remove", "QSharedMemory::remove", err)
		}
		return true, nil
	}
	if err != nil {
		return false, shmErrno(backend.FlavorQt5, "remove", "QSharedMemory::attach (shmget)", err)
	}
	st, err := ipc.ShmStat(id)
	if err != nil {
		return false, shmErrno(backend.FlavorQt5, "remove", "QSharedMemory::attach (shmctl)", err)
	}
	if st.Nattch != 0 {
		return false, nil
	}
	if err := ipc.ShmRemove(id); err != nil && !errors.Is(err, unix.EINVAL) {
		return false, shmErrno(backend.FlavorQt5, "remove", "QSharedMemory::remove", err)
	}
	if err := unix.Unlink(nativeKey); err != nil && !errors.Is(err, unix.ENOENT) {
		return false, shmErrno(backend.FlavorQt5, "remove", "QSharedMemory::remove", err)
	}
	return true, nil
}
