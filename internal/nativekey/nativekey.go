// Package nativekey parses and formats the string form of Qt 6.6+'s QNativeIpcKey
// (QNativeIpcKey::fromString and toString, which go through QUrl in tolerant mode) and derives
// native keys from QString keys (platformSafeKey, legacyNativeKey). The rules were checked
// against Qt 6.8.2 through the peer protocol (interop_test/nativekey_test.go).
package nativekey

import (
	"os"
	"strconv"
	"strings"

	"github.com/qtshm/qtshm-go/internal/qtkey"
)

// Key types: QNativeIpcKey::Type. 1..0xff are System V keys with that ftok project id
// (SystemV is 'Q').
const (
	Invalid       uint16 = 0
	SystemV       uint16 = 0x51
	PosixRealtime uint16 = 0x100
	Windows       uint16 = 0x101
)

// Key is a QNativeIpcKey: its type, native key and the legacy key it records.
type Key struct {
	Type   uint16
	Native string
	Legacy string
}

// typeString is typeToString: "" for a type without a string form.
func typeString(t uint16) string {
	switch t {
	case SystemV:
		return "systemv"
	case PosixRealtime:
		return "posix"
	case Windows:
		return "windows"
	}
	if t >= 1 && t <= 0xff {
		return "systemv-" + strconv.Itoa(int(t))
	}
	return ""
}

// stringToType is Qt's stringToType on the lowercased scheme: Invalid if it names no type.
func stringToType(s string) uint16 {
	switch s {
	case "posix":
		return PosixRealtime
	case "windows":
		return Windows
	case "systemv":
		return SystemV
	}
	rest, ok := strings.CutPrefix(s, "systemv")
	if !ok {
		return Invalid
	}
	// -rest.toInt(): rest is "-N" (a scheme holds no spaces); QString::toInt accepts one sign.
	n, err := strconv.ParseInt(rest, 10, 32)
	if err != nil {
		return Invalid
	}
	n = -n
	if n < 1 || n > 0xff {
		return Invalid
	}
	return uint16(n)
}

// Parse is QNativeIpcKey::fromString; ok is false for a string Qt parses to an invalid key.
func Parse(text string) (k Key, ok bool) {
	text = qtkey.DecodeUTF8(text)
	colon := strings.IndexByte(text, ':')
	if colon <= 0 {
		return Key{}, false
	}
	scheme := text[:colon]
	if !isAlpha(scheme[0]) {
		return Key{}, false
	}
	for i := 1; i < len(scheme); i++ {
		if c := scheme[i]; !isAlpha(c) && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return Key{}, false
		}
	}
	t := stringToType(strings.ToLower(scheme))
	if t == Invalid {
		return Key{}, false
	}
	rest := text[colon+1:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i] // the fragment is ignored
	}
	hier, query, hasQuery := strings.Cut(rest, "?")
	if strings.HasPrefix(hier, "//") {
		auth := hier[2:]
		path := ""
		if i := strings.IndexByte(auth, '/'); i >= 0 {
			auth, path = auth[:i], auth[i:]
		}
		if !emptyAuthority(auth) {
			return Key{}, false
		}
		hier = path
	}
	k = Key{Type: t, Native: decodeComponent(hier, strayPercent(hier))}
	if hasQuery && query != "" {
		// QUrlQuery: items split at '&', names from values at the first '='; an empty item
		// counts (and names no known item) except after the last '&'.
		items := strings.Split(query, "&")
		if items[len(items)-1] == "" {
			items = items[:len(items)-1]
		}
		stray := strayPercent(query)
		for _, item := range items {
			name, value, _ := strings.Cut(item, "=")
			if decodeComponent(name, stray) != "legacyKey" {
				return Key{}, false
			}
			k.Legacy = decodeComponent(value, stray)
		}
	}
	return k, true
}

// emptyAuthority reports whether QUrl finds no user info, host or port in auth.
func emptyAuthority(auth string) bool {
	if i := strings.LastIndexByte(auth, '@'); i >= 0 {
		if auth[:i] != "" {
			return false
		}
		auth = auth[i+1:]
	}
	return auth == "" || auth == ":"
}

