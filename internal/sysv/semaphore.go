//go:build linux

package sysv

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// waitSlice bounds how long one semtimedop waits. Between slices the waiter checks its context
// and whether the set it waits on was left uninitialised (see recoverUninitialised), so that
// no wait depends on a set nobody will ever release.
const waitSlice = 100 * time.Millisecond

// uninitGrace is how long a lock set must stay at value 0 with no semop ever done on it before
// it is taken as abandoned by a creator that never initialised it.
const uninitGrace = time.Second

// maxRecreate bounds Qt's "semaphore was removed: re-open and retry" loop, which Qt runs without
// a bound (by recursion), for a release and for one open. A take (a lock, an acquire) retries
// until its context ends instead, backing off after maxRecreate quick retries (see modify).
const maxRecreate = 64

// maxSemValue is SEMVMX, the largest value a System V semaphore holds and the largest sem_op.
const maxSemValue = 32767

// semaphore is QSystemSemaphorePrivate with the SysV backend.
//
// mu guards every field; it is never held across a blocking semop, so that Acquire and
// Release of one object may run in different goroutines.
type semaphore struct {
	mu       sync.Mutex
	flavor   qtipc.Flavor
	tempDir  string // "" = QDir::tempPath() when the key is set
	foreign  bool   // accept objects of other users
	isLock   bool   // QSharedMemory's lock: initial value 1, uninitialised sets are recovered
	noUndo   bool   // semop without SEM_UNDO (backend.Config.NoUndo)
	key      string // the user (legacy) key; "" is Qt's null key
	fileName string // the key file, <tmp>/qipc_systemsem_<letters><sha1>
	initial  int
	keySet   bool // 6.6+: setKey was called at least once
	closed   bool

	unixKey     int // -1 = not made yet
	id          int // -1 = none
	createdFile bool
	createdSem  bool
	err         *qtipc.Error // Qt's error()/errorString() after the last operation

	uninitSince time.Time // when the set was first seen uninitialised; zero = not seen
	holding     bool      // the caller holds the lock set: cleanHandle may remove it as it is
	keyOfID     int       // the ftok key id was opened with

	// The key file id was opened from (what ftok read: device and inode, and its owner), when
	// known; see stillOpen.
	fileDev, fileIno uint64
	fileUid          uint32
	fileKnown        bool
	lookup           keyFileLookup // how fileName was derived (legacy keys); see keptKeyFile

	// Native System V keys (Qt 6.6+ QNativeIpcKey): the key file is given, not derived.
	proj       int  // ftok project id: 'Q', or the key's type for a native key
	native     bool // fileName is a native key: never derived, and unlinked only if we made it
	sharedFile bool // the file also keys a segment (a plain native key's lock): kept while it exists
}

func newSemaphoreObject(cfg semConfig) *semaphore {
	return &semaphore{flavor: cfg.flavor, tempDir: cfg.tempDir, foreign: cfg.foreign, isLock: cfg.isLock, noUndo: cfg.noUndo, unixKey: -1, id: -1, proj: ipc.ProjQ}
}

type semConfig struct {
	flavor  qtipc.Flavor
	tempDir string
	foreign bool
	isLock  bool
	noUndo  bool // backend.Config.NoUndo
}

