//go:build !windows

package local8bit

// codePage is UTF-8: Qt's local 8-bit encoding outside Windows is UTF-8 (Qt 6 always, Qt 5 in
// a UTF-8 locale, the only kind this project supports there).
func codePage() uint32 { return UTF8 }
