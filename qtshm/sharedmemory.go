package qtshm

import (
	"context"
	"unicode/utf8"

	"github.com/qtshm/qtshm-go/internal/backend"
)

// AccessMode is QSharedMemory::AccessMode.
type AccessMode int

// Access modes, with Qt's values.
const (
	// ReadOnly maps the segment read-only (SHM_RDONLY). Writing through Data() then faults;
	// WriteAt returns PermissionDenied.
	ReadOnly AccessMode = 0
	// ReadWrite maps the segment for reading and writing.
	ReadWrite AccessMode = 1
)

// SharedMemory is the Go counterpart of QSharedMemory for a QString key: New(key) meets the
// segment and the lock of QSharedMemory(key) in every Qt 5.15 and Qt 6 process (6.6.0 excepted)
// that runs as the same user with the same temp directory.
//
// Like QSharedMemory, a SharedMemory is not safe for concurrent use: give each goroutine its
// own object (two objects with the same key in one process exclude each other through the
// lock like two processes do).
//
// Call Close when done. There is no finalizer: memory handed out by Data stays mapped until
// Detach or Close, so it is never unmapped behind the caller's back.
//
// # Linux notes
//
// The pure backend uses System V IPC exactly like Qt: key files in the temp directory, ftok
// with project id 'Q', a segment with mode 0600, and a one-semaphore set with SEM_UNDO as the
// lock. The last process to detach removes the segment and its key file; the object that
// created (or "took over", see Create) the lock removes it and its key file on Close.
type SharedMemory struct {
	key      string
	b        backend.SharedMemory
	initErr  *Error
	readOnly bool
	closed   bool
}

// New returns a SharedMemory for key, like QSharedMemory(key). It does not touch the system;
// Create or Attach do. Options select the backend and the Qt flavour.
func New(key string, opts ...Option) *SharedMemory {
	o := getOptions(opts)
	m := &SharedMemory{key: key}
	if !utf8.ValidString(key) {
		m.initErr = newError(KeyError, "new", key, "qtshm: key is not valid UTF-8", nil)
		return m
	}
	f, ok := backend.Lookup(o.backend)
	if !ok {
		m.initErr = missingBackend("new", key, o.backend)
		return m
	}
	m.b = f.NewSharedMemory(key, o.cfg)
	return m
}

func missingBackend(op, key, name string) *Error {
	msg := "qtshm: backend " + name + " is not built into this program"
	if name == BackendNative {
		msg += ` (import _ "github.com/qtshm/qtshm-go/native" and build with -tags qt5 or -tags qt6)`
	}
	return newError(KeyError, op, key, msg, nil)
}

func (m *SharedMemory) check(op string) error {
	if m.closed {
		return newError(KeyError, op, m.key, "QSharedMemory: object is closed", ErrClosed)
	}
	if m.initErr != nil {
		e := *m.initErr
		e.Op = op
		return &e
	}
	return nil
}

// Key returns the key given to New.
func (m *SharedMemory) Key() string { return m.key }

// NativeKey returns the key file the segment is known by, as QSharedMemory::nativeKey() does,
// e.g. "/tmp/qipc_sharedmemory_SomeKeybf5cd77691581e6a59f8e3306703cfeccb6e3849".
func (m *SharedMemory) NativeKey() string {
	if m.b == nil {
		return ""
	}
	return m.b.NativeKey()
}

// Create creates a segment of size bytes and attaches to it with mode, like
// QSharedMemory::create. If the segment exists it fails with AlreadyExists and attaches to
// nothing: the usual pattern is Create, and on ErrAlreadyExists, Attach.
//
// Like Qt, Create resets the lock semaphore to 1 and takes its ownership (even when it fails
// with AlreadyExists), and the owner removes the semaphore on Close. Size is the segment's
// exact byte count; size ≤ 0 fails with InvalidSize, a size above the system limit (SHMMAX)
// with InvalidSize too.
func (m *SharedMemory) Create(size int, mode AccessMode) error {
	if err := m.check("create"); err != nil {
		return err
	}
	if err := m.b.Create(size, backend.AccessMode(mode)); err != nil {
		return wrapErr(m.key, err)
	}
	m.readOnly = mode == ReadOnly
	return nil
}

