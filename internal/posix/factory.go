package posix

import (
	"errors"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// Factory makes the backend's objects for QNativeIpcKey keys of type PosixRealtime.
var Factory backend.NativeKeyFactory = factory{}

type factory struct{}

// LockName is the lock semaphore Qt 6.6.1+ gives QSharedMemory(k): for a key that records a
// legacy key, QSystemSemaphore::legacyNativeKey(legacy, PosixRealtime); otherwise the
// segment's own name.
func LockName(k nativekey.Key) string {
	if k.Legacy != "" {
		return nativekey.Legacy(k.Legacy, true, nativekey.PosixRealtime).Native
	}
	return k.Native
}

func unsupportedType(op string, t uint16) error {
	return qtipc.Errorf(qtipc.KeyError, op, errors.ErrUnsupported,
		"qtshm: the POSIX backend handles only PosixRealtime keys (type 0x100), not type "+hex(t))
}

func hex(t uint16) string {
	const digits = "0123456789abcdef"
	return "0x" + string([]byte{digits[t>>12&15], digits[t>>8&15], digits[t>>4&15], digits[t&15]})
}

func (factory) NewNativeSharedMemory(k nativekey.Key, cfg backend.Config) (backend.SharedMemory, error) {
	if k.Type != nativekey.PosixRealtime {
		return nil, unsupportedType("open", k.Type)
	}
	return NewSharedMemory(k.Native, LockName(k), k.Legacy, cfg)
}

func (factory) NewNativeSemaphore(k nativekey.Key, initialValue int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	if k.Type != nativekey.PosixRealtime {
		return nil, unsupportedType("open", k.Type)
	}
	return newNativeSemaphore(k, initialValue, mode, cfg)
}
