//go:build linux

package sysv

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/inventory"
	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// RemoveObject removes the System V object o (as List or Inspect reported it) together with
// what belongs to the same key, and reports whether it removed anything:
//
//   - a segment, or a segment's key file: as RemoveStale (under the key's lock: the segment if
//     nobody is attached, its key file, and then its lock and the lock's key file);
//   - a lock semaphore, or its key file, when no segment uses it: under the lock itself (a
//     bounded wait), the set and its key file, only if it looks like a lock nobody uses
//     (value 1, nobody waiting, its last user dead, unchanged for staleGrace; a set cannot tell
//     who has it open, and a live QSystemSemaphore shares the lock's names);
//   - a segment or set no key file gives: by id, if nobody is attached / uses it.
//
// force removes a segment with attachments (it goes away at the last detach) and a set with
// waiters (they fail with EIDRM; Qt and qtshm-go then make a new one). Objects of another
// user are refused (PermissionDenied) unless cfg.AllowForeign.
func RemoveObject(ctx context.Context, o inventory.Object, force bool, cfg backend.Config) (bool, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	proj := int(ipc.ProjQ)
	if o.SysVKey != 0 {
		proj = (o.SysVKey >> 24) & 0xff
	}
	file := o.Path
	if o.Kind != inventory.KeyFile {
		file = o.KeyFile
	}
	segment := o.Kind == inventory.SysVSegment || o.Kind == inventory.KeyFile && o.Role != inventory.RoleSystemSem
	switch {
	case file == "" && o.Kind == inventory.SysVSegment:
		return removeSegmentID(o.ID, force, cfg.AllowForeign)
	case file == "" && o.Kind == inventory.SysVSemaphore:
		return removeSetID(o.ID, force, cfg.AllowForeign)
	case file == "":
		return false, qtipc.Errorf(qtipc.KeyError, "remove", errors.ErrUnsupported, "qtshm: not a System V object: "+o.Name())
	case segment:
		m := newNativeSharedMemory(nativekey.Key{Type: uint16(proj), Native: file}, cfg)
		if lock := inventory.Partner(file); lock != "" {
			m.lockFile, m.lockShared = lock, false
		}
		m.flavor = cfg.Flavor
		return removeStaleOf(ctx, m, force)
	}
	return removeLock(ctx, file, inventory.Partner(file), proj, force, cfg)
}

// removeLock removes the lock set keyed from lockFile and the file, under that lock, when no
// segment keyed from segFile exists and nobody waits for the set (unless force).
func removeLock(ctx context.Context, lockFile, segFile string, proj int, force bool, cfg backend.Config) (bool, error) {
	if !fileExists(lockFile) {
		return false, nil
	}
	waiters := func(id int) bool {
		n, err := ipc.Semctl(id, 0, ipc.GETNCNT, 0)
		return err == nil && n > 0 && !force
	}
	if !force {
		// Only a lock at rest that nobody uses (loneSetInUse); a missing set: only a key
		// file old enough not to be a create in progress.
		key, err := ipc.Ftok(lockFile, proj)
		if err != nil {
			return false, nil
		}
		if id, err := ipc.Semget(key, 1, 0); err == nil {
			if loneSetInUse(id) != "" {
				return false, nil
			}
		} else if st, err := os.Lstat(lockFile); err != nil || youngFile(st.ModTime().Unix()) != "" {
			return false, nil
		}
	}
	// The lock is at rest (value 1): a bounded wait, so that a set taken meanwhile never
	// blocks the removal.
	ctx, cancel := context.WithTimeout(ctx, removeLockWait)
	defer cancel()
	m := newNativeSharedMemory(nativekey.Key{Type: uint16(proj), Native: segFile}, cfg)
	m.flavor = cfg.Flavor
	m.lockFile, m.lockShared = lockFile, false
	if e := m.initKey(false); e != nil {
		return false, e.WithOp("remove")
	}
	defer m.sem.close()
	release, e := m.lockForOp(ctx, "remove", "QSystemSemaphore::remove")
	if e != nil {
		return false, e
	}
	if segFile != "" && fileExists(segFile) {
		if key, err := ipc.Ftok(segFile, proj); err == nil {
			if _, err := ipc.Shmget(key, 0, 0); !errors.Is(err, unix.ENOENT) {
				release()
				return false, nil // a segment uses this lock
			}
		}
	}
	m.sem.mu.Lock()
	if waiters(m.sem.id) {
		m.sem.mu.Unlock()
		release()
		return false, nil
	}
	if e := checkKeyFile(lockFile, m.foreign); e != nil {
		m.sem.mu.Unlock()
		release()
		return false, e.WithOp("remove")
	}
	// m.sem.close removes the set, and the key file it is keyed from, while we hold it.
	m.sem.createdSem, m.sem.createdFile, m.sem.holding = true, true, true
	m.sem.mu.Unlock()
	m.lockedByMe = false
	return true, nil
}

func removeSegmentID(id int, force, foreign bool) (bool, error) {
	st, err := ipc.ShmStat(id)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
		return false, nil
	}
	if err != nil {
		return false, shmErrno(qtipc.FlavorQt515, "remove", "QSharedMemory::remove (shmctl)", err)
	}
	if !foreign {
		if e := foreignOwner("segment", st.Perm.Uid, st.Perm.Cuid); e != nil {
			return false, e.WithOp("remove")
		}
	}
	if st.Nattch != 0 && !force {
		return false, nil
	}
	if err := ipc.ShmRemove(id); err != nil {
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
			return false, nil
		}
		return false, shmErrno(qtipc.FlavorQt515, "remove", "QSharedMemory::remove", err)
	}
	return true, nil
}

// removeLockWait bounds the wait for a lock that removeLock found at rest.
const removeLockWait = 2 * time.Second

func removeSetID(id int, force, foreign bool) (bool, error) {
	st, err := ipc.Semstat(id)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
		return false, nil
	}
	if err != nil {
		return false, semErrno(qtipc.FlavorQt515, "remove", "QSystemSemaphore::remove (semctl)", err)
	}
	if !foreign {
		if e := foreignOwner("semaphore set", st.Uid, st.Cuid); e != nil {
			return false, e.WithOp("remove")
		}
	}
	if !force && loneSetInUse(id) != "" {
		return false, nil
	}
	if _, err := ipc.Semctl(id, 0, ipc.IPC_RMID, 0); err != nil {
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
			return false, nil
		}
		return false, semErrno(qtipc.FlavorQt515, "remove", "QSystemSemaphore::remove", err)
	}
	return true, nil
}
