//go:build windows

package winipc

import (
	"errors"
	"fmt"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// Factory makes the backend's objects: for QString keys (backend.Factory) and for Qt 6.6+
// native keys of type Windows (backend.NativeKeyFactory).
var Factory interface {
	backend.Factory
	backend.NativeKeyFactory
} = factory{}

type factory struct{}

func (factory) NewSharedMemory(key string, cfg backend.Config) backend.SharedMemory {
	return NewSharedMemory(SegmentName(key), SemaphoreName(key), key, cfg.Flavor)
}

func (factory) NewSemaphore(key string, initialValue int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	s, err := NewSemaphore(SemaphoreName(key), key, initialValue, mode, cfg.Flavor)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func unsupportedType(t uint16) error {
	return qtipc.Errorf(qtipc.KeyError, "open", errors.ErrUnsupported,
		fmt.Sprintf("qtshm: the Windows backend handles only Windows keys (type 0x101), not type %#x", t))
}

// NewNativeSharedMemory is QSharedMemory(QNativeIpcKey) for a Windows key. Only Qt 6.6+ has
// native keys, so the flavour is FlavorQt661 whatever cfg says.
func (factory) NewNativeSharedMemory(k nativekey.Key, cfg backend.Config) (backend.SharedMemory, error) {
	if k.Type != nativekey.Windows {
		return nil, unsupportedType(k.Type)
	}
	return NewSharedMemory(k.Native, LockName(k), k.Legacy, qtipc.FlavorQt661), nil
}

// NewNativeSemaphore is QSystemSemaphore(QNativeIpcKey, initialValue, mode) for a Windows key.
func (factory) NewNativeSemaphore(k nativekey.Key, initialValue int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	if k.Type != nativekey.Windows {
		return nil, unsupportedType(k.Type)
	}
	s, err := NewSemaphore(k.Native, k.Legacy, initialValue, mode, qtipc.FlavorQt661)
	if err != nil {
		return nil, err
	}
	return s, nil
}
