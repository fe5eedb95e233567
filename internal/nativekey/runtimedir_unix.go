//go:build unix

package nativekey

import (
	"os"
	"syscall"
)

// checkRuntimeDir creates dir (mode 0700) if missing, then requires a directory (not a
// symlink) owned by the effective uid with exactly mode 0700.
func checkRuntimeDir(dir string) bool {
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(dir, &st); err != nil {
		return false
	}
	return st.Mode&syscall.S_IFMT == syscall.S_IFDIR && int(st.Uid) == os.Geteuid() && st.Mode&0o7777 == 0o700
}
