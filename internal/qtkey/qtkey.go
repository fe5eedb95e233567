// Package qtkey derives the native names Qt gives to its IPC objects for a QString key
// (QSharedMemoryPrivate::makePlatformSafeKey in Qt ≤ 6.5, QtIpcCommon::legacyPlatformSafeKey in
// Qt 6.6+; both identical on Linux), and the temporary directory Qt puts System V key files
// in (QDir::tempPath(), see temppath.go).
package qtkey

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// Prefixes of Qt's legacy (QString-key) native names.
const (
	SharedMemoryPrefix = "qipc_sharedmemory_"
	SemaphorePrefix    = "qipc_systemsem_"
)

// Name is prefix + the ASCII letters of key (in order) + the 40 lowercase hex digits of
// SHA-1(UTF-8 key). It is "" for an empty key (Qt's null key).
func Name(key, prefix string) string {
	if key == "" {
		return ""
	}
	sum := sha1.Sum([]byte(key))
	var b strings.Builder
	b.Grow(len(prefix) + len(key) + 40)
	b.WriteString(prefix)
	for i := 0; i < len(key); i++ {
		// Only ASCII letters are kept; every byte of a multi-byte UTF-8 sequence is >= 0x80,
		// so filtering bytes equals Qt's filter over UTF-16 code units.
		if c := key[i]; ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			b.WriteByte(c)
		}
	}
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// SysV is the System V form of the native key: tempDir + "/" + Name(key, prefix), "" for an
// empty key. tempDir is normally [TempPath](). An empty tempDir (Qt's temp path of a missing
// directory) gives a key file in the root directory, as in Qt.
func SysV(key, prefix, tempDir string) string {
	n := Name(key, prefix)
	if n == "" {
		return ""
	}
	return tempDir + "/" + n
}

// Posix is the POSIX-realtime form of the native key: "/" + Name(key, prefix).
func Posix(key, prefix string) string {
	n := Name(key, prefix)
	if n == "" {
		return ""
	}
	return "/" + n
}
