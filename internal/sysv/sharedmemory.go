//go:build linux

package sysv

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// closeLockWait bounds how long Close waits for the lock before it removes a lock semaphore
// this object owns (see Close).
const closeLockWait = 2 * time.Second

// sharedMemory is QSharedMemory + QSharedMemoryPrivate with the SysV backend, for a QString key.
// The public package serialises the calls of different goroutines.
type sharedMemory struct {
	flavor    qtipc.Flavor
	foreign   bool
	key       string // the user key; "" is Qt's null key
	nativeKey string // <tmp>/qipc_sharedmemory_<letters><sha1>, fixed at construction like Qt's

	sem        *semaphore // the lock
	unixKey    int        // cached ftok key of nativeKey; 0 = none
	mem        []byte     // the mapping; nil when detached
	shmid      int        // the id of the segment mem maps
	lockedByMe bool

	// keyStat is the lstat of nativeKey that handle computed unixKey from, when keyStatOK:
	// attachSegment checks the file with it instead of another lstat.
	keyStat   unix.Stat_t
	keyStatOK bool

	// Native keys (Qt 6.6+ QNativeIpcKey, types 1..0xff): see newNativeSharedMemory.
	native     bool
	proj       int    // ftok project id: 'Q', or the key's type
	lockFile   string // the lock's key file
	lockShared bool   // lockFile is nativeKey (a plain native key)
}

var _ backend.SharedMemory = (*sharedMemory)(nil)

func newSharedMemory(key string, cfg backend.Config) *sharedMemory {
	dir := cfg.TempDir
	if dir == "" {
		dir = tempPath(cfg.Flavor)
	}
	return &sharedMemory{
		flavor:    cfg.Flavor,
		foreign:   cfg.AllowForeign,
		key:       key,
		nativeKey: qtkey.SysV(key, qtkey.SharedMemoryPrefix, dir),
		sem:       newSemaphoreObject(semConfig{flavor: cfg.Flavor, tempDir: cfg.TempDir, foreign: cfg.AllowForeign, isLock: true}),
		proj:      ipc.ProjQ,
	}
}

// newNativeSharedMemory is QSharedMemory(const QNativeIpcKey &) for a System V key (type
// 1..0xff), which only Qt 6.6+ has: the flavour is Qt 6.6.1+ whatever cfg says. The key file is
// k.Native and the ftok project id k.Type. The lock, as in Qt 6.6.1+: a key that records a
// legacy key locks QSystemSemaphore::legacyNativeKey(legacy, type), the qipc_systemsem_ file of
// the legacy key in the temp directory (cfg.TempDir, else QDir::tempPath()); a plain native key
// locks a semaphore keyed from the same file with the same project id.
func newNativeSharedMemory(k nativekey.Key, cfg backend.Config) *sharedMemory {
	cfg.Flavor = qtipc.FlavorQt661
	m := newSharedMemory("", cfg)
	m.key, m.nativeKey, m.native, m.proj = k.Legacy, k.Native, true, int(k.Type)
	m.lockFile, m.lockShared = k.Native, true
	if k.Legacy != "" {
		dir := cfg.TempDir
		if dir == "" {
			dir = tempPath(cfg.Flavor)
		}
		m.lockFile, m.lockShared = qtkey.SysV(k.Legacy, qtkey.SemaphorePrefix, dir), false
	}
	return m
}

// lockless reports whether the key is empty, so that Qt takes no lock around create, attach and
// detach: ≤6.5 tests the (legacy) key, 6.6+ the native key.
func (m *sharedMemory) lockless() bool {
	if m.native {
		return m.nativeKey == ""
	}
	return m.key == ""
}

