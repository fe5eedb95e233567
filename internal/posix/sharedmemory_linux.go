//go:build linux && !android

package posix

import (
	"context"
	"errors"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// SharedMemory is QSharedMemory with a PosixRealtime key (Qt 6.8's qsharedmemory.cpp and
// qsharedmemory_posix.cpp). It is used by one goroutine at a time.
//
// As in Qt: the segment is the file /dev/shm/NAME of shm_open(NAME); create opens it
// O_RDWR|O_CREAT|O_EXCL 0600, sizes it with ftruncate and closes it, then attaches; attach
// opens it O_RDONLY (0400) or O_RDWR (0600), takes the size from fstat and maps it MAP_SHARED,
// keeping the descriptor open while attached; detach unmaps and closes; nothing ever unlinks
// the segment (Qt does not on Linux; see RemoveStale). create, attach and detach run under the
// lock semaphore when the native key is not empty; errors carry Qt's codes and texts.
//
// Unlike Qt (docs/posix.md):
//   - create opens an existing lock as it is and takes its ownership; Qt unlinks and re-creates
//     it, so that holders of the old lock and of the new one run at once;
//   - after taking the lock it checks that the lock's name still names the semaphore it holds,
//     and starts over on the current one if a Qt create replaced it;
//   - Close unlinks an owned lock only while holding it and when no other process maps it;
//   - planted objects (symbolic links, non-regular files, other users' files) are refused;
//   - every lock wait honours its context, and one that ends while the lock looks abandoned
//     by a dead holder says so (ErrLockAbandoned; see RecoverLock);
//   - bad names and sizes are refused before anything is touched; a segment whose ftruncate
//     failed is removed (Qt leaves an empty file that blocks every later create);
//   - opens add O_NONBLOCK, so that a FIFO planted under the name cannot block them.
type SharedMemory struct {
	segName, lockName, legacy string
	segPath                   string
	foreign                   bool

	lock       lockSem
	fd         int // -1 when detached
	mem        []byte
	lockedByMe bool
	closed     bool
}

var _ backend.SharedMemory = (*SharedMemory)(nil)

// NewSharedMemory is QSharedMemory(QNativeIpcKey(segName, PosixRealtime)) whose lock is the
// semaphore lockName (the caller chooses it as Qt 6.6.1+ does: the segment's own name, or
// QSystemSemaphore::legacyNativeKey(legacyKey, PosixRealtime) for a key that records a legacy
// key; "" means segName). legacyKey is what Key returns. An empty segName is Qt's empty key:
// a valid object whose operations fail as Qt's do. A name glibc or Qt would reject gives a
// KeyError here, before anything is touched.
func NewSharedMemory(segName, lockName, legacyKey string, cfg backend.Config) (backend.SharedMemory, error) {
	m, e := newSharedMemory(segName, lockName, legacyKey, cfg)
	if e != nil {
		return nil, e
	}
	return m, nil
}

func newSharedMemory(segName, lockName, legacyKey string, cfg backend.Config) (*SharedMemory, *qtipc.Error) {
	m := &SharedMemory{segName: segName, lockName: lockName, legacy: legacyKey, foreign: cfg.AllowForeign, fd: -1}
	if segName == "" {
		return m, nil
	}
	if lockName == "" {
		m.lockName = segName
	}
	base, e := checkName("open", "segment", segName)
	if e != nil {
		return nil, e
	}
	m.segPath = shmDir + "/" + base
	if _, e := checkName("open", "semaphore", m.lockName); e != nil {
		return nil, e
	}
	p, err := psem.Path(m.lockName)
	if err != nil {
		return nil, semErrno("open", "QSystemSemaphore::handle", err)
	}
	m.lock = lockSem{name: m.lockName, path: p, foreign: cfg.AllowForeign}
	return m, nil
}

// Key is the legacy key the object was made for ("" for a plain native key).
func (m *SharedMemory) Key() string { return m.legacy }

// NativeKey is the segment's name.
func (m *SharedMemory) NativeKey() string { return m.segName }

// LockName is the lock semaphore's name.
func (m *SharedMemory) LockName() string { return m.lockName }

// Data is the mapping, nil when detached.
func (m *SharedMemory) Data() []byte { return m.mem }

func (m *SharedMemory) closedError(op string) error {
	return qtipc.Errorf(qtipc.KeyError, op, qtipc.ErrClosed, "QSharedMemory: object is closed")
}

// initKey is QSharedMemoryPrivate::initKey: point the lock at its name (own: create's Create
// mode, which here only takes ownership; see lockSem.open).
func (m *SharedMemory) initKey(op string, own bool) *qtipc.Error {
	if m.segName == "" {
		if own {
			return initKeyError(qtipc.Errorf(qtipc.KeyError, op, nil, "QSystemSemaphore::handle: key is empty"))
		}
		return nil // Qt: setNativeKey of the same empty key in Open mode does nothing
	}
	if e := m.lock.open(op, own); e != nil {
		return initKeyError(e)
	}
	return nil
}

// lockForOp is QSharedMemoryLocker + tryLocker around create, attach and detach. As in Qt, a
// lock the caller already holds counts, and the release at the end gives it up.
func (m *SharedMemory) lockForOp(ctx context.Context, op, function string) (release func(), e *qtipc.Error) {
	release = func() {
		if m.lockedByMe {
			m.lockedByMe = false
			m.lock.release(op, function)
		}
	}
	if m.segName == "" || m.lockedByMe {
		return release, nil
	}
	if e := m.lock.acquire(ctx, op, function); e != nil {
		return func() {}, e
	}
	m.lockedByMe = true
	return release, nil
}

// Create is QSharedMemory::create(size, mode). size ≤ 0 is refused (InvalidSize) before the
// lock is opened; Qt checks it under the lock.
func (m *SharedMemory) Create(ctx context.Context, size int, mode qtipc.AccessMode) error {
	const function = "QSharedMemory::create"
	if m.closed {
		return m.closedError("create")
	}
	if size <= 0 {
		return qtipc.Errorf(qtipc.InvalidSize, "create", nil, function+": create size is less then 0")
	}
	if e := m.initKey("create", true); e != nil {
		return e
	}
	release, e := m.lockForOp(ctx, "create", function)
	if e != nil {
		return e
	}
	defer release()
	if e := m.createSegment(size); e != nil {
		return e
	}
	if e := m.attachSegment("create", mode); e != nil {
		// Made under the lock a moment ago, so nobody can be attached to it: a segment that
		// cannot be mapped (a size the address space cannot hold) would block the key for good.
		unix.Unlink(m.segPath)
		return e
	}
	return nil
}

// createSegment is QSharedMemoryPosix::create.
func (m *SharedMemory) createSegment(size int) *qtipc.Error {
	fd, err := retryEINTR(func() (int, error) {
		return unix.Open(m.segPath, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0o600)
	})
	if err != nil {
		if errors.Is(err, unix.EEXIST) {
			// Say why when what exists is planted.
			if uid, ok, e := plantedObject("create", "segment", m.segPath); ok && !m.foreign {
				if e != nil {
					return e
				}
				if e := foreignOwner("create", "segment", m.segPath, uid); e != nil {
					return e
				}
			}
		}
		return shmOpenErrno("create", err)
	}
	if _, err := retryEINTR(func() (int, error) { return 0, unix.Ftruncate(fd, int64(size)) }); err != nil {
		e := shmErrno("create", "QSharedMemory::create (ftruncate)", err)
		unix.Close(fd)
		unix.Unlink(m.segPath) // we made it under the lock: nobody else has it yet
		return e
	}
	unix.Close(fd)
	return nil
}

// attachSegment is QSharedMemoryPosix::attach, refusing planted segments.
func (m *SharedMemory) attachSegment(op string, mode qtipc.AccessMode) *qtipc.Error {
	flags, perm, prot := unix.O_RDWR, uint32(0o600), unix.PROT_READ|unix.PROT_WRITE
	if mode == qtipc.ReadOnly {
		flags, perm, prot = unix.O_RDONLY, 0o400, unix.PROT_READ
	}
	fd, err := retryEINTR(func() (int, error) {
		return unix.Open(m.segPath, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, perm)
	})
	if err != nil {
		if errors.Is(err, unix.ELOOP) && !m.foreign {
			if _, _, e := plantedObject(op, "segment", m.segPath); e != nil {
				return e
			}
		}
		return shmOpenErrno(op, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return shmErrno(op, "QSharedMemory::attach (fstat)", err)
	}
	if !m.foreign {
		if st.Mode&unix.S_IFMT != unix.S_IFREG {
			unix.Close(fd)
			_, _, e := plantedObject(op, "segment", m.segPath)
			if e == nil {
				e = qtipc.Errorf(qtipc.PermissionDenied, op, unix.EPERM, "qtshm: the segment "+m.segPath+" is not a regular file; refusing it")
			}
			return e
		}
		if e := foreignOwner(op, "segment", m.segPath, st.Uid); e != nil {
			unix.Close(fd)
			return e
		}
	}
	mem, err := unix.Mmap(fd, 0, int(st.Size), prot, unix.MAP_SHARED)
	if err != nil || len(mem) == 0 {
		unix.Close(fd)
		if err == nil {
			err = unix.EINVAL
		}
		return shmErrno(op, "QSharedMemory::attach (mmap)", err)
	}
	m.fd, m.mem = fd, mem
	return nil
}

// Attach is QSharedMemory::attach(mode).
func (m *SharedMemory) Attach(ctx context.Context, mode qtipc.AccessMode) error {
	const function = "QSharedMemory::attach"
	if m.closed {
		return m.closedError("attach")
	}
	if m.mem != nil {
		return qtipc.Errorf(qtipc.UnknownError, "attach", nil, "qtshm: already attached")
	}
	if e := m.initKey("attach", false); e != nil {
		return e
	}
	release, e := m.lockForOp(ctx, "attach", function)
	if e != nil {
		return e
	}
	defer release()
	if m.segName == "" {
		return qtipc.Errorf(qtipc.KeyError, "attach", nil, "QSharedMemory::handle: key is empty")
	}
	if e := m.attachSegment("attach", mode); e != nil {
		return e
	}
	return nil
}

// Detach is QSharedMemory::detach: under the lock, munmap and close. The segment stays.
func (m *SharedMemory) Detach(ctx context.Context) error {
	if m.closed {
		return m.closedError("detach")
	}
	if m.mem == nil {
		return qtipc.Errorf(qtipc.NotFound, "detach", nil, "QSharedMemory::detach: not attached")
	}
	release, e := m.lockForOp(ctx, "detach", "QSharedMemory::detach")
	if e != nil {
		return e
	}
	defer release()
	return m.unmap()
}

func (m *SharedMemory) unmap() error {
	if err := unix.Munmap(m.mem); err != nil {
		return shmErrno("detach", "QSharedMemory::detach (munmap)", err)
	}
	m.mem = nil
	unix.Close(m.fd)
	m.fd = -1
	return nil
}

// Lock is QSharedMemory::lock: sem_wait on the lock, bounded by ctx (nil: no bound). It fails
// with LockError before create or attach opened the lock, as Qt's does. When ctx ends while
// the lock looks abandoned by a dead holder, the error says so and wraps ErrLockAbandoned.
func (m *SharedMemory) Lock(ctx context.Context) error {
	if m.closed {
		return m.closedError("lock")
	}
	if m.lockedByMe {
		return nil
	}
	if e := m.lock.acquire(ctx, "lock", "QSharedMemory::lock"); e != nil {
		return e
	}
	m.lockedByMe = true
	return nil
}

// Unlock is QSharedMemory::unlock.
func (m *SharedMemory) Unlock() error {
	if !m.lockedByMe {
		return qtipc.Errorf(qtipc.LockError, "unlock", nil, "QSharedMemory::unlock: not locked")
	}
	m.lockedByMe = false
	if e := m.lock.release("unlock", "QSharedMemory::unlock"); e != nil {
		return e
	}
	return nil
}

// Close is QSharedMemory's destructor: release a lock this object holds, detach if attached
// (bounded by ctx; if the lock cannot be had the segment is unmapped anyway and the error
// says so), and close the lock, unlinking it only under the rules of lockSem.close.
func (m *SharedMemory) Close(ctx context.Context) error {
	if m.closed {
		return nil
	}
	var err error
	if m.lockedByMe {
		m.lockedByMe = false
		m.lock.release("close", "QSharedMemory::unlock")
	}
	if m.mem != nil {
		if err = m.Detach(ctx); err != nil && m.mem != nil {
			m.unmap()
		}
	}
	m.lock.close(ctx)
	m.closed = true
	return err
}

// RecoverLock is the package's RecoverLock for this object's lock.
func (m *SharedMemory) RecoverLock(ctx context.Context, heldFor time.Duration) error {
	return RecoverLock(ctx, m.lockName, heldFor, backend.Config{AllowForeign: m.foreign})
}

func retryEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != unix.EINTR {
			return n, err
		}
	}
}
