package qtshm

import (
	"context"
	"sync"
	"unicode/utf8"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// AccessMode is QSharedMemory::AccessMode.
type AccessMode = qtipc.AccessMode

// Access modes, with Qt's values.
const (
	// ReadOnly maps the segment read-only (SHM_RDONLY). Writing through Data() then faults;
	// WriteAt returns PermissionDenied.
	ReadOnly = qtipc.ReadOnly
	// ReadWrite maps the segment for reading and writing.
	ReadWrite = qtipc.ReadWrite
)

// SharedMemory is the Go counterpart of QSharedMemory for a QString key: New(key) meets the
// segment and the lock of QSharedMemory(key) in every Qt 5.15 and Qt 6 process (6.6.0 excepted)
// that runs as the same user with the same temp directory.
//
// # Goroutines
//
// A SharedMemory is safe for concurrent use. Its lock behaves like a [sync.Mutex] shared with
// every other process: Lock from a second goroutine waits until the first goroutine's Unlock
// (Qt's lock() would return at once, since the object already holds the lock), and Unlock may
// come from any goroutine. While the object's lock is held (by whichever goroutine: Go cannot
// tell them apart), Create, Attach and Detach fail at once with LockError; Qt would release
// the lock as a side effect. They wait for a Lock, Create, Attach or Detach in progress in
// another goroutine. Two objects with the same key exclude each other like two processes do.
//
// Every …Context method treats a nil ctx as context.Background(), and fails at once with
// LockError when ctx is already done.
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
	nkey     NativeIpcKey // the key given to NewFromNativeKey
	isNative bool
	b        backend.SharedMemory
	initErr  *Error

	// gate is held from Lock to Unlock, and by Create, Attach, Detach and Close while they run:
	// at most one goroutine drives the backend or owns the lock at a time.
	gate gate
	// mu guards the fields below. It is held for writing while the mapping changes (Detach,
	// Close) and for reading while ReadAt and WriteAt copy.
	mu       sync.RWMutex
	closed   bool
	locked   bool
	readOnly bool
	mem      []byte
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
	f, err := o.factory("new", key)
	if err != nil {
		m.initErr = err
		return m
	}
	m.b = f.NewSharedMemory(key, o.cfg)
	return m
}

// check returns the error of a call on a closed or unusable object; m.mu must be held.
func (m *SharedMemory) check(op string) error {
	if m.closed {
		return newError(KeyError, op, m.key, "QSharedMemory: object is closed", ErrClosed)
	}
	if m.initErr != nil {
		return m.initErr.WithOp(op)
	}
	return nil
}

// acquire takes the gate, or fails when ctx ends first.
func (m *SharedMemory) acquire(ctx context.Context, op, function string) error {
	if err := ctx.Err(); err != nil && op != "close" {
		return newError(LockError, op, m.key, function+": unable to lock", err)
	}
	if err := m.gate.take(ctx); err != nil {
		return newError(LockError, op, m.key, function+": unable to lock", err)
	}
	return nil
}

func (m *SharedMemory) release() { m.gate.give() }

// Key returns the key given to New.
func (m *SharedMemory) Key() string { return m.key }

// NativeKey returns the key file the segment is known by, as QSharedMemory::nativeKey() does,
// e.g. "/tmp/qipc_sharedmemory_SomeKeybf5cd77691581e6a59f8e3306703cfeccb6e3849".
func (m *SharedMemory) NativeKey() string {
	if m.isNative {
		return m.nkey.Native
	}
	if m.b == nil {
		return ""
	}
	return m.b.NativeKey()
}

// Create creates a segment of size bytes and attaches to it with mode, like
// QSharedMemory::create. If the segment exists it fails with AlreadyExists and attaches to
// nothing: the usual pattern is Create, and on ErrAlreadyExists, Attach.
//
// Size is the segment's exact byte count; size ≤ 0 fails with InvalidSize, a size above the
// system limit (SHMMAX) with InvalidSize too, and one the kernel cannot back with
// OutOfResources. Create on an attached object fails with AlreadyExists and changes nothing (Qt
// would lose track of the first segment).
//
// Like Qt, Create makes this object the owner of the lock semaphore (the owner removes it on
// Close). Unlike Qt, it does not reset the lock to 1: Qt's reset lets a second process into a
// lock that another one holds. Create waits for the lock as Qt does; CreateContext bounds the
// wait.
func (m *SharedMemory) Create(size int, mode AccessMode) error {
	return m.CreateContext(context.Background(), size, mode)
}