// setKey is QSystemSemaphore::setKey (≤6.5) / setNativeKey with a legacy key (6.6+). own makes
// the object the set's owner without the SETVAL that Qt's Create mode does (see handle).
func (s *semaphore) setKey(key string, initial int, mode qtipc.SemaphoreMode, own bool) {
	if s.flavor.Qt66() {
		// 6.6+ recomputes the legacy native key each time (the temp dir may have changed).
		// A new QSystemSemaphore's key is a default QNativeIpcKey, which equals no legacy key, not
		// even the empty one: the first call always opens (and reports an empty key).
		if s.keySet && key == s.key && mode == qtipc.Open && !own && !s.createdSem && !s.createdFile && s.keptKeyFile() {
			// The name may have changed only to one that reaches the same file (a hard link or
			// a bind mount): Qt's re-open would then land on this set again, and for an object
			// that made neither the set nor the file its cleanHandle only forgets.
			return
		}
		fileName, lookup := s.keyFileName(key)
		if s.keySet && key == s.key && fileName == s.fileName && mode == qtipc.Open && !own {
			s.lookup = lookup
			return
		}
		s.err = nil
		s.cleanHandle()
		s.key, s.fileName, s.initial, s.keySet, s.lookup = key, fileName, initial, true, lookup
		s.handle(mode, own)
		return
	}
	if key == s.key && mode == qtipc.Open && !own {
		return
	}
	s.err = nil
	// Qt ≤6.5's "optimization to not destroy/create the file & semaphore".
	if key == s.key && (mode == qtipc.Create || own) && s.createdSem && s.createdFile {
		s.initial = initial
		s.unixKey = -1
		s.handle(mode, own)
		return
	}
	if key == s.key && s.reopenable() && s.sameKeyFileName() {
		// Qt cleans the handle and re-opens: see reopen.
		s.initial = initial
		s.reopen(mode, own)
		return
	}
	s.cleanHandle()
	s.key, s.initial = key, initial
	s.fileName, s.lookup = s.keyFileName(key)
	s.handle(mode, own)
}

// sameKeyFileName reports whether keyFileName(s.key) would give s.fileName again (legacy
// keys): the key is the same, so only the temp directory can have changed — Qt computes it
// again each time, from $TMPDIR and where that path resolves to. When it does, the lookup is
// recorded anew (a $TMPDIR spelled differently may give the same name), so that the next
// keptKeyFile can answer.
func (s *semaphore) sameKeyFileName() bool {
	if s.native {
		return false
	}
	name, lookup := s.keyFileName(s.key)
	if name != s.fileName {
		return false
	}
	s.lookup = lookup
	return true
}

// reopenable reports whether this object has a set open that it does not own. For such an
// object Qt's cleanHandle only forgets the handle, and the re-open that follows (handle) lands
// on the same set again as long as stillOpen holds, with the same state: reopen then skips it.
func (s *semaphore) reopenable() bool {
	return !s.createdSem && s.id != -1 && s.unixKey != -1
}

// reopen is cleanHandle followed by handle(mode, own) for a reopenable object: the handle is
// kept while stillOpen holds (Qt ≤ 6.5 re-opens its lock on every QSharedMemory create and
// attach, five to seven system calls that change nothing), else forgotten and opened anew.
func (s *semaphore) reopen(mode qtipc.SemaphoreMode, own bool) {
	s.unixKey = -1
	s.handle(mode, own)
}

// keep is reopen(Open, false) for a reopenable object whose keptKeyFile holds: the handle
// stays, in the state an open that found the file leaves (as in handle when stillOpen holds).
// Whether the set still exists is left to the semop that follows, as for any plain open.
func (s *semaphore) keep() {
	s.unixKey = s.keyOfID
	s.createdFile = false
}

// setNativeKey is QSystemSemaphore::setNativeKey (Qt 6.6+) with a native System V key: fileName
// is the key file as given, proj the ftok project id (the key's type). sharedFile marks the lock
// of a plain native QSharedMemory key, whose file is the segment's too.
func (s *semaphore) setNativeKey(fileName string, proj int, sharedFile bool, initial int, mode qtipc.SemaphoreMode, own bool) {
	if s.keySet && s.native && fileName == s.fileName && proj == s.proj && mode == qtipc.Open && !own && s.sameFile() {
		return
	}
	s.err = nil
	s.cleanHandle()
	s.key, s.fileName, s.proj, s.initial, s.keySet, s.lookup = fileName, fileName, proj, initial, true, keyFileLookup{}
	s.native, s.sharedFile = true, sharedFile
	s.handle(mode, own)
}

// sameFile reports whether the key file still gives the ftok key of the set this object has
// open (or no set is open). A Qt process that removes a native key's segment unlinks the file,
// and the next creator makes a new one: a new inode, a new ftok key and a new lock set, which
// an object keeping the old handle would not see.
func (s *semaphore) sameFile() bool {
	if s.id == -1 {
		return true
	}
	k, err := ipc.Ftok(s.fileName, s.proj)
	return err == nil && k == s.keyOfID
}