// Attach attaches to an existing segment, like QSharedMemory::attach. It fails with NotFound
// when there is none, PermissionDenied when the segment belongs to another user, and
// AlreadyExists when this object is attached already.
func (m *SharedMemory) Attach(mode AccessMode) error {
	if err := m.check("attach"); err != nil {
		return err
	}
	if err := m.b.Attach(backend.AccessMode(mode)); err != nil {
		return wrapErr(m.key, err)
	}
	m.readOnly = mode == ReadOnly
	return nil
}

// Detach unmaps the segment; the last process to detach removes it and its key file. Slices
// returned by Data before must not be used afterwards. Detaching when not attached fails with
// NotFound.
func (m *SharedMemory) Detach() error {
	if err := m.check("detach"); err != nil {
		return err
	}
	return wrapErr(m.key, m.b.Detach())
}

// IsAttached reports whether this object is attached to a segment.
func (m *SharedMemory) IsAttached() bool { return m.b != nil && !m.closed && m.b.Data() != nil }

// Size returns the segment's size in bytes (the creator's requested size), 0 when detached.
func (m *SharedMemory) Size() int { return len(m.Data()) }

// Data returns the segment's memory, nil when detached. len and cap equal Size, so the slice
// cannot reach past the mapping. It is valid until Detach or Close; take the lock (Lock) around
// every access shared with other processes. Writing to it after a ReadOnly attach faults.
func (m *SharedMemory) Data() []byte {
	if m.b == nil || m.closed {
		return nil
	}
	d := m.b.Data()
	return d[:len(d):len(d)]
}

// Lock takes the segment's lock, blocking until no other process (or object) holds it, like
// QSharedMemory::lock. Calling Lock while this object holds the lock returns nil at once (the
// lock is not recursive). The lock is released by Unlock, by a Create/Attach/Detach of this
// object (as in Qt), by Close, and by the kernel if the process dies (SEM_UNDO).
func (m *SharedMemory) Lock() error { return m.LockContext(nil) }

// LockContext is Lock that gives up when ctx is done, returning an *Error with Code LockError
// that wraps ctx.Err() (errors.Is(err, context.DeadlineExceeded) holds).
//
// The pure backend waits with semtimedop: a deadline is honoured to the millisecond,
// cancellation without a deadline within 20 ms. The native backend cannot time out (Qt's
// QSystemSemaphore::acquire cannot): there LockContext with a cancellable ctx fails at once with
// LockError wrapping [errors.ErrUnsupported], unless ctx is done already.
func (m *SharedMemory) LockContext(ctx context.Context) error {
	if err := m.check("lock"); err != nil {
		return err
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return newError(LockError, "lock", m.key, "QSharedMemory::lock: unable to lock", err)
		}
	}
	return wrapErr(m.key, m.b.Lock(ctx))
}

// Unlock releases the lock taken by Lock. It fails with LockError if this object does not hold
// the lock.
func (m *SharedMemory) Unlock() error {
	if err := m.check("unlock"); err != nil {
		return err
	}
	return wrapErr(m.key, m.b.Unlock())
}

// Close does what QSharedMemory's destructor does: detach if attached (removing the segment if
// this was the last attachment), and remove the lock semaphore if this object owns it. Unlike
// Qt, it first releases the lock if this object still holds it. Close is idempotent.
func (m *SharedMemory) Close() error {
	if m.closed || m.b == nil {
		m.closed = true
		return nil
	}
	err := m.b.Close()
	m.closed = true
	return wrapErr(m.key, err)
}