// CreateContext is [SharedMemory.Create] whose wait for the lock ends when ctx is done, with
// LockError wrapping ctx.Err(). The native backend cannot bound it: there a ctx that can be
// cancelled gives LockError wrapping [errors.ErrUnsupported].
func (m *SharedMemory) CreateContext(ctx context.Context, size int, mode AccessMode) error {
	ctx = orBackground(ctx)
	const op, function = "create", "QSharedMemory::create"
	if err := m.precheck(op, func() error {
		if size <= 0 {
			return newError(InvalidSize, op, m.key, function+": create size is less then 0", nil)
		}
		if m.mem != nil {
			return newError(AlreadyExists, op, m.key, function+": already attached (Detach first)", nil)
		}
		return nil
	}); err != nil {
		return err
	}
	return m.mapping(ctx, op, function, mode, func() error { return m.b.Create(ctx, size, mode) })
}

// precheck fails fast on a closed object, on a goroutine that holds the lock, and on state
// errors (cond), before waiting for the gate.
func (m *SharedMemory) precheck(op string, cond func() error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if err := m.check(op); err != nil {
		return err
	}
	if m.locked {
		return newError(LockError, op, m.key,
			"QSharedMemory::"+op+": this object holds the lock (Unlock first); Qt would release it silently", nil)
	}
	return cond()
}

// detached is the precheck condition of create and attach: the object must not be attached.
func (m *SharedMemory) detached(op, function string) func() error {
	return func() error {
		if m.mem != nil {
			return newError(AlreadyExists, op, m.key, function+": already attached", nil)
		}
		return nil
	}
}

// mapping runs a backend create or attach under the gate and publishes the mapping.
func (m *SharedMemory) mapping(ctx context.Context, op, function string, mode AccessMode, f func() error) error {
	if err := m.acquire(ctx, op, function); err != nil {
		return err
	}
	defer m.release()
	if err := m.precheck(op, m.detached(op, function)); err != nil {
		return err
	}
	err := f()
	m.mu.Lock()
	m.mem = m.b.Data()
	m.readOnly = mode == ReadOnly
	m.mu.Unlock()
	return qtipc.WithKey(m.key, err)
}

// Attach attaches to an existing segment, like QSharedMemory::attach. It fails with NotFound
// when there is none, PermissionDenied when the segment belongs to another user (even one whose
// mode would let us in, unless [WithForeignOwner]), and AlreadyExists when this object is
// attached already. It waits for the lock as Qt does; AttachContext bounds the wait.
func (m *SharedMemory) Attach(mode AccessMode) error {
	return m.AttachContext(context.Background(), mode)
}

// AttachContext is [SharedMemory.Attach] whose wait for the lock ends when ctx is done (see
// [SharedMemory.CreateContext]).
func (m *SharedMemory) AttachContext(ctx context.Context, mode AccessMode) error {
	ctx = orBackground(ctx)
	const op, function = "attach", "QSharedMemory::attach"
	if err := m.precheck(op, m.detached(op, function)); err != nil {
		return err
	}
	return m.mapping(ctx, op, function, mode, func() error { return m.b.Attach(ctx, mode) })
}

// Detach unmaps the segment; the last process to detach removes it and its key file. Slices
// returned by Data before must not be used afterwards. Detaching when not attached fails with
// NotFound. It waits for the lock as Qt does; DetachContext bounds the wait.
func (m *SharedMemory) Detach() error { return m.DetachContext(context.Background()) }

// DetachContext is [SharedMemory.Detach] whose wait for the lock ends when ctx is done (see
// [SharedMemory.CreateContext]); the segment then stays attached.
func (m *SharedMemory) DetachContext(ctx context.Context) error {
	ctx = orBackground(ctx)
	const op, function = "detach", "QSharedMemory::detach"
	notAttached := func() error {
		if m.mem == nil {
			return newError(NotFound, op, m.key, function+": not attached", nil)
		}
		return nil
	}
	if err := m.precheck(op, notAttached); err != nil {
		return err
	}
	if err := m.acquire(ctx, op, function); err != nil {
		return err
	}
	defer m.release()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(op); err != nil {
		return err
	}
	if err := notAttached(); err != nil {
		return err
	}
	err := m.b.Detach(ctx)
	m.mem = m.b.Data()
	return qtipc.WithKey(m.key, err)
}

// IsAttached reports whether this object is attached to a segment.
func (m *SharedMemory) IsAttached() bool { return m.Data() != nil }

