//go:build linux && !android

package posix

import (
	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

func newNativeSemaphore(k nativekey.Key, initial int, mode qtipc.SemaphoreMode, cfg backend.Config) (backend.Semaphore, error) {
	s, e := newSemaphore(k.Native, k.Legacy, initial, mode, cfg)
	if e != nil {
		return nil, e
	}
	return s, nil
}
