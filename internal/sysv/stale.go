//go:build linux

package sysv

import (
	"context"
	"errors"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// RemoveStale removes the segment of QSharedMemory(key) and its key file when no process is
// attached to it: what a creator killed while attached leaves behind, and what Qt 6.6.1+
// removes on its own. It works under the key's lock, like Qt's creators, so it never removes a
// segment that a creator is setting up or that someone attaches to meanwhile; ctx bounds the
// wait for the lock. When it removed a stale segment it also removes the lock semaphore and its
// key file while holding the lock (whoever uses the key next makes a new one). A segment with
// attachments, or of another user (unless cfg.AllowForeign), is left alone. A segment that
// vanished meanwhile is not an error. It reports whether it removed anything.
func RemoveStale(ctx context.Context, key string, cfg backend.Config) (bool, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	return removeStaleOf(ctx, newSharedMemory(key, cfg), false)
}

// RemoveStaleNative is RemoveStale for a Qt 6.6+ native System V key (type 1..0xff): the
// segment keyed from k.Native and its lock (see newNativeSharedMemory for which lock).
func RemoveStaleNative(ctx context.Context, k nativekey.Key, cfg backend.Config) (bool, error) {
	if e := systemVType("QSharedMemory", k.Type); e != nil {
		return false, e.WithOp("remove")
	}
	if e := negativeShmKey(k.Type); e != nil {
		return false, e.WithOp("remove")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return removeStaleOf(ctx, newNativeSharedMemory(k, cfg), false)
}

// removeStaleOf is RemoveStale's work for m; force removes a segment even while processes are
// attached (it goes away at their last detach).
func removeStaleOf(ctx context.Context, m *sharedMemory, force bool) (bool, error) {
	if m.nativeKey == "" {
		return false, qtipc.Errorf(qtipc.KeyError, "remove", nil, "QSharedMemory::handle:: key is empty")
	}
	if !fileExists(m.nativeKey) {
		return false, nil // nothing to remove; do not make a lock for nothing
	}
	if e := m.initKey(false); e != nil {
		return false, e.WithOp("remove")
	}
	defer m.sem.close()
	release, e := m.lockForOp(ctx, "remove", "QSharedMemory::remove")
	if e != nil {
		return false, e
	}
	removed, err := m.removeStale(force)
	m.sem.mu.Lock()
	if removed && err == nil && checkKeyFile(m.sem.fileName, m.foreign) == nil {
		// Remove the lock too: the next user of the key makes a new one.
		m.sem.createdSem, m.sem.createdFile = true, true
	}
	owner := m.sem.createdSem
	m.sem.holding = owner
	m.sem.mu.Unlock()
	if owner {
		m.lockedByMe = false // m.sem.close removes the set while we hold it
	} else {
		release()
	}
	return removed, err
}

// removeStale is RemoveStale's work, with the lock held.
func (m *sharedMemory) removeStale(force bool) (bool, error) {
	if e := checkKeyFile(m.nativeKey, m.foreign); e != nil {
		return false, e.WithOp("remove")
	}
	key, err := ipc.Ftok(m.nativeKey, m.proj)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	if err != nil {
		return false, shmErrno(m.flavor, "remove", "QSharedMemory::handle", err)
	}
	id, err := ipc.Shmget(key, 0, 0o400)
	if errors.Is(err, unix.ENOENT) {
		// A key file without a segment: Qt ≤6.5's attach then fails with "doesn't exist"
		// while its create succeeds; it is stale too.
		removed, err := m.removeKeyFile()
		if err != nil {
			return false, shmErrno(m.flavor, "remove", "QSharedMemory::remove", err)
		}
		return removed, nil
	}
	if err != nil {
		return false, shmErrno(m.flavor, "remove", "QSharedMemory::attach (shmget)", err)
	}
	st, err := ipc.ShmStat(id)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
		return false, nil // removed meanwhile
	}
	if err != nil {
		return false, shmErrno(m.flavor, "remove", "QSharedMemory::attach (shmctl)", err)
	}
	if !m.foreign {
		if e := foreignOwner("segment", st.Perm.Uid, st.Perm.Cuid); e != nil {
			return false, e.WithOp("remove")
		}
	}
	if st.Nattch != 0 && !force {
		return false, nil
	}
	if err := ipc.ShmRemove(id); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EIDRM) {
		return false, shmErrno(m.flavor, "remove", "QSharedMemory::remove", err)
	}
	if _, err := m.removeKeyFile(); err != nil {
		return false, shmErrno(m.flavor, "remove", "QSharedMemory::remove", err)
	}
	return true, nil
}