// handle is QSystemSemaphorePrivate::handle, made safe (docs/qt-semantics.md#semaphore-handle):
//
//   - Qt opens an existing set with semget(IPC_CREAT) after semget(IPC_CREAT|IPC_EXCL) failed
//     with EEXIST. If the set is removed in between, that second call creates a new set that
//     nobody initialises (value 0 forever: every process hangs). We open with semget(0600) and
//     start over on ENOENT, so we never create a set we do not initialise.
//   - mode Create resets the value (SETVAL), as in Qt. own takes ownership like Create but
//     never resets a set that exists: QSharedMemory's create uses it, so that it does not
//     break the mutual exclusion of a lock another process holds.
//   - Key files and sets of another user are refused unless the object allows it.
func (s *semaphore) handle(mode qtipc.SemaphoreMode, own bool) (int, *qtipc.Error) {
	if s.unixKey != -1 {
		return s.unixKey, nil
	}
	fail := func(e *qtipc.Error) (int, *qtipc.Error) { s.err = e; return -1, e }
	if s.closed {
		return fail(qtipc.Errorf(qtipc.KeyError, "open", qtipc.ErrClosed, "QSystemSemaphore: object is closed"))
	}
	if s.key == "" {
		return fail(qtipc.Errorf(qtipc.KeyError, "open", nil, "QSystemSemaphore::handle:: key is empty"))
	}
	if s.id != -1 {
		// Asked to open the set this object has open (reopen, and Qt ≤ 6.5's "optimization"
		// in setKey): keep it while it is still the one the key file opens. A plain open
		// (QSharedMemory's attach) does not ask whether the set still exists: the semop that
		// follows it finds out, and modify then opens the key's set anew, as this would. One that
		// takes ownership or resets the value does ask, so that it never owns or sets a removed set.
		if s.stillOpen(mode == qtipc.Create || own) {
			s.unixKey = s.keyOfID
			if !s.createdSem {
				s.createdFile = false // as after cleanHandle and an open that found the file
			}
			if mode == qtipc.Create || own {
				s.createdSem = true
				s.createdFile = !s.native || s.createdFile
			}
			if s.initial >= 0 && mode == qtipc.Create {
				if _, err := ipc.Semctl(s.id, 0, ipc.SETVAL, s.initial); err != nil {
					e := semErrno(s.flavor, "open", s.function(), err)
					s.cleanHandle()
					return fail(e)
				}
			}
			return s.unixKey, nil
		}
		if !s.createdSem {
			// What cleanHandle does for a set this object does not own.
			s.forget()
			s.createdFile, s.holding = false, false
		}
	}
	for attempt := 0; ; attempt++ {
		retry, created, e := s.open(attempt < maxRecreate)
		if e != nil {
			return fail(e)
		}
		if retry {
			continue
		}
		if mode == qtipc.Create || own {
			s.createdSem = true
			s.createdFile = !s.native || s.createdFile
		}
		if s.initial >= 0 && (created || mode == qtipc.Create) {
			if _, err := ipc.Semctl(s.id, 0, ipc.SETVAL, s.initial); err != nil {
				if created && attempt < maxRecreate && (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM)) {
					// A waiter took our new set for abandoned and removed it (we were slow to
					// initialise it): make another.
					s.createdSem, s.createdFile = false, false
					s.forget()
					continue
				}
				e := semErrno(s.flavor, "open", s.function(), err)
				s.cleanHandle()
				return fail(e)
			}
		}
		return s.unixKey, nil
	}
}

