package qtshm

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/posix"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/sysv"
)

// posixFactory is the pure POSIX-realtime backend, for PosixRealtime keys.
var posixFactory = posix.Factory

// nativeKeySupporter is implemented by a native backend that can tell whether the Qt it was
// built against has QNativeIpcKey (Qt 6.6+).
type nativeKeySupporter interface{ SupportsNativeKeys() bool }

// checkNativeKey refuses, before anything is touched, a key no backend can use on this system.
func checkNativeKey(class, op string, k NativeIpcKey) *Error {
	switch {
	case !utf8.ValidString(k.Native) || !utf8.ValidString(k.Legacy):
		return newError(KeyError, op, k.Legacy, "qtshm: native key is not valid UTF-8", nil)
	case strings.IndexByte(k.Native, 0) >= 0:
		// Qt passes the name to the C library, which ends it at the NUL: another object.
		return newError(KeyError, op, k.Legacy, "qtshm: native key contains a NUL byte (Qt would cut the name there and use another object)", nil)
	case k.Type == Windows && windowsFactory == nil:
		return newError(KeyError, op, k.Legacy, class+"::setNativeKey: unsupported key type (Windows keys name Win32 objects)", errors.ErrUnsupported)
	case k.Type == 0 || (k.Type > 0xff && k.Type != PosixRealtime && k.Type != Windows):
		return newError(KeyError, op, k.Legacy, fmt.Sprintf("%s::setNativeKey: unsupported key type %#x", class, uint16(k.Type)), nil)
	}
	return nil
}

// nativeKeyFactory returns the backend for a native key: the one WithBackend names, else the
// native backend if it was built against Qt ≥ 6.6, else the pure backend of the key's type
// (System V for types 1..0xff, POSIX realtime for PosixRealtime).
func (o options) nativeKeyFactory(class, op string, k NativeIpcKey) (backend.NativeKeyFactory, *Error) {
	pure := func() (backend.NativeKeyFactory, *Error) {
		if windowsFactory != nil {
			// On Windows Qt supports only Windows keys.
			if k.Type != Windows {
				return nil, newError(KeyError, op, k.Legacy, fmt.Sprintf("%s::setNativeKey: unsupported key type (type %#x: only Windows keys exist on Windows)", class, uint16(k.Type)), errors.ErrUnsupported)
			}
			return windowsFactory.(backend.NativeKeyFactory), nil
		}
		if k.Type == PosixRealtime {
			if posixFactory == nil {
				return nil, newError(KeyError, op, k.Legacy, "qtshm: POSIX realtime keys are not supported in this build", errors.ErrUnsupported)
			}
			return posixFactory, nil
		}
		return sysv.Factory.(backend.NativeKeyFactory), nil
	}
	switch o.backend {
	case "":
		if f, ok := nativeFactory.(backend.NativeKeyFactory); ok {
			if s, ok := nativeFactory.(nativeKeySupporter); !ok || s.SupportsNativeKeys() {
				return f, nil
			}
		}
		return pure()
	case BackendWindows:
		if windowsFactory == nil {
			_, err := o.factory(op, k.Legacy)
			return nil, err
		}
		return pure()
	case BackendSysV:
		if k.Type == PosixRealtime {
			return nil, newError(KeyError, op, k.Legacy, "qtshm: the sysv backend takes System V keys, not POSIX realtime ones (use BackendPosix)", errors.ErrUnsupported)
		}
		if k.Type == Windows {
			return nil, newError(KeyError, op, k.Legacy, "qtshm: the sysv backend takes System V keys, not Windows ones (use BackendWindows)", errors.ErrUnsupported)
		}
		return pure()
	case BackendPosix:
		if k.Type != PosixRealtime {
			return nil, newError(KeyError, op, k.Legacy, "qtshm: the posix backend takes POSIX realtime keys, not System V ones (use BackendSysV)", errors.ErrUnsupported)
		}
		return pure()
	case BackendNative:
		if _, err := o.factory(op, k.Legacy); err != nil {
			return nil, err
		}
		if f, ok := nativeFactory.(backend.NativeKeyFactory); ok {
			return f, nil
		}
		return nil, newError(KeyError, op, k.Legacy, "qtshm: the native backend of this build has no native keys (Qt 6.6+)", errors.ErrUnsupported)
	}
	_, err := o.factory(op, k.Legacy)
	return nil, err
}

