package sysv

import (
	"context"
	"errors"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// sharedMemory is QSharedMemory + QSharedMemoryPrivate with the SysV backend, for a QString key.
type sharedMemory struct {
	flavor    backend.Flavor
	tempDir   string
	key       string // the user key; "" is Qt's null key
	nativeKey string // <tmp>/qipc_sharedmemory_<letters><sha1>, fixed at construction like Qt's

	sem        *semaphore // the lock
	unixKey    int        // cached ftok key of nativeKey; 0 = none
	mem        []byte     // the mapping; nil when detached
	lockedByMe bool
	err        *backend.Error
}

var _ backend.SharedMemory = (*sharedMemory)(nil)

func newSharedMemory(key string, cfg backend.Config) *sharedMemory {
	dir := cfg.TempDir
	if dir == "" {
		dir = qtkey.TempPath()
	}
	return &sharedMemory{
		flavor:    cfg.Flavor,
		tempDir:   cfg.TempDir,
		key:       key,
		nativeKey: qtkey.SysV(key, qtkey.SharedMemoryPrefix, dir),
		sem:       newSemaphoreObject(cfg.Flavor, cfg.TempDir),
	}
}

func (m *sharedMemory) Key() string       { return m.key }
func (m *sharedMemory) NativeKey() string { return m.nativeKey }
func (m *sharedMemory) Data() []byte      { return m.mem }

func (m *sharedMemory) qt66() bool { return m.flavor >= backend.FlavorQt66 }

func (m *sharedMemory) fail(e *backend.Error) error {
	m.err = e
	return e
}

// initKey is QSharedMemoryPrivate::initKey: forget the cached handle (6.6+: possibly removing a
// stale segment), then point the lock semaphore at qipc_systemsem_<key>.
func (m *sharedMemory) initKey(mode backend.SemMode) *backend.Error {
	m.cleanHandle()
	if m.qt66() {
		m.sem.setKey(m.key, 1, mode)
	} else {
		m.sem.setKey("", 1, backend.Open)
		m.sem.setKey(m.key, 1, backend.Open)
	}
	if se := m.sem.err; se != nil {
		msg := "QSharedMemoryPrivate::initKey: unable to set key on lock"
		if m.qt66() {
			msg += " (" + se.Msg + ")"
		}
		code := se.Code
		if code == backend.LockError || code == backend.InvalidSize {
			code = backend.UnknownError
		}
		return backend.Errorf(code, se.Op, se.Err, msg)
	}
	m.err = nil
	return nil
}

// cleanHandle is QSharedMemoryPrivate::cleanHandle. Up to 6.5 it only forgets the key; from 6.6
// on it also removes the segment and its key file when nobody is attached (a stale segment).
func (m *sharedMemory) cleanHandle() bool {
	if !m.qt66() || m.unixKey == 0 {
		m.unixKey = 0
		return true
	}
	id, _ := ipc.Shmget(m.unixKey, 0, 0o400)
	m.unixKey = 0
	st, err := ipc.ShmStat(id)
	if err != nil {
		return !errors.Is(err, unix.EINVAL)
	}
	if st.Nattch == 0 {
		if err := ipc.ShmRemove(id); err != nil && !errors.Is(err, unix.EINVAL) {
			return false
		}
		if err := unix.Unlink(m.nativeKey); err != nil && !errors.Is(err, unix.ENOENT) {
			return false
		}
	}
	return true
}

// handle is QSharedMemoryPrivate::handle: the ftok key of the native key file.
func (m *sharedMemory) handle(op string) (int, *backend.Error) {
	if m.unixKey != 0 {
		return m.unixKey, nil
	}
	if m.nativeKey == "" {
		return 0, backend.Errorf(backend.KeyError, op, nil, "QSharedMemory::handle:: key is empty")
	}
	if !m.qt66() && !fileExists(m.nativeKey) {
		return 0, backend.Errorf(backend.NotFound, op, unix.ENOENT, "QSharedMemory::handle:: UNIX key file doesn't exist")
	}
	key, err := ipc.Ftok(m.nativeKey, ipc.ProjQ)
	if err != nil {
		if m.qt66() {
			return 0, shmErrno(m.flavor, op, "QSharedMemory::handle", err)
		}
		return 0, backend.Errorf(backend.KeyError, op, err, "QSharedMemory::handle:: ftok failed")
	}
	m.unixKey = key
	return key, nil
}

// lock is QSharedMemory::lock.
func (m *sharedMemory) Lock(ctx context.Context) error {
	if m.lockedByMe {
		return nil // Qt: "QSharedMemory::lock: already locked" warning, returns true
	}
	if e := m.sem.modify(ctx, "lock", -1); e != nil {
		return m.fail(backend.Errorf(backend.LockError, "lock", lockCause(e), "QSharedMemory::lock: unable to lock"))
	}
	m.lockedByMe = true
	return nil
}

// lockCause is what a lock failure wraps: the context error or errno, else the semaphore error.
func lockCause(e *backend.Error) error {
	if e.Err != nil {
		return e.Err
	}
	return e
}

// Unlock is QSharedMemory::unlock.
func (m *sharedMemory) Unlock() error {
	if !m.lockedByMe {
		return m.fail(backend.Errorf(backend.LockError, "unlock", nil, "QSharedMemory::unlock: not locked"))
	}
	m.lockedByMe = false
	if e := m.sem.modify(nil, "unlock", 1); e != nil {
		return m.fail(backend.Errorf(backend.LockError, "unlock", lockCause(e), "QSharedMemory::unlock: unable to unlock"))
	}
	return nil
}

// lockForOp is QSharedMemoryLocker + tryLocker around create/attach/detach: it takes the lock
// when the key is set, and the release it returns always unlocks, which also releases a lock the
// caller held before the operation (Qt does the same).
func (m *sharedMemory) lockForOp(op, function string) (release func(), err *backend.Error) {
	release = func() {
		if m.lockedByMe {
			m.lockedByMe = false
			m.sem.modify(nil, "unlock", 1)
		}
	}
	if m.key == "" || m.lockedByMe {
		return release, nil
	}
	if e := m.sem.modify(nil, "lock", -1); e != nil {
		return func() {}, backend.Errorf(backend.LockError, op, lockCause(e), function+": unable to lock")
	}
	m.lockedByMe = true
	return release, nil
}

// Create is QSharedMemory::create.
func (m *sharedMemory) Create(size int, mode backend.AccessMode) error {
	const function = "QSharedMemory::create"
	if m.qt66() {
		if e := m.initKey(backend.Create); e != nil {
			return m.fail(withOp(e, "create"))
		}
	} else {
		if e := m.initKey(backend.Open); e != nil {
			return m.fail(withOp(e, "create"))
		}
		// "Take ownership and force set initialValue because the semaphore might have already
		// existed from a previous crash."
		m.sem.setKey(m.key, 1, backend.Create)
	}
	release, e := m.lockForOp("create", function)
	if e != nil {
		return m.fail(e)
	}
	defer release()
	if size <= 0 {
		return m.fail(backend.Errorf(backend.InvalidSize, "create", nil, function+": create size is less then 0"))
	}
	if e := m.createSegment(size); e != nil {
		return m.fail(e)
	}
	if e := m.attachSegment(mode); e != nil {
		return m.fail(e)
	}
	return nil
}

// createSegment is QSharedMemoryPrivate::create (SysV).
func (m *sharedMemory) createSegment(size int) *backend.Error {
	created, err := createKeyFile(m.nativeKey)
	if err != nil {
		return backend.Errorf(backend.KeyError, "create", err, "QSharedMemory::handle:: unable to make key")
	}
	if _, e := m.handle("create"); e != nil {
		if created {
			unix.Unlink(m.nativeKey)
		}
		return e
	}
	if _, err := ipc.Shmget(m.unixKey, size, 0o600|ipc.IPC_CREAT|ipc.IPC_EXCL); err != nil {
		var e *backend.Error
		if errors.Is(err, unix.EINVAL) {
			e = backend.Errorf(backend.InvalidSize, "create", err, "QSharedMemory::handle: system-imposed size restrictions")
		} else {
			e = shmErrno(m.flavor, "create", "QSharedMemory::create", err)
		}
		if created && e.Code != backend.AlreadyExists {
			unix.Unlink(m.nativeKey)
		}
		return e
	}
	return nil
}

// attachSegment is QSharedMemoryPrivate::attach (SysV).
func (m *sharedMemory) attachSegment(mode backend.AccessMode) *backend.Error {
	perm, flags := 0o600, 0
	if mode == backend.ReadOnly {
		perm, flags = 0o400, ipc.SHM_RDONLY
	}
	id, err := ipc.Shmget(m.unixKey, 0, perm)
	if err != nil {
		e := shmErrno(m.flavor, "attach", "QSharedMemory::attach (shmget)", err)
		if m.qt66() {
			m.unixKey = 0
		}
		return e
	}
	mem, err := ipc.Shmat(id, flags)
	if err != nil {
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOMEM) {
			return shmErrno(m.flavor, "attach", "QSharedMemory::attach (shmat)", err)
		}
		// x/sys maps and then stats; a failed stat comes back after the mapping was undone.
		return shmErrno(m.flavor, "attach", "QSharedMemory::attach (shmctl)", err)
	}
	m.mem = mem
	return nil
}