// open is one attempt of handle's key file, ftok and semget steps. It asks for a retry (when
// canRetry) where another process changed things under it: the key file vanished before ftok,
// the set vanished before we looked at it, or the key file was replaced (new inode, so a new
// ftok key) after we computed the key. Qt uses the stale key then; two processes can so end up
// on two different sets for one key, which breaks the lock.
func (s *semaphore) open(canRetry bool) (retry, created bool, e *qtipc.Error) {
	var st unix.Stat_t
	built, stated, err := createKeyFile(s.fileName, &st)
	if err != nil {
		return false, false, qtipc.Errorf(qtipc.KeyError, "open", err, "QSystemSemaphore::handle:: unable to make key")
	}
	s.createdFile = built
	var key int
	if stated {
		key = ftokOf(&st, s.proj) // the stat that found the file is the one ftok would make
	} else {
		key, err = ipc.Ftok(s.fileName, s.proj)
	}
	if err != nil {
		if canRetry && errors.Is(err, unix.ENOENT) {
			return true, false, nil
		}
		if s.flavor.Qt66() {
			return false, false, semErrno(s.flavor, "open", "QSystemSemaphore::handle", err)
		}
		return false, false, qtipc.Errorf(qtipc.KeyError, "open", err, "QSystemSemaphore::handle:: ftok failed")
	}
	s.unixKey = key
	id, created, err := openSet(key)
	if err != nil {
		e := semErrno(s.flavor, "open", s.function(), err)
		s.cleanHandle()
		return false, false, e
	}
	s.id, s.keyOfID, s.fileKnown = id, key, false
	if created {
		s.createdSem = true
		// Qt: "Force cleanup of file, it is possible that it can be left over from a crash".
		// A native key file may be any file (Qt's docs warn against existing ones, but Qt
		// unlinks them all the same): we unlink one only if this object made it.
		s.createdFile = !s.native || s.createdFile
	}
	now, found, e := s.checkOwner(created)
	if e != nil {
		if canRetry && (errors.Is(e, unix.EINVAL) || errors.Is(e, unix.EIDRM)) {
			s.forget()
			return true, false, nil
		}
		if created {
			// Never initialised, so nobody can hold it: remove it at once.
			ipc.Semctl(id, 0, ipc.IPC_RMID, 0)
		}
		s.createdSem, s.createdFile = false, false // never unlink another user's file
		s.forget()
		return false, false, e
	}
	// The key file as it is now (checkOwner's lstat, else a stat): if it was replaced, it gives
	// another ftok key than the one the set was opened with.
	if !found {
		err = unix.Stat(s.fileName, &now)
	}
	same := err == nil && ftokOf(&now, s.proj) == key
	if canRetry && !same {
		// The key file was replaced: drop the set of the old key (ours only if we just made it).
		if created {
			ipc.Semctl(id, 0, ipc.IPC_RMID, 0)
		}
		s.createdSem, s.createdFile = false, false
		s.forget()
		return true, false, nil
	}
	if same && now.Mode&unix.S_IFMT == unix.S_IFREG {
		s.fileDev, s.fileIno, s.fileUid, s.fileKnown = uint64(now.Dev), uint64(now.Ino), now.Uid, true
	}
	return false, created, nil
}

// openSet creates the one-semaphore set for key exclusively, or opens the existing one; it
// never creates a set with plain IPC_CREAT.
func openSet(key int) (id int, created bool, err error) {
	for attempt := 0; ; attempt++ {
		id, err := ipc.Semget(key, 1, 0o600|ipc.IPC_CREAT|ipc.IPC_EXCL)
		if err == nil {
			return id, true, nil
		}
		if !errors.Is(err, unix.EEXIST) {
			return -1, false, err
		}
		id, err = ipc.Semget(key, 1, 0o600)
		if err == nil {
			return id, false, nil
		}
		if !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.EIDRM) || attempt >= maxRecreate {
			return -1, false, err
		}
		// Removed between the two calls: try to create it again.
	}
}

// checkOwner refuses a key file or a set that belongs to another user
// (docs/qt-semantics.md#hazards-in-qt-itself). A set this object just created is ours. found
// reports that st holds the key file's lstat (made unless the object accepts foreign objects).
func (s *semaphore) checkOwner(created bool) (st unix.Stat_t, found bool, e *qtipc.Error) {
	if s.foreign {
		return st, false, nil
	}
	if s.fileName != "" && unix.Lstat(s.fileName, &st) == nil {
		found = true
		if e := checkKeyFileStat(s.fileName, &st, uint32(os.Geteuid())); e != nil {
			return st, found, e
		}
	}
	if created {
		return st, found, nil
	}
	ds, err := ipc.Semstat(s.id)
	if err != nil {
		return st, found, semErrno(s.flavor, "open", s.function(), err)
	}
	return st, found, foreignOwner("semaphore set", ds.Uid, ds.Cuid)
}

