package nativekey

import (
	"runtime"
	"strings"
)

// windowsIPC reports whether this program runs on Windows, where Qt supports only Windows keys
// (QtIpcCommon::isIpcSupported).
const windowsIPC = runtime.GOOS == "windows"

// supportedHere reports whether Qt derives native keys of type t on this system.
func supportedHere(t uint16) bool {
	if windowsIPC {
		return t == Windows
	}
	return t != Windows
}

// MaxPath is Windows' MAX_PATH, the limit Qt 6.6+ puts on the names it derives for Windows keys,
// counted in UTF-16 code units as QString::truncate counts.
const MaxPath = 260

// WindowsSafe is Qt 6.8's platformSafeKey for a Windows key on Windows: a leading "Local\" or
// "Global\" (the kernel object namespace, matched case-sensitively as Qt does) is kept, then
// "shm_" (sem false) or "sem_" (sem true) and the rest of key, cut to MAX_PATH UTF-16 code units.
// "Local\demo" gives "Local\shm_demo"; "demo" gives "shm_demo". "" for an empty key.
func WindowsSafe(key string, sem bool) string {
	if key == "" {
		return ""
	}
	prefix, payload := "", key
	for _, p := range []string{`Local\`, `Global\`} {
		if strings.HasPrefix(key, p) {
			prefix, payload = p, key[len(p):]
			break
		}
	}
	mid := "shm_"
	if sem {
		mid = "sem_"
	}
	return TruncateUTF16(prefix+mid+payload, MaxPath)
}

// WindowsLockName is the lock semaphore Qt 6.6+ gives QSharedMemory for a Windows native key
// that records no legacy key (QSharedMemoryPrivate::semaphoreNativeKey): the native key cut to
// MAX_PATH - 5 UTF-16 code units, then "_sem".
func WindowsLockName(native string) string {
	const suffix = "_sem"
	return TruncateUTF16(native, MaxPath-len(suffix)-1) + suffix
}

// TruncateUTF16 is QString::truncate(n): s cut to its first n UTF-16 code units. A surrogate
// pair cut in half leaves a lone surrogate in Qt; here it becomes U+FFFD, as every unpaired
// surrogate does in a Go string.
func TruncateUTF16(s string, n int) string {
	units := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > n {
			if units < n { // half a pair fits
				return s[:i] + "\uFFFD"
			}
			return s[:i]
		}
		units += w
	}
	return s
}
