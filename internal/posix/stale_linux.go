//go:build linux && !android

package posix

import (
	"context"
	"errors"
	"fmt"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// RemoveStale unlinks the segment segName and its lock semaphore lockName ("" means segName)
// when no live process maps either (read from /proc/*/maps), and reports whether it removed
// anything. Qt never unlinks them on Linux, so without this they stay until reboot. It holds
// the lock while it decides and unlinks (waiting for it bounded by ctx), except for a lock
// that a dead holder left taken: nobody maps it, so nobody can be in its critical section, and
// it is removed too. If any /proc entry cannot be read it removes nothing and says so (an
// UnknownError); another user's objects are refused unless cfg.AllowForeign. A segment or
// lock that is in use is left alone: (false, nil).
func RemoveStale(ctx context.Context, segName, lockName string, cfg backend.Config) (bool, error) {
	const op = "remove"
	if ctx == nil {
		ctx = context.Background()
	}
	m, e := newSharedMemory(segName, lockName, "", cfg)
	if e != nil {
		return false, e.WithOp(op)
	}
	if segName == "" {
		return false, qtipc.Errorf(qtipc.KeyError, op, nil, "QSharedMemory::handle: key is empty")
	}
	segID, segExists, e := m.segmentFile(op)
	if e != nil {
		return false, e
	}
	uid, lockExists, e := plantedObject(op, "lock semaphore", m.lock.path)
	if e != nil && !m.foreign {
		return false, e
	}
	if lockExists && !m.foreign {
		if e := foreignOwner(op, "lock semaphore", m.lock.path, uid); e != nil {
			return false, e
		}
	}
	if !segExists && !lockExists {
		return false, nil
	}
	inUse := func() (bool, error) {
		for _, id := range []struct {
			ok bool
			id fileID
		}{{segExists, segID}, {m.lock.sem != nil, m.lock.id}} {
			if !id.ok {
				continue
			}
			ms, err := mappers(id.id)
			if err != nil {
				return true, qtipc.Errorf(qtipc.UnknownError, op, nil, fmt.Sprintf(
					"qtshm: cannot tell whether %s is in use, so it is kept: %v", segName, err))
			}
			if len(ms) > 0 {
				return true, nil
			}
			if id.id == segID && len(ownRanges(segID)) > 0 {
				return true, nil // attached in this process (mappers passes over it)
			}
			if opens, _ := regGet(id.id); id.id == m.lock.id && opens > 1 {
				return true, nil
			}
		}
		return false, nil
	}
	if lockExists {
		s, _, err := psem.Open(m.lock.name, 0, 0, 0)
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return false, semErrno(op, "QSystemSemaphore::handle", err)
		}
		if err == nil {
			dev, ino := s.File()
			m.lock.sem, m.lock.id = s, fileID{dev, ino}
			regAdd(m.lock.id, 1, 0)
			defer m.lock.drop()
		}
	}
	if busy, err := inUse(); busy || err != nil {
		return false, err
	}
	if m.lock.sem != nil {
		// Take the lock if we can: a creator that opens the names meanwhile then waits for us.
		// A lock nobody maps at value 0 was abandoned by a dead holder: remove it all the same.
		if m.lock.sem.TryWait() == nil {
			m.lock.holding = true
			regAdd(m.lock.id, 0, 1)
			defer func() {
				if m.lock.holding {
					m.lock.release(op, "QSharedMemory::remove")
				}
			}()
		}
		if !m.lock.named() {
			return false, nil // replaced meanwhile: someone is using the key
		}
	}
	if err := ctx.Err(); err != nil {
		return false, qtipc.Errorf(qtipc.LockError, op, err, "qtshm: RemoveStale: "+err.Error())
	}
	// Look again, now that newcomers wait for us, right before unlinking.
	if busy, err := inUse(); busy || err != nil {
		return false, err
	}
	removed := false
	if segExists {
		if id2, ok, _ := m.segmentFile(op); ok && id2 == segID {
			if err := unix.Unlink(m.segPath); err != nil && !errors.Is(err, unix.ENOENT) {
				return false, shmErrno(op, "QSharedMemory::remove (shm_unlink)", err)
			}
			removed = true
		}
	}
	if m.lock.sem != nil && m.lock.named() {
		if err := psem.Unlink(m.lock.name); err != nil && !errors.Is(err, unix.ENOENT) {
			return removed, semErrno(op, "QSystemSemaphore::cleanHandle (sem_unlink)", err)
		}
		removed = true
	}
	return removed, nil
}

// segmentFile identifies the segment's file without opening it for use: refused when planted
// or another user's (unless allowed); exists false when there is none.
func (m *SharedMemory) segmentFile(op string) (fileID, bool, *qtipc.Error) {
	uid, exists, e := plantedObject(op, "segment", m.segPath)
	if e != nil && !m.foreign {
		return fileID{}, false, e
	}
	if !exists {
		return fileID{}, false, nil
	}
	if !m.foreign {
		if e := foreignOwner(op, "segment", m.segPath, uid); e != nil {
			return fileID{}, false, e
		}
	}
	var st unix.Stat_t
	if err := unix.Lstat(m.segPath, &st); err != nil {
		return fileID{}, false, nil
	}
	return fileID{uint64(st.Dev), st.Ino}, true, nil
}