// Attach is QSharedMemory::attach.
func (m *sharedMemory) Attach(mode backend.AccessMode) error {
	const function = "QSharedMemory::attach"
	if m.mem != nil {
		return m.fail(backend.Errorf(backend.AlreadyExists, "attach", nil, function+": already attached"))
	}
	if e := m.initKey(backend.Open); e != nil {
		return m.fail(withOp(e, "attach"))
	}
	release, e := m.lockForOp("attach", function)
	if e != nil {
		return m.fail(e)
	}
	defer release()
	if _, e := m.handle("attach"); e != nil {
		return m.fail(e)
	}
	if e := m.attachSegment(mode); e != nil {
		return m.fail(e)
	}
	return nil
}

// Detach is QSharedMemory::detach.
func (m *sharedMemory) Detach() error {
	const function = "QSharedMemory::detach"
	if m.mem == nil {
		return m.fail(backend.Errorf(backend.NotFound, "detach", nil, function+": not attached"))
	}
	release, e := m.lockForOp("detach", function)
	if e != nil {
		return m.fail(e)
	}
	defer release()
	return m.detachSegment()
}

// detachSegment is QSharedMemoryPrivate::detach (SysV): unmap, and remove the segment and its
// key file when this was the last attachment.
func (m *sharedMemory) detachSegment() error {
	if err := ipc.Shmdt(m.mem); err != nil {
		if errors.Is(err, unix.EINVAL) {
			return m.fail(backend.Errorf(backend.NotFound, "detach", err, "QSharedMemory::detach: not attached"))
		}
		return m.fail(shmErrno(m.flavor, "detach", "QSharedMemory::detach", err))
	}
	m.mem = nil
	id, _ := ipc.Shmget(m.unixKey, 0, 0o400)
	m.unixKey = 0
	st, err := ipc.ShmStat(id)
	if err != nil {
		if errors.Is(err, unix.EINVAL) {
			return nil // already removed
		}
		return m.fail(shmErrno(m.flavor, "detach", "QSharedMemory::detach", err))
	}
	if st.Nattch == 0 {
		if err := ipc.ShmRemove(id); err != nil {
			if errors.Is(err, unix.EINVAL) {
				return nil
			}
			return m.fail(shmErrno(m.flavor, "detach", "QSharedMemory::remove", err))
		}
		if err := unix.Unlink(m.nativeKey); err != nil && !errors.Is(err, unix.ENOENT) {
			return m.fail(shmErrno(m.flavor, "detach", "QSharedMemory::remove", err))
		}
	}
	return nil
}

// Close is QSharedMemory's destructor: detach if attached (6.6+: then clean a stale segment),
// and the lock semaphore removes itself if this object owns it. Unlike Qt, a lock this object
// still holds is released first.
func (m *sharedMemory) Close() error {
	var err error
	if m.mem != nil {
		err = m.Detach()
	}
	if m.lockedByMe {
		m.lockedByMe = false
		m.sem.modify(nil, "unlock", 1)
	}
	m.cleanHandle()
	m.sem.cleanHandle()
	return err
}

func withOp(e *backend.Error, op string) *backend.Error {
	c := *e
	c.Op = op
	return &c
}
