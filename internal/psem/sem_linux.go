//go:build linux && !android

package psem

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Sem is one semaphore opened with [Open]: a shared mapping of its file in /dev/shm (the file
// descriptor is closed once the file is mapped, as glibc does). Wait, TryWait and Post may run
// from many goroutines at once; Close waits for the calls in progress (interrupting waits) and
// makes later calls fail with [ErrClosed].
type Sem struct {
	name string
	path string
	st   unix.Stat_t // fstat of the file when it was mapped

	mem   []byte
	data  *uint64 // 64-bit layout: value (low 32 bits) and nwaiters (high 32 bits)
	word  *uint32 // the futex word: the value half of data, or value (32-bit layout)
	nwait *uint32 // 32-bit layout: nwaiters

	closing atomic.Bool // set by Close: waits in progress stop
	mu      sync.Mutex
	closed  bool
	active  int           // calls in progress that touch mem
	drained chan struct{} // closed when closed and active has dropped to 0
}

// enter registers a call that touches the mapping; the caller must call s.leave.
func (s *Sem) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.active++
	return nil
}

func (s *Sem) leave() {
	s.mu.Lock()
	s.active--
	if s.closed && s.active == 0 {
		close(s.drained)
	}
	s.mu.Unlock()
}

// guard runs f on the mapping, turning a fault in it (SIGBUS after a truncation) into an
// error wrapping ErrTruncated.
func guard(f func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			re, ok := r.(runtime.Error)
			if _, fault := r.(interface{ Addr() uintptr }); !ok || !fault {
				panic(r)
			}
			err = fmt.Errorf("%w (%v)", ErrTruncated, re)
		}
	}()
	return f()
}

// do runs f on the mapping of an open semaphore.
func (s *Sem) do(f func() error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	return guard(f)
}

// Open opens the semaphore name as glibc's sem_open(name, flag, perm, value) does, creating it
// when flag has unix.O_CREAT and it does not exist yet (perm is the file's mode, less the
// umask, and value the initial value); created reports whether this call created it. flag is
// 0, unix.O_CREAT or unix.O_CREAT|unix.O_EXCL (EEXIST if it exists); other bits give EINVAL.
// value > [SemValueMax] gives EINVAL when the semaphore is to be created. Errors are
// *os.PathError values holding the unix.Errno (errors.Is works): besides sem_open's, EINVAL
// for a file that is not a regular file, is shorter than sem_t or was not made by sem_open,
// and ELOOP for a symbolic link. Open does not check who owns the file: see [Sem.Owner].
func Open(name string, flag int, perm uint32, value uint32) (s *Sem, created bool, err error) {
	path, err := Path(name)
	if err == nil && len(name) > nameMax {
		err = unix.ENAMETOOLONG // glibc fails such a name too, but only after creating the file
	}
	if err == nil && flag&^(unix.O_CREAT|unix.O_EXCL) != 0 {
		err = unix.EINVAL
	}
	if err != nil {
		return nil, false, &os.PathError{Op: "sem_open", Path: name, Err: err}
	}
	s, created, err = open(name, path, flag, perm, value)
	if err != nil {
		return nil, false, &os.PathError{Op: "sem_open", Path: path, Err: err}
	}
	return s, created, nil
}

// maxRaces bounds how often Open goes between "create: exists" and "open: does not exist" when
// others create and unlink the name at the same time (glibc loops without bound).
const maxRaces = 100

func open(name, path string, flag int, perm, value uint32) (*Sem, bool, error) {
	create := flag&unix.O_CREAT != 0
	excl := create && flag&unix.O_EXCL != 0
	for range maxRaces {
		if !excl {
			s, err := openExisting(name, path)
			if err == nil || !create || err != unix.ENOENT {
				return s, false, err
			}
		}
		s, err := createNew(name, path, perm, value)
		if err == unix.EEXIST && !excl {
			continue // someone else created it: open theirs
		}
		return s, err == nil, err
	}
	return nil, false, unix.EAGAIN
}

