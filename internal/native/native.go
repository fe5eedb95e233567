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
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// Name is the backend's name (qtshm.BackendNative).
const Name = "native"

// Factory makes the backend's objects.
var Factory backend.Factory = factory{}

// QtVersion returns the Qt version the shim runs with, e.g. "6.4.2", and the QT_VERSION it was
// compiled against.
func QtVersion() (runtime string, compiled int) {
	return C.GoString(C.qtshm_qt_version_runtime()), int(C.qtshm_qt_version_compiled())
}

type factory struct{}

func (factory) NewSharedMemory(key string, cfg backend.Config) backend.SharedMemory {
	ck, n := cKey(key)
	defer C.free(unsafe.Pointer(ck))
	m := &sharedMemory{key: key, foreign: cfg.AllowForeign, h: C.qtshm_shm_new(ck, n)}
	var l C.size_t
	p := C.qtshm_shm_native_key(m.h, &l)
	m.nativeKey = C.GoStringN(p, C.int(l))
	C.qtshm_free(unsafe.Pointer(p))
	return m
}

func (factory) NewSemaphore(key string, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	if key == "" {
		return nil, qtipc.Errorf(qtipc.KeyError, "open", nil, "QSystemSemaphore::handle:: key is empty")
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
	if !cfg.AllowForeign {
		if e := checkForeignLegacySemaphore(s.nativeKey); e != nil {
			C.qtshm_sem_delete(h)
			return nil, e
		}
	}
	return s, nil
}

// cKey copies key into C memory (freed by the caller): Go pointers never cross.
func cKey(key string) (*C.char, C.size_t) {
	return C.CString(key), C.size_t(len(key))
}

// takeError turns a failed status into *qtipc.Error and frees its message.
func takeError(op string, code qtipc.ErrorCode, st C.qtshm_status) *qtipc.Error {
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
	return qtipc.Errorf(code, op, cause, msg)
}

// errnoCodes is Qt's errno → error code mapping (setErrorString / setUnixErrorString).
var errnoCodes = map[unix.Errno]qtipc.ErrorCode{
	unix.EACCES: qtipc.PermissionDenied, unix.EPERM: qtipc.PermissionDenied,
	unix.EEXIST: qtipc.AlreadyExists, unix.ENOENT: qtipc.NotFound,
	unix.ENOMEM: qtipc.OutOfResources, unix.ENOSPC: qtipc.OutOfResources,
	unix.EMFILE: qtipc.OutOfResources, unix.ERANGE: qtipc.OutOfResources,
}

func semError(op string, st C.qtshm_status) *qtipc.Error {
	return takeError(op, qtipc.SemaphoreErrorCode(int(st.code)), st)
}

// unbounded refuses a context that can be cancelled: Qt cannot honour it.
func unbounded(ctx context.Context, op, function string) *qtipc.Error {
	if ctx != nil && ctx.Done() != nil {
		return qtipc.Errorf(qtipc.LockError, op, errors.ErrUnsupported,
			function+": the native backend cannot honour a cancellable context (QSystemSemaphore::acquire cannot time out)")
	}
	return nil
}

type sharedMemory struct {
	key, nativeKey string
	ipcKey         *nativekey.Key // the QNativeIpcKey of an object made from one, else nil
	foreign        bool
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
	code := qtipc.ErrorCode(st.code)
	if code == qtipc.NoError {
		code = qtipc.UnknownError
	}
	return takeError(op, code, st)
}

// refuseForeign detaches again from a segment (or lock) of another user that Qt attached to.
func (m *sharedMemory) refuseForeign(op string, err error) error {
	if m.foreign {
		return err
	}
	check := checkForeignLegacySegment
	if m.ipcKey != nil {
		check = func(string) *qtipc.Error { return checkForeignNativeSegment(*m.ipcKey) }
	}
	if e := check(m.nativeKey); e != nil {
		if m.data != nil {
			m.done("detach", C.qtshm_shm_detach(m.h))
		}
		return e.WithOp(op)
	}
	return err
}

func (m *sharedMemory) Create(ctx context.Context, size int, mode qtipc.AccessMode) error {
	if e := unbounded(ctx, "create", "QSharedMemory::create"); e != nil {
		return e
	}
	err := m.done("create", C.qtshm_shm_create(m.h, C.int64_t(size), C.int(mode)))
	m.locked = false // Qt's internal locker released any lock we held
	var qe *qtipc.Error
	if err == nil || errors.As(err, &qe) && qe.Code == qtipc.AlreadyExists {
		return m.refuseForeign("create", err)
	}
	return err
}

func (m *sharedMemory) Attach(ctx context.Context, mode qtipc.AccessMode) error {
	if e := unbounded(ctx, "attach", "QSharedMemory::attach"); e != nil {
		return e
	}
	err := m.done("attach", C.qtshm_shm_attach(m.h, C.int(mode)))
	m.locked = false
	if err == nil {
		return m.refuseForeign("attach", nil)
	}
	return err
}

func (m *sharedMemory) Detach(ctx context.Context) error {
	if e := unbounded(ctx, "detach", "QSharedMemory::detach"); e != nil {
		return e
	}
	err := m.done("detach", C.qtshm_shm_detach(m.h))
	m.locked = false
	return err
}

func (m *sharedMemory) Lock(ctx context.Context) error {
	if m.locked {
		return nil
	}
	if e := unbounded(ctx, "lock", "QSharedMemory::lock"); e != nil {
		return e
	}
	if err := m.done("lock", C.qtshm_shm_lock(m.h)); err != nil {
		return err
	}
	m.locked = true
	return nil
}

func (m *sharedMemory) Unlock() error {
	if !m.locked {
		return qtipc.Errorf(qtipc.LockError, "unlock", nil, "QSharedMemory::unlock: not locked")
	}
	m.locked = false
	return m.done("unlock", C.qtshm_shm_unlock(m.h))
}

// Close releases a held lock (Qt's destructor would not), then deletes the QSharedMemory. Qt's
// destructor detaches under the lock and cannot be bounded: ctx is ignored.
func (m *sharedMemory) Close(ctx context.Context) error {
	if m.h == nil {
		return nil
	}
	if m.locked {
		m.Unlock()
	}
	C.qtshm_shm_delete(m.h)
	m.h, m.data, m.size, m.locked = nil, nil, 0, false
	return nil
}

type semaphore struct {
	key, nativeKey string
	ipcKey         *nativekey.Key // the QNativeIpcKey of an object made from one, else nil
	h              *C.qtshm_sem
}

var _ backend.Semaphore = (*semaphore)(nil)

func (s *semaphore) Key() string       { return s.key }
func (s *semaphore) NativeKey() string { return s.nativeKey }

func (s *semaphore) Acquire(ctx context.Context) error {
	if e := unbounded(ctx, "acquire", "QSystemSemaphore::acquire"); e != nil {
		return e
	}
	if st := C.qtshm_sem_acquire(s.h); st.ok == 0 {
		return semError("acquire", st)
	}
	return nil
}

func (s *semaphore) Release(n int) error {
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
