//go:build windows

package winipc

import (
	"strings"

	"golang.org/x/sys/windows"
)

// systemText is Qt 6's qt_error_string(code) on Windows (windowsErrorString): FormatMessageW of
// the system's message for code in the user's default language (LANG_NEUTRAL,
// SUBLANG_DEFAULT), without its final "\r\n"; "Unknown error 0x%08x." when there is none.
func systemText(code uint32) string {
	const langNeutralSublangDefault = 0x0400 // MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT)
	buf := make([]uint16, 512)
	n, err := windows.FormatMessage(windows.FORMAT_MESSAGE_FROM_SYSTEM|windows.FORMAT_MESSAGE_IGNORE_INSERTS,
		0, code, langNeutralSublangDefault, buf, nil)
	var s string
	if err == nil {
		s = windows.UTF16ToString(buf[:n])
	}
	if s == "" && code == uint32(windows.ERROR_MOD_NOT_FOUND) {
		s = "The specified module could not be found."
	}
	s = strings.TrimSuffix(s, "\r\n")
	if s == "" {
		s = fallbackText(code)
	}
	return s
}
