package winipc

import (
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtkey"
)

// SegmentName is the file mapping Qt names for QSharedMemory(key) on Windows.
func SegmentName(key string) string { return qtkey.Name(key, qtkey.SharedMemoryPrefix) }

// SemaphoreName is the semaphore Qt names for QSystemSemaphore(key) on Windows, also the lock
// of QSharedMemory(key).
func SemaphoreName(key string) string { return qtkey.Name(key, qtkey.SemaphorePrefix) }

// LockName is the lock Qt 6.6+ gives QSharedMemory(k) for a Windows native key: the legacy lock
// of a key that records a legacy key, else the native key cut to 255 UTF-16 code units + "_sem";
// "" (no lock) for an empty native key.
func LockName(k nativekey.Key) string {
	switch {
	case k.Legacy != "":
		return SemaphoreName(k.Legacy)
	case k.Native == "":
		return ""
	}
	return nativekey.WindowsLockName(k.Native)
}