func isAlpha(c byte) bool { return 'A' <= c&^0x20 && c&^0x20 <= 'Z' }

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// strayPercent reports whether s holds a '%' not followed by two hex digits. QUrl's tolerant
// mode then takes every '%' of that URL component (the path; the whole query) literally.
func strayPercent(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) {
				return true
			}
			_, ok1 := unhex(s[i+1])
			_, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return true
			}
		}
	}
	return false
}

// decodeComponent decodes every %XX of s, unless stray (then s is literal). Bytes that do not
// form UTF-8 become U+FFFD.
func decodeComponent(s string, stray bool) string {
	if stray || strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return qtkey.DecodeUTF8(string(b))
}

// encode writes s percent-encoding the control characters and the bytes in extra.
func encode(b *strings.Builder, s, extra string) {
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte(extra, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		} else {
			b.WriteByte(c)
		}
	}
}

// String is QNativeIpcKey::toString: "" for a key whose type has no string form.
func (k Key) String() string {
	prefix := typeString(k.Type)
	if prefix == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte(':')
	native := qtkey.DecodeUTF8(k.Native)
	if strings.HasPrefix(native, "//") {
		b.WriteString("/%2F")
		native = native[2:]
	}
	encode(&b, native, "%?#")
	if k.Legacy != "" {
		b.WriteString("?legacyKey=")
		encode(&b, qtkey.DecodeUTF8(k.Legacy), "%#&=")
	}
	return b.String()
}

// Legacy is QSharedMemory::legacyNativeKey (sem false) or QSystemSemaphore::legacyNativeKey
// (sem true) on this system (Windows keys only on Windows, the others only elsewhere): the Qt 4.4–6.5 name for key, as a key of type t that records key.
func Legacy(key string, sem bool, t uint16) Key {
	k := Key{Type: t}
	key = qtkey.DecodeUTF8(key)
	if key == "" {
		return k
	}
	prefix := qtkey.SharedMemoryPrefix
	if sem {
		prefix = qtkey.SemaphorePrefix
	}
	name := qtkey.Name(key, prefix)
	if !supportedHere(t) {
		return k // Qt supports only Windows keys on Windows, and none on other systems
	}
	switch t {
	case Windows:
		return Key{t, name, key}
	case PosixRealtime:
		return Key{t, "/" + name, key}
	}
	return Key{t, qtkey.TempPathFor(os.Getenv("TMPDIR"), qtkey.RulesQt68) + "/" + name, key}
}

// PlatformSafe is QSharedMemory::platformSafeKey (sem false) or QSystemSemaphore's (sem true)
// of Qt 6.8 on this system: on Windows only Windows keys have a native key (WindowsSafe), on
// other systems only System V and POSIX keys do. For System V it may create the runtime
// directory, as Qt does.
func PlatformSafe(key string, sem bool, t uint16) Key {
	k := Key{Type: t}
	key = qtkey.DecodeUTF8(key)
	if key == "" {
		return k
	}
	if !supportedHere(t) {
		return k
	}
	switch t {
	case PosixRealtime:
		k.Native = "/" + key
		return k
	case Windows:
		k.Native = WindowsSafe(key, sem)
		return k
	}
	if strings.HasPrefix(key, "/") {
		k.Native = key
	} else {
		k.Native = RuntimeDir() + "/" + key
	}
	return k
}

// RuntimeDir is QStandardPaths::writableLocation(RuntimeLocation) on Linux: $XDG_RUNTIME_DIR
// if it is a directory owned by this user with mode 0700, else tempPath/runtime-USER, created
// 0700 if missing, and "" if that is not suitable either.
func RuntimeDir() string {
	if d := qtkey.DecodeUTF8(os.Getenv("XDG_RUNTIME_DIR")); d != "" && checkRuntimeDir(d) {
		return d
	}
	d := qtkey.TempPathFor(os.Getenv("TMPDIR"), qtkey.RulesQt68) + "/runtime-" + userName()
	if !checkRuntimeDir(d) {
		return ""
	}
	return d
}