// stillOpen reports whether the set this object has open is the one its key file opens now:
// the key file is still the file it was opened from (the same device and inode, so the same
// ftok key), a regular file with the owner it had then (checkOwner accepted it), and, when
// checkSet, the set still exists (GETVAL answers). The kernel never gives a live set's key to
// another set, and an id is not reused within any realistic time, so a re-open would return the
// same id; one lstat (and one semctl) replace it. The set's owner is not looked at again: only
// its owner or root can change it (IPC_SET), as between any two Lock calls, which use the
// handle too.
func (s *semaphore) stillOpen(checkSet bool) bool {
	if s.id == -1 || !s.fileKnown {
		return false
	}
	var st unix.Stat_t
	if unix.Lstat(s.fileName, &st) != nil || !s.isOpenedFile(&st) {
		return false
	}
	if !checkSet {
		return true
	}
	_, err := ipc.Semctl(s.id, 0, ipc.GETVAL, 0)
	return err == nil
}

// function is the label Qt puts on semget/SETVAL failures: "QSystemSemaphore::handle" in every
// version (docs/qt-semantics.md#error-texts).
func (s *semaphore) function() string { return "QSystemSemaphore::handle" }

// cleanHandle is QSystemSemaphorePrivate::cleanHandle: the owner unlinks the key file and
// removes the set. For QSharedMemory's lock it does so only while it can take the lock
// (releaseOwnedLock); Qt removes the lock even while another process holds it.
func (s *semaphore) cleanHandle() {
	if s.isLock && s.createdSem && s.id != -1 && !s.holding {
		s.releaseOwnedLock()
	}
	s.holding = false
	s.unixKey = -1
	if s.createdSem && s.id != -1 {
		// The key file goes with the set, and only the file the set was keyed from: another
		// owner may have removed our set and its file already, and someone made a new file (and
		// set) at the same path since. Qt unlinks the file whenever this object created it,
		// even while the set lives on for others, and unlinks the path whatever it now is;
		// either way the next process makes a new file, a new ftok key and a second lock. The
		// file goes first: once the set is gone, a newcomer may key a new set from it.
		if s.createdFile || s.sharedFile {
			// The file of a plain native key (sharedFile) is the segment's too: it goes with the
			// last of the two, and only if it is an empty file (see sharedMemory.removeKeyFile).
			if k, err := ipc.Ftok(s.fileName, s.proj); err == nil && k == s.keyOfID && !s.segmentUsesFile() && (!s.native || emptyFile(s.fileName)) {
				unix.Unlink(s.fileName)
			}
		}
		ipc.Semctl(s.id, 0, ipc.IPC_RMID, 0)
	}
	s.createdFile, s.createdSem = false, false
	s.id, s.fileKnown = -1, false
	s.uninitSince = time.Time{}
}

// segmentUsesFile reports whether the key file also keys a live segment (the lock of a plain
// native key shares the segment's file, with the same project id): Qt's lock owner unlinks it
// anyway, after which nobody can attach to the segment. We keep it; the segment's last
// detacher removes it.
func (s *semaphore) segmentUsesFile() bool {
	if !s.sharedFile {
		return false
	}
	_, err := ipc.Shmget(s.keyOfID, 0, 0)
	return err == nil || !errors.Is(err, unix.ENOENT)
}

