//go:build (qt5 || qt6) && !(qt5 && qt6)

package native

/*
#include <stdlib.h>
#include "qtshm_shim.h"
*/
import "C"

import (
	"context"
	"errors"
	"unsafe"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// Name is the name this backend is registered under (qtshm.BackendNative).
const Name = "native"

func init() { backend.Register(Name, factory{}) }

// QtVersion returns the Qt version the shim runs with, e.g. "6.4.2", and the QT_VERSION it was
// compiled against.
func QtVersion() (runtime string, compiled int) {
	return C.GoString(C.qtshm_qt_version_runtime()), int(C.qtshm_qt_version_compiled())
}

type factory struct{}

func (factory) NewSharedMemory(key string, cfg backend.Config) backend.SharedMemory {
	ck, n := cKey(key)
	defer C.free(unsafe.Pointer(ck))
	m := &sharedMemory{key: key, h: C.qtshm_shm_new(ck, n)}
	var l C.size_t
	p := C.qtshm_shm_native_key(m.h, &l)
	m.nativeKey = C.GoStringN(p, C.int(l))
	C.qtshm_free(unsafe.Pointer(p))
	return m
}

func (factory) NewSemaphore(key string, initial int, mode backend.SemMode, cfg backend.Config) (backend.Semaphore, error) {
	if key == "" {
		return nil, backend.Errorf(backend.KeyError, "open", nil, "QSystemSemaphore::handle:: key is empty")
	}
	ck, n := cKey(key)
	defer C.free(unsafe.Pointer(ck))
	var st C.qtshm_status
	h := C.qtshm_sem_new(ck, n, C.int(initial), C.int(mode), &st)
	if st.ok == 0 {
		e := semError("open", st)
		C.qtshm_sem_delete(h)
		return nil, e
	}
	s := &semaphore{key: key, h: h}
	var l C.size_t
	if p := C.qtshm_sem_native_key(h, &l); p != nil {
		s.nativeKey = C.GoStringN(p, C.int(l))
		C.qtshm_free(unsafe.Pointer(p))
	} else {
		s.nativeKey = qtkey.SysV(key, qtkey.SemaphorePrefix, qtkey.TempPath())
	}
	return s, nil
}

// cKey copies key into C memory (freed by the caller): Go pointers never cross.
func cKey(key string) (*C.char, C.size_t) {
	return C.CString(key), C.size_t(len(key))
}

// takeError turns a failed status into *backend.Error and frees its message.
func takeError(op string, code backend.Code, st C.qtshm_status) *backend.Error {
	msg := ""
	if st.msg != nil {
		msg = C.GoString(st.msg)
		C.qtshm_free(unsafe.Pointer(st.msg))
	}
	// errno after a Qt call is only meaningful when it is the errno Qt turned into this code;
	// anything else is a leftover of an earlier syscall and would mislead errors.Is.
	var cause error
	if e := unix.Errno(st.sys_errno); e != 0 && errnoCodes[e] == code {
		cause = e
	}
	return backend.Errorf(code, op, cause, msg)
}

// errnoCodes is Qt's errno → error code mapping (setErrorString / setUnixErrorString).
var errnoCodes = map[unix.Errno]backend.Code{
	unix.EACCES: backend.PermissionDenied, unix.EPERM: backend.PermissionDenied,
	unix.EEXIST: backend.AlreadyExists, unix.ENOENT: backend.NotFound,
	unix.ENOMEM: backend.OutOfResources, unix.ENOSPC: backend.OutOfResources,
	unix.EMFILE: backend.OutOfResources, unix.ERANGE: backend.OutOfResources,
}

// semCodes maps QSystemSemaphore::SystemSemaphoreError to the shared-memory codes (as
// QSharedMemoryPrivate::initKey does).
var semCodes = [...]backend.Code{backend.NoError, backend.PermissionDenied, backend.KeyError,
	backend.AlreadyExists, backend.NotFound, backend.OutOfResources, backend.UnknownError}

func semError(op string, st C.qtshm_status) *backend.Error {
	code := backend.UnknownError
	if int(st.code) >= 0 && int(st.code) < len(semCodes) {
		code = semCodes[st.code]
	}
	return takeError(op, code, st)
}

type sharedMemory struct {
	key, nativeKey string
	h              *C.qtshm_shm
	data           unsafe.Pointer
	size           int
	locked         bool
}

var _ backend.SharedMemory = (*sharedMemory)(nil)

func (m *sharedMemory) Key() string       { return m.key }
func (m *sharedMemory) NativeKey() string { return m.nativeKey }

// Data is Qt's data(): C memory, so a Go slice over it is legal; it lives until detach.
func (m *sharedMemory) Data() []byte {
	if m.data == nil {
		return nil
	}
	return unsafe.Slice((*byte)(m.data), m.size)
}

// done records the state a shm call returned and converts its error.
func (m *sharedMemory) done(op string, st C.qtshm_status) error {
	m.data, m.size = st.data, int(st.size)
	if st.ok != 0 {
		return nil
	}
	code := backend.Code(st.code)
	if code == backend.NoError {
		code = backend.UnknownError
	}
	return takeError(op, code, st)
}

func (m *sharedMemory) Create(size int, mode backend.AccessMode) error {
	err := m.done("create", C.qtshm_shm_create(m.h, C.int64_t(size), C.int(mode)))
	m.locked = false // Qt's internal locker released any lock we held
	return err
}

func (m *sharedMemory) Attach(mode backend.AccessMode) error {
	if m.data != nil {
		return backend.Errorf(backend.AlreadyExists, "attach", nil, "QSharedMemory::attach: already attached")
	}
	err := m.done("attach", C.qtshm_shm_attach(m.h, C.int(mode)))
	m.locked = false
	return err
}

func (m *sharedMemory) Detach() error {
	if m.data == nil {
		return backend.Errorf(backend.NotFound, "detach", nil, "QSharedMemory::detach: not attached")
	}
	err := m.done("detach", C.qtshm_shm_detach(m.h))
	m.locked = false
	return err
}

func (m *sharedMemory) Lock(ctx context.Context) error {
	if m.locked {
		return nil
	}
	if ctx != nil && ctx.Done() != nil {
		return backend.Errorf(backend.LockError, "lock", errors.ErrUnsupported,
			"QSharedMemory::lock: the native backend cannot honour a cancellable context (QSystemSemaphore::acquire cannot time out)")
	}
	if err := m.done("lock", C.qtshm_shm_lock(m.h)); err != nil {
		return err
	}
	m.locked = true
	return nil
}

func (m *sharedMemory) Unlock() error {
	if !m.locked {
		return backend.Errorf(backend.LockError, "unlock", nil, "QSharedMemory::unlock: not locked")
	}
	m.locked = false
	return m.done("unlock", C.qtshm_shm_unlock(m.h))
}

// Close releases a held lock (Qt's destructor would not), then deletes the QSharedMemory.
func (m *sharedMemory) Close() error {
	if m.h == nil {
		return nil
	}
	if m.locked && m.data == nil {
		m.Unlock()
	}
	C.qtshm_shm_delete(m.h)
	m.h, m.data, m.size, m.locked = nil, nil, 0, false
	return nil
}

type semaphore struct {
	key, nativeKey string
	h              *C.qtshm_sem
}

var _ backend.Semaphore = (*semaphore)(nil)

func (s *semaphore) Key() string       { return s.key }
func (s *semaphore) NativeKey() string { return s.nativeKey }

func (s *semaphore) Acquire(ctx context.Context) error {
	if ctx != nil && ctx.Done() != nil {
		return backend.Errorf(backend.LockError, "acquire", errors.ErrUnsupported,
			"QSystemSemaphore::acquire: the native backend cannot honour a cancellable context")
	}
	if st := C.qtshm_sem_acquire(s.h); st.ok == 0 {
		return semError("acquire", st)
	}
	return nil
}

func (s *semaphore) Release(n int) error {
	if n < 0 {
		return backend.Errorf(backend.UnknownError, "release", nil, "QSystemSemaphore::release: n is negative.")
	}
	if st := C.qtshm_sem_release(s.h, C.int(n)); st.ok == 0 {
		return semError("release", st)
	}
	return nil
}

func (s *semaphore) Close() error {
	if s.h != nil {
		C.qtshm_sem_delete(s.h)
		s.h = nil
	}
	return nil
}