// openExisting opens and maps the semaphore file path, as glibc does for an existing one.
func openExisting(name, path string) (*Sem, error) {
	fd, err := openRetry(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return mapFile(name, path, fd)
}

func openRetry(path string, flag int, perm uint32) (int, error) {
	for {
		fd, err := unix.Open(path, flag, perm)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// createNew creates the semaphore as glibc does: a temporary file holding the whole sem_t,
// linked to path. It returns EEXIST if path exists.
func createNew(name, path string, perm, value uint32) (*Sem, error) {
	if value > SemValueMax {
		return nil, unix.EINVAL
	}
	var fd int
	var tmp string
	for tries := 1; ; tries++ {
		tmp = tempName()
		var err error
		fd, err = openRetry(tmp, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm)
		if err == nil {
			break
		}
		if err != unix.EEXIST {
			return nil, err
		}
		if tries == tempTries {
			return nil, unix.EAGAIN
		}
	}
	defer unix.Unlink(tmp) // glibc: "This should never fail"
	if createdTemp != nil {
		createdTemp(tmp)
	}
	defer unix.Close(fd)
	img := initialImage(value)
	for len(img) > 0 {
		n, err := unix.Write(fd, img)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, unix.EIO
		}
		img = img[n:]
	}
	// glibc maps the file before linking it; mapping it after is the same to everyone else
	// (nobody can reach the file before the link) and saves an unmap on EEXIST.
	if err := unix.Link(tmp, path); err != nil {
		return nil, err
	}
	return mapFile(name, path, fd)
}

// createdTemp, if set (by tests), is told each temporary file createNew makes.
var createdTemp func(path string)

// tempTries is how many temporary names sem_open tries (glibc's NRETRIES).
const tempTries = 50

// tempName returns /dev/shm/sem.XXXXXX with six random letters and digits, as glibc's mktemp.
func tempName() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := []byte(Dir + "/sem.XXXXXX")
	for i := len(b) - 6; i < len(b); i++ {
		b[i] = letters[randN(len(letters))]
	}
	return string(b)
}

// mapFile checks that fd is a semaphore file and maps it.
func mapFile(name, path string, fd int) (*Sem, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < semSize {
		return nil, unix.EINVAL
	}
	mem, err := unix.Mmap(fd, 0, int(semSize), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	// A truncation between the fstat and the mmap would make the first access fault; check
	// again now that the mapping exists (a later truncation is caught by guard).
	if err := unix.Fstat(fd, &st); err != nil || st.Size < semSize {
		unix.Munmap(mem)
		if err == nil {
			err = unix.EINVAL
		}
		return nil, err
	}
	s := &Sem{name: name, path: path, st: st, mem: mem, drained: make(chan struct{})}
	s.setLayout()
	var private int32
	if err := guard(func() error { private = atomic.LoadInt32(s.private()); return nil }); err != nil {
		unix.Munmap(mem)
		return nil, unix.EINVAL
	}
	if private != futexShared {
		unix.Munmap(mem)
		return nil, unix.EINVAL
	}
	return s, nil
}

// Name returns the name the semaphore was opened with.
func (s *Sem) Name() string { return s.name }

// Path returns the file the semaphore was opened from (it may since have been unlinked or
// replaced: compare [Sem.File] with a fresh stat of the path).
func (s *Sem) Path() string { return s.path }

// File returns the device and inode of the mapped file, so a caller can tell whether the name
// still names this semaphore.
func (s *Sem) File() (dev, ino uint64) { return uint64(s.st.Dev), uint64(s.st.Ino) }

// Owner returns the user ID that owned the file when it was mapped. Open accepts anyone's
// semaphore; a caller that must not use another user's compares this with the uid it expects.
func (s *Sem) Owner() (uid uint32) { return s.st.Uid }

// Mode returns the file's permission bits when it was mapped.
func (s *Sem) Mode() os.FileMode { return os.FileMode(s.st.Mode & 0o777) }

// Wait takes one token, sleeping while the value is 0, as sem_wait; unlike sem_wait it returns
// ctx.Err() (context.DeadlineExceeded as soon as the deadline has passed) when ctx ends
// first, and [ErrClosed] when [Sem.Close] interrupts it. A token is taken without sleeping
// even if ctx has already ended, as sem_timedwait does. Signals (EINTR) are retried. While it
// sleeps, Wait is a registered waiter exactly as a glibc sem_wait is, so a sem_post from any
// process wakes it; it sleeps in slices of at most [WaitSlice] to notice ctx and Close (each
// sleeping Wait occupies an OS thread).
func (s *Sem) Wait(ctx context.Context) error {
	return s.do(func() error {
		if layout64 {
			return s.wait64(ctx)
		}
		return s.wait32(ctx)
	})
}

// TryWait takes one token if there is one, as sem_trywait; it returns unix.EAGAIN if the value
// is 0.
func (s *Sem) TryWait() error {
	return s.do(func() error {
		if s.take(true) {
			return nil
		}
		return unix.EAGAIN
	})
}

// Post adds one token and wakes one waiter if there may be one, as sem_post; it returns
// unix.EOVERFLOW if the value is [SemValueMax].
func (s *Sem) Post() error {
	return s.do(func() error {
		if layout64 {
			return s.post64()
		}
		return s.post32()
	})
}

// Value returns the semaphore's value, as sem_getvalue, or -1 after Close (or if the file was
// truncated).
func (s *Sem) Value() int {
	v := -1
	s.do(func() error {
		if layout64 {
			v = int(uint32(atomic.LoadUint64(s.data)))
		} else {
			v = int(atomic.LoadUint32(s.word) >> 1)
		}
		return nil
	})
	return v
}

// Waiters returns the number of registered waiters (the high half of the 64-bit word; the
// nwaiters field of the 32-bit layout), or -1 after Close (or if the file was truncated).
// Every process's waiters count, and a waiter stays registered while it sleeps.
func (s *Sem) Waiters() int {
	n := -1
	s.do(func() error {
		if layout64 {
			n = int(atomic.LoadUint64(s.data) >> 32)
		} else {
			n = int(atomic.LoadUint32(s.nwait))
		}
		return nil
	})
	return n
}

// Close unmaps the semaphore, as sem_close; the semaphore itself (the file) stays until
// [Unlink]. Waits in progress return [ErrClosed]; Close returns once every call in progress has
// returned, and later calls fail with ErrClosed. Close is idempotent.
func (s *Sem) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.closing.Store(true)
	busy := s.active > 0
	s.mu.Unlock()
	if busy {
		// Wake every sleeper of the word so our waits notice Close now rather than at the end
		// of their slice; sleepers of other processes treat it as a spurious wake-up and sleep
		// again, as glibc's algorithm allows.
		futexWakeN(s.word, 1<<31-1)
		<-s.drained
	}
	return unix.Munmap(s.mem)
}

// Unlink removes the semaphore name, as sem_unlink: processes that have it open keep using
// it. As glibc, an invalid name gives ENOENT, and EPERM is reported as EACCES. The error is
// an *os.PathError holding the unix.Errno.
func Unlink(name string) error {
	path, err := Path(name)
	if err != nil {
		return &os.PathError{Op: "sem_unlink", Path: name, Err: unix.ENOENT}
	}
	if err := unix.Unlink(path); err != nil {
		if err == unix.EPERM {
			err = unix.EACCES
		}
		return &os.PathError{Op: "sem_unlink", Path: path, Err: err}
	}
	return nil
}

// waitSlice is WaitSlice; tests that must see a lost wake-up as a hang make it longer.
var waitSlice = WaitSlice

// stop reports why a wait must stop instead of sleeping (nil: go on sleeping) and otherwise
// how long its next slice may last.
func (s *Sem) stop(ctx context.Context) (time.Duration, error) {
	if s.closing.Load() {
		return 0, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	slice := waitSlice
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left <= 0 {
			return 0, context.DeadlineExceeded
		}
		slice = min(slice, left)
	}
	return slice, nil
}

// sleep waits on the futex word while it holds val, for at most the next slice. It returns
// nil to re-check the semaphore, or why the wait must end.
func (s *Sem) sleep(ctx context.Context, val uint32) error {
	slice, err := s.stop(ctx)
	if err != nil {
		return err
	}
	abs, err := monotonicIn(slice)
	if err != nil {
		return err
	}
	switch err := futexWait(s.word, val, &abs); err {
	case nil, unix.EAGAIN, unix.ETIMEDOUT, unix.EINTR:
		return nil
	case unix.EFAULT:
		return fmt.Errorf("%w (futex: %v)", ErrTruncated, err)
	default:
		return err
	}
}

// pointer returns a pointer to the mapping at byte offset off.
func (s *Sem) pointer(off uintptr) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(s.mem)), off)
}