// Size returns the segment's size in bytes (the creator's requested size), 0 when detached.
func (m *SharedMemory) Size() int { return len(m.Data()) }

// Data returns the segment's memory, nil when detached. len and cap equal Size, so the slice
// cannot reach past the mapping. It is valid until Detach or Close; take the lock (Lock) around
// every access shared with other processes. Writing to it after a ReadOnly attach faults.
func (m *SharedMemory) Data() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed || m.mem == nil {
		return nil
	}
	return m.mem[:len(m.mem):len(m.mem)]
}

// Lock takes the segment's lock, blocking until no other process, object or goroutine holds
// it, like QSharedMemory::lock. The lock is not recursive: a goroutine that calls Lock twice
// without Unlock waits forever (use LockContext to bound it). It is released by Unlock, by
// Close, and by the kernel if the process dies (SEM_UNDO).
func (m *SharedMemory) Lock() error { return m.LockContext(context.Background()) }

// LockContext is Lock that gives up when ctx is done, returning an *Error with Code LockError
// that wraps ctx.Err() (errors.Is(err, context.DeadlineExceeded) holds).
//
// The pure backend waits with semtimedop: a deadline is honoured to the millisecond,
// cancellation within 100 ms. The native backend cannot time out (Qt's
// QSystemSemaphore::acquire cannot): there LockContext with a cancellable ctx fails at once with
// LockError wrapping [errors.ErrUnsupported], unless ctx is done already.
func (m *SharedMemory) LockContext(ctx context.Context) error {
	ctx = orBackground(ctx)
	const op = "lock"
	if ctxErr := ctx.Err(); ctxErr != nil {
		// A closed or unusable object says so first, as it does once the gate is had.
		m.mu.RLock()
		err := m.check(op)
		m.mu.RUnlock()
		if err != nil {
			return err
		}
		return newError(LockError, op, m.key, "QSharedMemory::lock: unable to lock", ctxErr)
	}
	if err := m.acquire(ctx, op, "QSharedMemory::lock"); err != nil {
		return err
	}
	m.mu.RLock()
	err := m.check(op)
	m.mu.RUnlock()
	if err == nil {
		err = qtipc.WithKey(m.key, m.b.Lock(ctx))
	}
	if err != nil {
		m.release()
		return err
	}
	m.mu.Lock()
	m.locked = true
	m.mu.Unlock()
	return nil
}

// Unlock releases the lock taken by Lock (by this or another goroutine). It fails with
// LockError if the object does not hold the lock.
func (m *SharedMemory) Unlock() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check("unlock"); err != nil {
		return err
	}
	if !m.locked {
		return newError(LockError, "unlock", m.key, "QSharedMemory::unlock: not locked", nil)
	}
	m.locked = false
	err := m.b.Unlock()
	m.release()
	return qtipc.WithKey(m.key, err)
}

// Close does what QSharedMemory's destructor does: detach if attached (removing the segment if
// this was the last attachment), and remove the lock semaphore if this object owns it. Unlike
// Qt, it first releases the lock if this object still holds it, and it removes an owned lock
// only while holding it, so that no process holding the lock sees it vanish. Close waits for a
// Lock, Create, Attach or Detach running in another goroutine; CloseContext bounds that and the
// lock waits. Close is idempotent.
func (m *SharedMemory) Close() error { return m.CloseContext(context.Background()) }

// CloseContext is [SharedMemory.Close] with its waits bounded by ctx. If ctx ends before the
// lock is had, the segment is unmapped anyway and its removal is left to the last process to
// detach (or to [RemoveStale]); the error says so.
func (m *SharedMemory) CloseContext(ctx context.Context) error {
	ctx = orBackground(ctx)
	m.mu.Lock()
	if m.closed || m.b == nil {
		m.closed = true
		m.mu.Unlock()
		return nil
	}
	if m.locked {
		// The holder's goroutine is outside the backend: close on its behalf.
		defer m.mu.Unlock()
		err := m.b.Close(ctx)
		m.closed, m.locked, m.mem = true, false, nil
		m.release()
		return qtipc.WithKey(m.key, err)
	}
	m.mu.Unlock()
	if err := m.acquire(ctx, "close", "QSharedMemory::close"); err != nil {
		return err
	}
	defer m.release()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	err := m.b.Close(ctx)
	m.closed, m.mem = true, nil
	return qtipc.WithKey(m.key, err)
}

// orBackground is ctx, or context.Background() for nil.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