// emptyFile reports whether path is an empty regular file (not a symbolic link).
func emptyFile(path string) bool {
	var st unix.Stat_t
	return unix.Lstat(path, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Size == 0
}

// releaseOwnedLock takes the lock set this object owns (waiting at most closeLockWait) so that
// cleanHandle removes it while holding it. If the set is gone, or the lock cannot be had, the
// object gives up its ownership instead: it unlinks and removes nothing.
func (s *semaphore) releaseOwnedLock() {
	deadline := time.Now().Add(closeLockWait)
	op := ipc.Sembuf{Num: 0, Op: -1, Flg: ipc.SEM_UNDO}
	for {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		err := ipc.Semtimedop(s.id, op, min(left, waitSlice))
		if err == nil {
			return // held: cleanHandle removes it
		}
		if err != unix.EAGAIN && err != unix.EINTR {
			break // gone (EIDRM, EINVAL) or not ours to take
		}
	}
	s.createdSem, s.createdFile = false, false
}

// forget drops the handle without removing anything (the set vanished under us).
func (s *semaphore) forget() {
	s.unixKey, s.id = -1, -1
	s.fileKnown = false
	s.uninitSince = time.Time{}
}

// modify is QSystemSemaphorePrivate::modifySemaphore: one semop of count with SEM_UNDO,
// EINTR retried, the set re-opened (or re-created) when it was removed under us. A wait is
// bounded by ctx.
func (s *semaphore) modify(ctx context.Context, op string, count int) *qtipc.Error {
	if count > maxSemValue || count < -maxSemValue {
		return qtipc.Errorf(qtipc.OutOfResources, op, unix.ERANGE, "QSystemSemaphore::modifySemaphore: out of resources")
	}
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		_, e := s.handle(qtipc.Open, false)
		id := s.id
		if e != nil {
			s.mu.Unlock()
			return e
		}
		// The attempt that cannot wait (a release, or a take with IPC_NOWAIT) is made under mu,
		// which it holds only for that system call: the uncontended case takes mu once.
		var err error = unix.EAGAIN
		if count != 0 {
			err = s.tryOp(id, count)
		}
		if err == nil {
			s.err = nil
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		if err == unix.EAGAIN {
			err = s.semop(ctx, id, count)
			if err == nil {
				s.mu.Lock()
				s.err = nil
				s.mu.Unlock()
				return nil
			}
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return qtipc.Errorf(qtipc.LockError, op, err, "QSystemSemaphore::modifySemaphore: "+err.Error())
		}
		if (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM)) && s.isLock && count > 0 {
			// The lock was removed while we held it (a Qt owner does that): our hold ended
			// with it. Qt re-creates the set at 1 and adds 1, so two processes get in.
			s.mu.Lock()
			if s.id == id {
				s.createdSem, s.createdFile = false, false
				s.forget()
			}
			s.mu.Unlock()
			return nil
		}
		if (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EIDRM)) && (attempt < maxRecreate || count < 0) {
			// "If the semaphore was removed be nice and create it and then modifySemaphore again"
			// Qt runs cleanHandle here, and an owner then unlinks the key file: the file of the
			// set that replaced ours, made by someone else. The next process then makes a third
			// file, a new ftok key and a second lock beside the one in use. We only forget.
			s.mu.Lock()
			if s.id == id {
				s.createdSem, s.createdFile = false, false
				s.forget()
			}
			s.mu.Unlock()
			if count < 0 && attempt >= maxRecreate {
				// A take goes on until ctx ends, as a wait for a held lock does: each removal is
				// a lock another process held and then removed on its way out (every creator
				// owns the lock, and an owner's close removes it), so under contention a waiter
				// can lose the next set to someone else many times in a row. A fixed count of
				// retries made such a waiter fail with EIDRM. Past maxRecreate quick retries it
				// backs off, so that a set removed again and again does not make it spin.
				if err := qtipc.Backoff(ctx, attempt-maxRecreate); err != nil {
					return qtipc.Errorf(qtipc.LockError, op, err, "QSystemSemaphore::modifySemaphore: "+err.Error())
				}
			}
			continue
		}
		e = semErrno(s.flavor, op, "QSystemSemaphore::modifySemaphore", err)
		s.mu.Lock()
		s.err = e
		s.mu.Unlock()
		return e
	}
}

// sembuf is the operation count on semaphore 0, with SEM_UNDO (without it for noUndo).
func (s *semaphore) sembuf(count int) ipc.Sembuf {
	op := ipc.Sembuf{Num: 0, Op: int16(count), Flg: ipc.SEM_UNDO}
	if s.noUndo {
		op.Flg = 0
	}
	return op
}