// NewFromNativeKey returns a SharedMemory for a Qt 6.6+ native key, like
// QSharedMemory(const QNativeIpcKey &): k names the segment directly (a POSIX name such as
// "/K" for PosixRealtime, a key file for System V types), so it meets a Qt process that uses
// the same QNativeIpcKey, e.g. one handed over as a string ([NativeIpcKey.String],
// [ParseNativeIpcKey]). Nothing is derived from a temp directory or a Qt flavour.
//
// The lock is chosen as in Qt 6.6.1+: a key that records a legacy key (k.Legacy, as made by
// [LegacyNativeIpcKey] or parsed from "…?legacyKey=K") locks the legacy semaphore of that key
// (qipc_systemsem_…), the one [New] locks; a plain native key locks a semaphore of the same
// native key (System V: the same file and project id; POSIX: the same name).
//
// An invalid or unsupported key type (including [Windows] on Linux) makes every call fail with
// KeyError. Options select the backend as for [New]; by default it is the native backend when
// the program is built with it against Qt ≥ 6.6, else the pure backend of k's type.
func NewFromNativeKey(k NativeIpcKey, opts ...Option) *SharedMemory {
	o := getOptions(opts)
	m := &SharedMemory{key: k.Legacy, nkey: k, isNative: true}
	if err := checkNativeKey("QSharedMemory", "new", k); err != nil {
		m.initErr = err
		return m
	}
	f, err := o.nativeKeyFactory("QSharedMemory", "new", k)
	if err != nil {
		m.initErr = err
		return m
	}
	b, berr := f.NewNativeSharedMemory(k.internal(), o.cfg)
	if berr != nil {
		m.initErr = asError(qtipc.WithKey(k.Legacy, berr))
		return m
	}
	m.b = b
	return m
}

// NativeIpcKey returns the object's key as a QNativeIpcKey (QSharedMemory::nativeIpcKey): the
// key given to [NewFromNativeKey], or for [New](key) the legacy key Qt 6.6+ makes of key
// (type SystemV, the key file as native key, key as legacy key).
func (m *SharedMemory) NativeIpcKey() NativeIpcKey {
	if m.isNative {
		return m.nkey
	}
	return NativeIpcKey{Type: legacyKeyType(), Native: m.NativeKey(), Legacy: m.key}
}

// legacyKeyType is QNativeIpcKey::legacyDefaultTypeForOs: Windows on Windows, else SystemV.
func legacyKeyType() KeyType {
	if windowsFactory != nil {
		return Windows
	}
	return SystemV
}

// NewSystemSemaphoreFromNativeKey opens or creates the semaphore of a Qt 6.6+ native key, like
// QSystemSemaphore(const QNativeIpcKey &, initialValue, mode). Values, modes and errors are
// as for [NewSystemSemaphore]; an empty native key fails with KeyError, and an invalid or
// unsupported key type with KeyError. Options select the backend as for [NewFromNativeKey].
func NewSystemSemaphoreFromNativeKey(k NativeIpcKey, initialValue int, mode SemaphoreMode, opts ...Option) (*SystemSemaphore, error) {
	o := getOptions(opts)
	if err := checkNativeKey("QSystemSemaphore", "open", k); err != nil {
		return nil, err
	}
	if err := checkSemaphoreArgs(k.Legacy, initialValue, mode); err != nil {
		return nil, err
	}
	if k.Native == "" {
		return nil, newError(KeyError, "open", k.Legacy, "QSystemSemaphore::handle:: key is empty", nil)
	}
	f, err := o.nativeKeyFactory("QSystemSemaphore", "open", k)
	if err != nil {
		return nil, err
	}
	b, berr := f.NewNativeSemaphore(k.internal(), initialValue, mode, o.cfg)
	if berr != nil {
		return nil, qtipc.WithKey(k.Legacy, berr)
	}
	return &SystemSemaphore{key: k.Legacy, b: b, nkey: k, isNative: true}, nil
}

// NativeIpcKey returns the semaphore's key as a QNativeIpcKey (QSystemSemaphore::nativeIpcKey):
// the key given to [NewSystemSemaphoreFromNativeKey], or for [NewSystemSemaphore](key) the
// legacy key Qt 6.6+ makes of key.
func (s *SystemSemaphore) NativeIpcKey() NativeIpcKey {
	if s.isNative {
		return s.nkey
	}
	return NativeIpcKey{Type: legacyKeyType(), Native: s.NativeKey(), Legacy: s.key}
}

// asError is err as an *Error (backends return only those), or an UnknownError wrapping it.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return newError(UnknownError, "new", "", err.Error(), err)
}
