//go:build (qt5 || qt6) && !(qt5 && qt6)

package native

/*
#include <stdlib.h>
#include "qtshm_shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

var _ backend.NativeKeyFactory = factory{}

// SupportsNativeKeys reports whether the shim was compiled against Qt ≥ 6.6, which has
// QNativeIpcKey: only then do NewNativeSharedMemory and NewNativeSemaphore work. Package qtshm
// asks the factory (Factory.(interface{ SupportsNativeKeys() bool })) before offering native
// keys on this backend; the factory methods fail with errors.ErrUnsupported otherwise.
func SupportsNativeKeys() bool { return C.qtshm_native_keys_supported() != 0 }

// SupportsNativeKeys is the package function [SupportsNativeKeys], for callers that hold the
// factory.
func (factory) SupportsNativeKeys() bool { return SupportsNativeKeys() }

// noNativeKeys is the error of every native-key call when the shim was built against Qt < 6.6.
func noNativeKeys(op string) *qtipc.Error {
	_, compiled := QtVersion()
	return qtipc.Errorf(qtipc.KeyError, op, errors.ErrUnsupported,
		fmt.Sprintf("the native backend was built against Qt %d.%d, which has no QNativeIpcKey (Qt 6.6+)",
			compiled>>16, compiled>>8&0xff))
}

// keyStatus converts the status of a native-key constructor that gave no object: the key type
// is unsupported (errors.ErrUnsupported), or Qt cannot represent the key exactly (KeyError).
func keyStatus(op string, st C.qtshm_status) *qtipc.Error {
	msg := ""
	if st.msg != nil {
		msg = C.GoString(st.msg)
		C.qtshm_free(unsafe.Pointer(st.msg))
	}
	switch st.code {
	case C.QTSHM_UNSUPPORTED:
		if !SupportsNativeKeys() {
			return noNativeKeys(op)
		}
		return qtipc.Errorf(qtipc.KeyError, op, errors.ErrUnsupported, msg)
	case C.QTSHM_KEY_MISMATCH:
		return qtipc.Errorf(qtipc.KeyError, op, nil, msg)
	}
	return qtipc.Errorf(qtipc.UnknownError, op, nil, msg)
}

// checkType refuses, before Qt sees it, a key type that is neither System V (1..0xff) nor
// PosixRealtime. Qt 6.8.2's isKeyTypeSupported accepts every type but PosixRealtime and
// Windows as System V (ftok then takes the type's low byte as project id: type 0 and 0x102
// would be project ids 0 and 2); the pure backends and qtshm do not, and neither does this one.
func checkType(class, op string, t uint16) *qtipc.Error {
	if (t >= 1 && t <= 0xff) || t == nativekey.PosixRealtime {
		return nil
	}
	return qtipc.Errorf(qtipc.KeyError, op, errors.ErrUnsupported, fmt.Sprintf("%s::setNativeKey: unsupported key type %#x", class, t))
}

// cNativeKey copies the native and legacy keys into C memory; free releases both.
func cNativeKey(k nativekey.Key) (native *C.char, nativeLen C.size_t, legacy *C.char, legacyLen C.size_t, free func()) {
	native, nativeLen = cKey(k.Native)
	legacy, legacyLen = cKey(k.Legacy)
	return native, nativeLen, legacy, legacyLen, func() {
		C.free(unsafe.Pointer(native))
		C.free(unsafe.Pointer(legacy))
	}
}

// goKey turns the malloc'd strings of qtshm_*_native_ipc_key into a nativekey.Key.
func goKey(t C.int, native *C.char, nativeLen C.size_t, legacy *C.char, legacyLen C.size_t) nativekey.Key {
	k := nativekey.Key{Type: uint16(t), Native: C.GoStringN(native, C.int(nativeLen)), Legacy: C.GoStringN(legacy, C.int(legacyLen))}
	C.qtshm_free(unsafe.Pointer(native))
	C.qtshm_free(unsafe.Pointer(legacy))
	return k
}

// NewNativeSharedMemory is QSharedMemory(const QNativeIpcKey &). The key Qt holds is read back:
// Key is its legacy key ("" for none), NativeKey its native key. Qt checks nothing until
// create or attach, so a bad native key fails there, as in Qt.
func (factory) NewNativeSharedMemory(k nativekey.Key, cfg backend.Config) (backend.SharedMemory, error) {
	if !SupportsNativeKeys() {
		return nil, noNativeKeys("open")
	}
	if e := checkType("QSharedMemory", "open", k.Type); e != nil {
		return nil, e
	}
	cn, nn, cl, nl, free := cNativeKey(k)
	defer free()
	var st C.qtshm_status
	h := C.qtshm_shm_new_native(C.int(k.Type), cn, nn, cl, nl, &st)
	if h == nil {
		return nil, keyStatus("open", st)
	}
	if st.ok == 0 {
		e := takeError("open", qtipc.ErrorCode(st.code), st)
		C.qtshm_shm_delete(h)
		return nil, e
	}
	var p, q *C.char
	var pl, ql C.size_t
	got := goKey(C.qtshm_shm_native_ipc_key(h, &p, &pl, &q, &ql), p, pl, q, ql)
	m := &sharedMemory{key: got.Legacy, nativeKey: got.Native, ipcKey: &got, foreign: cfg.AllowForeign, h: h}
	return m, nil
}

// NewNativeSemaphore is QSystemSemaphore(const QNativeIpcKey &, initialValue, mode): the
// semaphore is opened (or created) here, as in Qt, and an error of Qt's constructor is
// returned. A semaphore that belongs to another user is refused unless cfg.AllowForeign.
func (factory) NewNativeSemaphore(k nativekey.Key, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	if !SupportsNativeKeys() {
		return nil, noNativeKeys("open")
	}
	if e := checkType("QSystemSemaphore", "open", k.Type); e != nil {
		return nil, e
	}
	cn, nn, cl, nl, free := cNativeKey(k)
	defer free()
	var st C.qtshm_status
	h := C.qtshm_sem_new_native(C.int(k.Type), cn, nn, cl, nl, C.int(initial), C.int(mode), &st)
	if h == nil {
		return nil, keyStatus("open", st)
	}
	if st.ok == 0 {
		e := semError("open", st)
		C.qtshm_sem_delete(h)
		return nil, e
	}
	var p, q *C.char
	var pl, ql C.size_t
	got := goKey(C.qtshm_sem_native_ipc_key(h, &p, &pl, &q, &ql), p, pl, q, ql)
	s := &semaphore{key: got.Legacy, nativeKey: got.Native, ipcKey: &got, h: h}
	if !cfg.AllowForeign {
		if e := checkForeignNativeSemaphore(got); e != nil {
			C.qtshm_sem_delete(h)
			return nil, e
		}
	}
	return s, nil
}

// NativeIpcKey returns the QNativeIpcKey of a backend object of this package made from a
// native key, and false for any other object.
func NativeIpcKey(obj any) (nativekey.Key, bool) {
	switch o := obj.(type) {
	case *sharedMemory:
		if o.ipcKey != nil {
			return *o.ipcKey, true
		}
	case *semaphore:
		if o.ipcKey != nil {
			return *o.ipcKey, true
		}
	}
	return nativekey.Key{}, false
}
