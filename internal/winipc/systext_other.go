//go:build !windows

package winipc

// systemText stands in for Windows' message table on other systems (the error table's tests
// run everywhere): it is the text Qt 6 uses when the system has none.
func systemText(code uint32) string { return fallbackText(code) }