// tryOp is the first attempt of modify's semop, one that cannot wait: a release (count > 0)
// as it is, a take (count < 0) with IPC_NOWAIT, EAGAIN when it would wait. Neither waits, so
// both are raw system calls (ipc.Semtimedop).
func (s *semaphore) tryOp(id, count int) error {
	op := s.sembuf(count)
	if count < 0 {
		op.Flg |= ipc.IPC_NOWAIT
	}
	return retryEINTR(func() error { return ipc.Semtimedop(id, op, 0) })
}

// semop runs the semop of count on semaphore 0 of set id after tryOp found that it would wait
// (a take: count < 0; count 0, wait-for-zero, is not used and waits unbounded). A decrement
// waits in slices of waitSlice: between slices it honours ctx and recovers a lock set that a
// creator never initialised.
func (s *semaphore) semop(ctx context.Context, id, count int) error {
	op := s.sembuf(count)
	if count >= 0 {
		return retryEINTR(func() error { return ipc.Semtimedop(id, op, 0) })
	}
	nowait := op
	nowait.Flg |= ipc.IPC_NOWAIT
	for {
		wait := waitSlice
		if err := ctx.Err(); err != nil {
			return err
		}
		if dl, ok := ctx.Deadline(); ok {
			left := time.Until(dl)
			if left <= 0 {
				// One last non-blocking try: a free lock is taken even at the deadline.
				if err := ipc.Semtimedop(id, nowait, 0); err != unix.EAGAIN && err != unix.EINTR {
					return err
				}
				return context.DeadlineExceeded
			}
			wait = min(wait, left)
		}
		err := ipc.Semtimedop(id, op, wait)
		if err != unix.EAGAIN && err != unix.EINTR {
			return err
		}
		if s.isLock {
			s.recoverUninitialised(id)
		}
	}
}

func retryEINTR(f func() error) error {
	for {
		if err := f(); err != unix.EINTR {
			return err
		}
	}
}

// recoverUninitialised removes a lock set that has stayed uninitialised: value 0 and no semop
// ever done on it (sem_otime is 0, whatever PID namespace did it), for uninitGrace. A Qt ≤ 6.5
// process creates such a set when it loses the race described in handle; without this every
// process waiting on it would hang forever. Removing it, rather than setting it to 1, is safe
// even when the set is only a slow creator's that has not run its SETVAL yet: that SETVAL then
// fails (a Go creator makes a new set; a Qt one reports an error) instead of opening a lock
// that someone holds. Waiters see the set vanish and open a new, initialised one. Go processes
// serialise the check and the removal with a non-blocking flock on the key file.
func (s *semaphore) recoverUninitialised(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.id != id {
		return
	}
	if !neverUsed(id) {
		s.uninitSince = time.Time{}
		return
	}
	if s.uninitSince.IsZero() {
		s.uninitSince = time.Now()
		return
	}
	if time.Since(s.uninitSince) < uninitGrace {
		return
	}
	fd, err := unix.Open(s.fileName, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return
	}
	if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) != nil {
		return // another process is at it: look again after the next wait slice
	}
	defer unix.Flock(fd, unix.LOCK_UN)
	if neverUsed(id) {
		ipc.Semctl(id, 0, ipc.IPC_RMID, 0)
	}
	s.uninitSince = time.Time{}
}

// neverUsed reports whether semaphore 0 of set id has value 0 and no semop was ever done on
// the set. sem_otime is used, not GETPID: GETPID reads 0 for a process in another PID
// namespace, so a lock held from a container would look unused.
func neverUsed(id int) bool {
	val, err := ipc.Semctl(id, 0, ipc.GETVAL, 0)
	if err != nil || val != 0 {
		return false
	}
	st, err := ipc.Semstat(id)
	return err == nil && st.Otime == 0
}

// close marks the object closed and cleans its handle (the destructor).
func (s *semaphore) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanHandle()
	s.closed = true
}
