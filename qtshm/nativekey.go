package qtshm

import "github.com/qtshm/qtshm-go/internal/nativekey"

// KeyType is QNativeIpcKey::Type: the kind of IPC object a [NativeIpcKey] names. The values
// 1..0xff are System V keys whose ftok project id is that value ([SystemV] is 'Q').
type KeyType uint16

// The key types of Qt 6.6+.
const (
	SystemV       KeyType = 0x51  // System V IPC, ftok project id 'Q'
	PosixRealtime KeyType = 0x100 // POSIX realtime: shm_open and sem_open
	Windows       KeyType = 0x101 // Win32 (never supported on Linux)
)

// NativeIpcKey is QNativeIpcKey: a native key, its type, and the legacy (QString) key it was
// derived from, if any.
type NativeIpcKey struct {
	Type   KeyType
	Native string // nativeKey()
	Legacy string // the legacy key it was made from, "" if none
}

// ParseNativeIpcKey is QNativeIpcKey::fromString: it parses a key's string form
// ("posix:/name", "systemv:/path?legacyKey=key", "systemv-N:/path") as Qt 6.8 does. A string
// Qt parses to an invalid key gives an *Error with Code KeyError.
func ParseNativeIpcKey(s string) (NativeIpcKey, error) {
	k, ok := nativekey.Parse(s)
	if !ok {
		return NativeIpcKey{}, newError(KeyError, "ParseNativeIpcKey", "", "QNativeIpcKey::fromString: invalid key string", nil)
	}
	return NativeIpcKey{KeyType(k.Type), k.Native, k.Legacy}, nil
}

// String is QNativeIpcKey::toString: the form another process parses back with
// [ParseNativeIpcKey] (or QNativeIpcKey::fromString). It is "" for an invalid key.
func (k NativeIpcKey) String() string { return k.internal().String() }

// IsValid reports whether the key has a valid type (QNativeIpcKey::isValid); it does not check
// the native key.
func (k NativeIpcKey) IsValid() bool { return k.Type != 0 }

func (k NativeIpcKey) internal() nativekey.Key {
	return nativekey.Key{Type: uint16(k.Type), Native: k.Native, Legacy: k.Legacy}
}

func fromInternal(k nativekey.Key) NativeIpcKey {
	return NativeIpcKey{KeyType(k.Type), k.Native, k.Legacy}
}

// PlatformSafeKey is QSharedMemory::platformSafeKey(key, t) of Qt 6.8. On Linux: "/"+key for
// PosixRealtime; for System V key itself if it starts with '/', else the runtime directory
// (QStandardPaths::RuntimeLocation: $XDG_RUNTIME_DIR if it is a 0700 directory of this user,
// else TMPDIR/runtime-USER, which it creates as Qt does) + "/" + key; an empty native key for
// Windows or an empty key. On Windows: for Windows keys, key with "shm_" inserted after a
// leading "Local\" or "Global\" (cut to MAX_PATH); an empty native key for the other types.
func PlatformSafeKey(key string, t KeyType) NativeIpcKey {
	return fromInternal(nativekey.PlatformSafe(key, false, uint16(t)))
}

// PlatformSafeSemaphoreKey is QSystemSemaphore::platformSafeKey(key, t): as [PlatformSafeKey],
// but a Windows key gets "sem_" instead of "shm_" (on Linux the two are the same).
func PlatformSafeSemaphoreKey(key string, t KeyType) NativeIpcKey {
	return fromInternal(nativekey.PlatformSafe(key, true, uint16(t)))
}

// LegacyNativeIpcKey is QSharedMemory::legacyNativeKey(key, t): the native key Qt 4.4–6.5
// used for key (the one [New] uses), as a key of type t that records key as its legacy key.
func LegacyNativeIpcKey(key string, t KeyType) NativeIpcKey {
	return fromInternal(nativekey.Legacy(key, false, uint16(t)))
}

// LegacySemaphoreNativeIpcKey is QSystemSemaphore::legacyNativeKey(key, t): as
// [LegacyNativeIpcKey] with the semaphore prefix qipc_systemsem_.
func LegacySemaphoreNativeIpcKey(key string, t KeyType) NativeIpcKey {
	return fromInternal(nativekey.Legacy(key, true, uint16(t)))
}