// removeKeyFile unlinks the segment's key file after the segment was removed, as Qt does. A
// native key file may be any file, even one the user cares about (Qt unlinks it all the same):
// we unlink it only if it is an empty regular file, which is what Qt and we make.
//
// The file of a plain native key also keys its lock. While a lock set keyed from it exists,
// the file stays (Qt unlinks it): the next creator would make a new file, a new ftok key and
// so a second lock, while the processes that keep the old set's handle lock that one.
func (m *sharedMemory) removeKeyFile() (removed bool, err error) {
	if m.native {
		var st unix.Stat_t
		if unix.Lstat(m.nativeKey, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size != 0 {
			return false, nil
		}
		if m.lockShared {
			if key, err := ipc.Ftok(m.nativeKey, m.proj); err == nil {
				if _, err := ipc.Semget(key, 1, 0); err == nil || !errors.Is(err, unix.ENOENT) {
					return false, nil
				}
			}
		}
	}
	if err := unix.Unlink(m.nativeKey); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func (m *sharedMemory) Key() string       { return m.key }
func (m *sharedMemory) NativeKey() string { return m.nativeKey }
func (m *sharedMemory) Data() []byte      { return m.mem }

func (m *sharedMemory) qt66() bool { return m.flavor.Qt66() }

// initKey is QSharedMemoryPrivate::initKey: forget the cached handle, then point the lock
// semaphore at qipc_systemsem_<key>. own makes this object the lock's owner (create does) without
// resetting an existing lock. Qt 6.6+ also removes a stale segment here; we do that under the
// lock instead (removeStaleLocked).
func (m *sharedMemory) initKey(own bool) *qtipc.Error {
	m.unixKey = 0
	m.sem.mu.Lock()
	var se *qtipc.Error
	if m.native {
		m.sem.setNativeKey(m.lockFile, m.proj, m.lockShared, 1, qtipc.Open, own)
		se = m.sem.err
	} else if m.qt66() {
		m.sem.setKey(m.key, 1, qtipc.Open, own)
		se = m.sem.err
	} else {
		if s := m.sem; m.key != "" && m.key == s.key && s.reopenable() && s.keptKeyFile() {
			// Qt's re-open (below) would land on the set this object has open: one lstat
			// instead of resolving the temp directory and then lstat-ing the key file.
			s.err = nil
			s.keep()
		} else if m.key != "" && m.key == s.key && s.reopenable() && s.sameKeyFileName() {
			// Qt tears the lock down and opens it again here (setKey(QString()), then
			// setKey(key)): for a lock this object does not own, that is reopen.
			s.err = nil
			s.reopen(qtipc.Open, false)
		} else {
			m.sem.setKey("", 1, qtipc.Open, false)
			m.sem.setKey(m.key, 1, qtipc.Open, false)
		}
		se = m.sem.err
		if own && se == nil {
			// Qt: "Take ownership and force set initialValue because the semaphore might have
			// already existed from a previous crash." We take ownership only: resetting a lock
			// that another process holds breaks mutual exclusion, and an abandoned lock is
			// freed by SEM_UNDO or recovered by recoverUninitialised. Qt ignores the result of
			// this call (its error stays in the semaphore, as here).
			m.sem.setKey(m.key, 1, qtipc.Open, true)
		}
	}
	m.sem.mu.Unlock()
	if se != nil {
		msg := "QSharedMemoryPrivate::initKey: unable to set key on lock"
		if m.qt66() {
			msg += " (" + se.Msg + ")"
		}
		code := se.Code
		if code == qtipc.LockError || code == qtipc.InvalidSize {
			code = qtipc.UnknownError
		}
		if code == qtipc.PermissionDenied && se.Err == unix.EPERM {
			msg = se.Msg // our refusal of another user's object: say why
		}
		return qtipc.Errorf(code, se.Op, se.Err, msg)
	}
	return nil
}

// removeStaleLocked is the stale-segment removal of Qt 6.6+'s QSharedMemoryPrivate::cleanHandle:
// it removes the segment of the cached key and its key file when nobody is attached. Qt runs it
// without the lock; we run it only while holding the lock, so that it cannot remove a segment a
// creator is setting up.
func (m *sharedMemory) removeStaleLocked(unixKey int) {
	if unixKey == 0 {
		return
	}
	id, err := ipc.Shmget(unixKey, 0, 0o400)
	if err != nil {
		return
	}
	st, err := ipc.ShmStat(id)
	if err != nil || st.Nattch != 0 || (!m.foreign && foreignOwner("segment", st.Perm.Uid, st.Perm.Cuid) != nil) {
		return
	}
	if ipc.ShmRemove(id) == nil {
		m.removeKeyFile()
	}
}

// handle is QSharedMemoryPrivate::handle: the ftok key of the native key file. Qt ≤ 6.5 first
// tests that the file exists (access), then ftok stats it; one lstat does both here (a stat
// when the file is a symbolic link, which ftok follows). The lstat is kept for attachSegment.
func (m *sharedMemory) handle(op string) (int, *qtipc.Error) {
	m.keyStatOK = false
	if m.unixKey != 0 {
		return m.unixKey, nil
	}
	if m.nativeKey == "" {
		return 0, qtipc.Errorf(qtipc.KeyError, op, nil, "QSharedMemory::handle:: key is empty")
	}
	st := &m.keyStat
	err := unix.Lstat(m.nativeKey, st)
	regular := err == nil && st.Mode&unix.S_IFMT == unix.S_IFREG
	if err == nil && !regular {
		err = unix.Stat(m.nativeKey, st)
	}
	if err != nil {
		if !m.qt66() {
			return 0, qtipc.Errorf(qtipc.NotFound, op, unix.ENOENT, "QSharedMemory::handle:: UNIX key file doesn't exist")
		}
		return 0, shmErrno(m.flavor, op, "QSharedMemory::handle", err)
	}
	m.unixKey, m.keyStatOK = ftokOf(st, m.proj), regular
	return m.unixKey, nil
}

// Lock is QSharedMemory::lock. The public package never calls it while the lock is held.
func (m *sharedMemory) Lock(ctx context.Context) error {
	if m.lockedByMe {
		return nil
	}
	if e := m.sem.modify(ctx, "lock", -1); e != nil {
		return qtipc.Errorf(qtipc.LockError, "lock", lockCause(e), "QSharedMemory::lock: unable to lock")
	}
	m.lockedByMe = true
	return nil
}

// lockCause is what a lock failure wraps: the context error or errno, else the semaphore error.
func lockCause(e *qtipc.Error) error {
	if e.Err != nil {
		return e.Err
	}
	return e
}

// Unlock is QSharedMemory::unlock.
func (m *sharedMemory) Unlock() error {
	if !m.lockedByMe {
		return qtipc.Errorf(qtipc.LockError, "unlock", nil, "QSharedMemory::unlock: not locked")
	}
	m.lockedByMe = false
	if e := m.sem.modify(context.Background(), "unlock", 1); e != nil {
		return qtipc.Errorf(qtipc.LockError, "unlock", lockCause(e), "QSharedMemory::unlock: unable to unlock")
	}
	return nil
}

// lockForOp is QSharedMemoryLocker + tryLocker around create/attach/detach: it takes the lock
// when the key is set, bounded by ctx; the release it returns unlocks.
func (m *sharedMemory) lockForOp(ctx context.Context, op, function string) (release func(), err *qtipc.Error) {
	if e := m.lockOp(ctx, op, function); e != nil {
		return func() {}, e
	}
	return m.unlockOp, nil
}

// lockOp is lockForOp for a caller that unlocks with unlockOp (a deferred method call, which
// allocates nothing, where lockForOp's release is a closure).
func (m *sharedMemory) lockOp(ctx context.Context, op, function string) *qtipc.Error {
	if m.lockless() || m.lockedByMe {
		return nil
	}
	if e := m.sem.modify(ctx, "lock", -1); e != nil {
		return qtipc.Errorf(qtipc.LockError, op, lockCause(e), function+": unable to lock")
	}
	m.lockedByMe = true
	return nil
}

// unlockOp releases the lock lockOp took (or that the caller held: Qt's QSharedMemoryLocker
// releases that too).
func (m *sharedMemory) unlockOp() {
	if m.lockedByMe {
		m.lockedByMe = false
		m.sem.modify(context.Background(), "unlock", 1)
	}
}

// Create is QSharedMemory::create. The public package has checked size and that this object is
// not attached.
func (m *sharedMemory) Create(ctx context.Context, size int, mode qtipc.AccessMode) error {
	const function = "QSharedMemory::create"
	stale := m.unixKey
	if e := m.initKey(true); e != nil {
		return e.WithOp("create")
	}
	if e := m.lockOp(ctx, "create", function); e != nil {
		return e
	}
	defer m.unlockOp()
	if m.qt66() {
		m.removeStaleLocked(stale)
	}
	if e := m.createSegment(size); e != nil {
		return e
	}
	return nilIfOK(m.attachSegment(mode))
}

func nilIfOK(e *qtipc.Error) error {
	if e == nil {
		return nil
	}
	return e
}

// createSegment is QSharedMemoryPrivate::create (SysV).
func (m *sharedMemory) createSegment(size int) *qtipc.Error {
	var st unix.Stat_t
	created, stated, err := createKeyFile(m.nativeKey, &st)
	if err != nil {
		return qtipc.Errorf(qtipc.KeyError, "create", err, "QSharedMemory::handle:: unable to make key")
	}
	if !created {
		if e := checkKeyFile(m.nativeKey, m.foreign); e != nil {
			return e.WithOp("create")
		}
	}
	if created && stated {
		// handle, from the file this call made: O_EXCL made it a regular file of ours (never
		// a symbolic link), and its fstat is what ftok would read.
		m.unixKey, m.keyStat, m.keyStatOK = ftokOf(&st, m.proj), st, true
	} else if _, e := m.handle("create"); e != nil {
		if created {
			unix.Unlink(m.nativeKey)
		}
		return e
	}
	if _, err := ipc.Shmget(m.unixKey, size, 0o600|ipc.IPC_CREAT|ipc.IPC_EXCL); err != nil {
		var e *qtipc.Error
		switch {
		case errors.Is(err, unix.EINVAL):
			e = qtipc.Errorf(qtipc.InvalidSize, "create", err, "QSharedMemory::handle: system-imposed size restrictions")
		case errors.Is(err, unix.EEXIST):
			e = shmErrno(m.flavor, "create", "QSharedMemory::create", err)
			if fe := m.checkSegmentOwner(); fe != nil {
				e = fe.WithOp("create")
			}
		default:
			e = shmErrno(m.flavor, "create", "QSharedMemory::create", err)
		}
		if created && e.Code != qtipc.AlreadyExists {
			unix.Unlink(m.nativeKey)
		}
		return e
	}
	return nil
}

// checkSegmentOwner refuses the existing segment of m.unixKey when it belongs to another user.
func (m *sharedMemory) checkSegmentOwner() *qtipc.Error {
	if m.foreign {
		return nil
	}
	id, err := ipc.Shmget(m.unixKey, 0, 0)
	if err != nil {
		return nil // gone, or the kernel refuses it anyway
	}
	st, err := ipc.ShmStat(id)
	if err != nil {
		return nil
	}
	return foreignOwner("segment", st.Perm.Uid, st.Perm.Cuid)
}

// attachSegment is QSharedMemoryPrivate::attach (SysV), refusing a segment of another user.
func (m *sharedMemory) attachSegment(mode qtipc.AccessMode) *qtipc.Error {
	perm, flags := 0o600, 0
	if mode == qtipc.ReadOnly {
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
	var size uint64 // unknown: Shmat reads it
	if !m.foreign {
		me := uint32(os.Geteuid()) // one geteuid for both checks
		var e *qtipc.Error
		if m.keyStatOK {
			e = checkKeyFileStat(m.nativeKey, &m.keyStat, me) // handle's lstat, moments ago
		} else {
			e = checkKeyFile(m.nativeKey, false)
		}
		if e != nil {
			return e.WithOp("attach")
		}
		if st, err := ipc.ShmStat(id); err == nil {
			if st.Perm.Uid != me || st.Perm.Cuid != me {
				if e := foreignOwner("segment", st.Perm.Uid, st.Perm.Cuid); e != nil {
					return e.WithOp("attach")
				}
			}
			size = st.Segsz
		}
	}
	m.keyStatOK = false
	mem, err := ipc.ShmatSize(id, flags, size)
	if err != nil {
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOMEM) {
			return shmErrno(m.flavor, "attach", "QSharedMemory::attach (shmat)", err)
		}
		// Without a known size ShmatSize maps and then stats; a failed stat comes back after
		// the mapping was undone.
		return shmErrno(m.flavor, "attach", "QSharedMemory::attach (shmctl)", err)
	}
	m.mem, m.shmid = mem, id
	return nil
}

// Attach is QSharedMemory::attach. The public package has checked that this object is not
// attached.
func (m *sharedMemory) Attach(ctx context.Context, mode qtipc.AccessMode) error {
	const function = "QSharedMemory::attach"
	stale := m.unixKey
	if e := m.initKey(false); e != nil {
		return e.WithOp("attach")
	}
	if e := m.lockOp(ctx, "attach", function); e != nil {
		return e
	}
	defer m.unlockOp()
	if m.qt66() {
		m.removeStaleLocked(stale)
	}
	if _, e := m.handle("attach"); e != nil {
		return e
	}
	return nilIfOK(m.attachSegment(mode))
}

// Detach is QSharedMemory::detach. The public package has checked that this object is attached.
func (m *sharedMemory) Detach(ctx context.Context) error {
	if e := m.lockOp(ctx, "detach", "QSharedMemory::detach"); e != nil {
		return e
	}
	defer m.unlockOp()
	return m.detachSegment()
}

// detachSegment is QSharedMemoryPrivate::detach (SysV): unmap, and remove the segment and its
// key file when this was the last attachment. Qt looks the segment up again by its key
// (shmget) to count the attachments; the id of the segment it mapped is that one, and it stays
// so, unlike the key's: if the segment was removed and another made under the key meanwhile,
// Qt would count, and remove, the new one.
func (m *sharedMemory) detachSegment() error {
	if err := ipc.Shmdt(m.mem); err != nil {
		if errors.Is(err, unix.EINVAL) {
			return qtipc.Errorf(qtipc.NotFound, "detach", err, "QSharedMemory::detach: not attached")
		}
		return shmErrno(m.flavor, "detach", "QSharedMemory::detach", err)
	}
	m.mem = nil
	id := m.shmid
	m.unixKey = 0
	st, err := ipc.ShmStat(id)
	if err != nil {
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
			return nil // already removed
		}
		return shmErrno(m.flavor, "detach", "QSharedMemory::detach", err)
	}
	if st.Nattch == 0 {
		if err := ipc.ShmRemove(id); err != nil {
			if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM) {
				return nil
			}
			return shmErrno(m.flavor, "detach", "QSharedMemory::remove", err)
		}
		if _, err := m.removeKeyFile(); err != nil {
			return shmErrno(m.flavor, "detach", "QSharedMemory::remove", err)
		}
	}
	return nil
}

