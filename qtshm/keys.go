package qtshm

import "github.com/qtshm/qtshm-go/internal/qtkey"

// LegacyNativeKey returns the native key Qt computes for QSharedMemory(key) on Linux with the
// System V backend: TempPath() + "/qipc_sharedmemory_" + the ASCII letters of key + the 40
// lowercase hex digits of SHA-1(UTF-8 key). It is "" for an empty key.
//
//	LegacyNativeKey("SomeKey") == "/tmp/qipc_sharedmemory_SomeKeybf5cd77691581e6a59f8e3306703cfeccb6e3849"
func LegacyNativeKey(key string) string {
	return qtkey.SysV(key, qtkey.SharedMemoryPrefix, qtkey.TempPath())
}

// LegacySemaphoreNativeKey is [LegacyNativeKey] for QSystemSemaphore(key), also the key file of
// the lock of QSharedMemory(key): TempPath() + "/qipc_systemsem_" + letters + SHA-1.
func LegacySemaphoreNativeKey(key string) string {
	return qtkey.SysV(key, qtkey.SemaphorePrefix, qtkey.TempPath())
}

// TempPath returns what QDir::tempPath() returns in this process on Linux: $TMPDIR (or /tmp
// when unset or empty), cleaned and resolved through symlinks; "" when that directory does not
// exist (Qt then puts its key files in the root directory).
func TempPath() string { return qtkey.TempPath() }
