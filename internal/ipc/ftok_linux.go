//go:build linux && !android

package ipc

import "golang.org/x/sys/unix"

// Ftok computes glibc's ftok(path, proj) from stat(2); see [FtokStat].
func Ftok(path string, proj int) (int, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return -1, err
	}
	return FtokStat(uint64(st.Dev), uint64(st.Ino), proj), nil
}