// Close is QSharedMemory's destructor: detach if attached (6.6+: then clean a stale segment),
// and remove the lock semaphore if this object owns it. Unlike Qt:
//   - a lock this object still holds is released first;
//   - the lock waits are bounded by ctx (nil: no bound for the detach). If the detach cannot
//     get the lock in time, the segment is unmapped anyway and its removal is left to the
//     last process to detach (or to RemoveStale), and the error says so;
//   - an owned lock semaphore is removed only while this object holds the lock (waiting at most
//     closeLockWait). Qt removes it even while another process holds it, which lets a third
//     process in. If the lock cannot be had, the semaphore is left in place.
func (m *sharedMemory) Close(ctx context.Context) error {
	var err error
	if m.mem != nil {
		if err = m.Detach(ctx); err != nil && m.mem != nil {
			ipc.Shmdt(m.mem)
			m.mem = nil
		}
	}
	if m.lockedByMe {
		m.lockedByMe = false
		m.sem.modify(context.Background(), "unlock", 1)
	}
	stale := m.unixKey
	m.unixKey = 0
	m.sem.mu.Lock()
	owner := m.sem.createdSem && m.sem.id != -1
	m.sem.mu.Unlock()
	if owner || (m.qt66() && stale != 0) {
		lctx, cancel := context.WithTimeout(ctx, closeLockWait)
		locked := m.sem.modify(lctx, "lock", -1) == nil
		cancel()
		if locked && m.qt66() {
			m.removeStaleLocked(stale)
		}
		m.sem.mu.Lock()
		owner = m.sem.createdSem
		if !locked && owner {
			// Leave an owned lock in place rather than remove it from under its holder.
			m.sem.createdSem, m.sem.createdFile = false, false
		}
		m.sem.holding = locked && owner
		m.sem.mu.Unlock()
		if locked && !owner {
			m.sem.modify(context.Background(), "unlock", 1)
		}
		// An owner that holds the lock removes the set below, lock and all.
	}
	m.sem.close()
	return err
}
