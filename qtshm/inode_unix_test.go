//go:build unix

package qtshm_test

import "syscall"

// inodeOf is the inode number of path.
func inodeOf(path string) (uint64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return 0, err
	}
	return uint64(st.Ino), nil
}
