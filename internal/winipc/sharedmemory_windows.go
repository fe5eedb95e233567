//go:build windows

package winipc

import (
	"context"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/windows"
)

// SharedMemory is QSharedMemory on Windows (see the package documentation). It is used by one
// goroutine at a time.
type SharedMemory struct {
	flavor  qtipc.Flavor
	key     string // the legacy key ("" for a plain native key)
	segName string // the file mapping's name; "" is Qt's empty key

	lock       lockSem
	hand       windows.Handle // the mapping's handle while attached
	addr       uintptr
	mem        []byte
	lockedByMe bool
	closed     bool
}

var _ backend.SharedMemory = (*SharedMemory)(nil)

// NewSharedMemory is QSharedMemory whose file mapping is segName and whose lock is the
// semaphore lockName ("" for none: an empty key). key is what Key returns. Nothing is touched.
func NewSharedMemory(segName, lockName, key string, flavor qtipc.Flavor) *SharedMemory {
	return &SharedMemory{flavor: flavor, key: key, segName: segName, lock: lockSem{flavor: flavor, name: lockName}}
}

// Key is the legacy key ("" for a plain native key).
func (m *SharedMemory) Key() string { return m.key }

// NativeKey is the file mapping's name.
func (m *SharedMemory) NativeKey() string { return m.segName }

// LockName is the lock semaphore's name.
func (m *SharedMemory) LockName() string { return m.lock.name }

// Data is the view, nil when detached. Its length is the region size (whole pages).
func (m *SharedMemory) Data() []byte { return m.mem }

func (m *SharedMemory) closedError(op string) error {
	return qtipc.Errorf(qtipc.KeyError, op, qtipc.ErrClosed, "QSharedMemory: object is closed")
}

// initKey is QSharedMemoryPrivate::initKey: make (or open) the lock semaphore.
func (m *SharedMemory) initKey(op string) *qtipc.Error {
	if e := m.lock.open(op); e != nil {
		return initKeyError(m.flavor, e)
	}
	return nil
}

// lockForOp is QSharedMemoryLocker + tryLocker around create, attach and detach: a lock the
// caller already holds counts, and the release at the end gives it up, as in Qt.
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

// Create is QSharedMemory::create(size, mode). size ≤ 0 is refused before anything is touched.
func (m *SharedMemory) Create(ctx context.Context, size int, mode qtipc.AccessMode) error {
	const function = "QSharedMemory::create"
	if m.closed {
		return m.closedError("create")
	}
	if size <= 0 {
		return qtipc.Errorf(qtipc.InvalidSize, "create", nil, function+": create size is less then 0")
	}
	if m.mem != nil {
		return qtipc.Errorf(qtipc.AlreadyExists, "create", nil, function+": already attached")
	}
	if e := m.initKey("create"); e != nil {
		return e
	}
	release, e := m.lockForOp(ctx, "create", function)
	if e != nil {
		return e
	}
	defer release()
	if m.segName == "" {
		return qtipc.Errorf(qtipc.KeyError, "create", nil, function+": key error")
	}
	name, ok := utf16Name(m.segName)
	if !ok {
		return qtipc.Errorf(qtipc.KeyError, "create", nil, function+": the name holds a NUL character")
	}
	s := uint64(size)
	h, err := windows.CreateFileMapping(windows.InvalidHandle, nil, windows.PAGE_READWRITE, uint32(s>>32), uint32(s), name)
	if err != nil {
		if h != 0 {
			windows.CloseHandle(h) // the existing mapping: not ours to keep open
		}
		return shmError(m.flavor, "create", function, uint32(errnoOf(err)), err)
	}
	if e := m.attachHandle("create", h, mode); e != nil {
		return e
	}
	return nil
}

// attachHandle is QSharedMemoryWin32::attach on the mapping h, which it owns from now on.
func (m *SharedMemory) attachHandle(op string, h windows.Handle, mode qtipc.AccessMode) *qtipc.Error {
	access := uint32(fileMapAllAccess)
	if mode == qtipc.ReadOnly {
		access = windows.FILE_MAP_READ
	}
	addr, mem, sizeFailed, err := mapView(h, access)
	if err != nil || sizeFailed {
		windows.CloseHandle(h)
		if sizeFailed {
			return qtipc.Errorf(qtipc.UnknownError, op, err, "QSharedMemory::attach: : size query failed")
		}
		return shmError(m.flavor, op, "QSharedMemory::attach", uint32(errnoOf(err)), err)
	}
	m.hand, m.addr, m.mem = h, addr, mem
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
	if e := m.initKey("attach"); e != nil {
		return e
	}
	release, e := m.lockForOp(ctx, "attach", function)
	if e != nil {
		return e
	}
	defer release()
	if m.segName == "" {
		return qtipc.Errorf(qtipc.KeyError, "attach", nil, "QSharedMemory::handle: unable to make key")
	}
	name, ok := utf16Name(m.segName)
	if !ok {
		return qtipc.Errorf(qtipc.KeyError, "attach", nil, "QSharedMemory::handle: the name holds a NUL character")
	}
	h, err := openFileMapping(fileMapAllAccess, name)
	if err != nil {
		return shmError(m.flavor, "attach", "QSharedMemory::handle", uint32(errnoOf(err)), err)
	}
	if e := m.attachHandle("attach", h, mode); e != nil {
		return e
	}
	return nil
}

// Detach is QSharedMemory::detach: UnmapViewOfFile and CloseHandle. The kernel frees the mapping
// when its last view and handle are gone. Unlike Qt, it does not wait for the lock first: on
// Windows the lock guards nothing in a detach, and a holder killed while it held the lock leaves
// it taken for ever (a semaphore has no owner), so a detach that waited for it would never
// return. A lock this object holds is given back, as Qt's detach does.
func (m *SharedMemory) Detach(ctx context.Context) error {
	if m.closed {
		return m.closedError("detach")
	}
	if m.mem == nil {
		return qtipc.Errorf(qtipc.NotFound, "detach", nil, "QSharedMemory::detach: not attached")
	}
	if m.lockedByMe {
		m.lockedByMe = false
		defer m.lock.release("detach", "QSharedMemory::detach")
	}
	return m.unmap()
}

func (m *SharedMemory) unmap() error {
	if err := windows.UnmapViewOfFile(m.addr); err != nil {
		return shmError(m.flavor, "detach", "QSharedMemory::detach", uint32(errnoOf(err)), err)
	}
	m.mem, m.addr = nil, 0
	windows.CloseHandle(m.hand)
	m.hand = 0
	return nil
}

// Lock is QSharedMemory::lock: a wait on the lock semaphore, bounded by ctx (nil: no bound). It
// fails with LockError before create or attach made the lock, as Qt's does.
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

// Unlock is QSharedMemory::unlock: ReleaseSemaphore(lock, 1).
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

// Close is QSharedMemory's destructor: give back a lock this object holds, detach (under the
// lock, bounded by ctx; if the lock cannot be had the view is unmapped anyway and the error
// says so), and close the lock's handle.
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
	m.lock.close()
	m.closed = true
	return err
}
