//go:build linux && !android

package psem

import (
	"strings"

	"golang.org/x/sys/unix"
)

// nameMax is NAME_MAX, the longest file name component.
const nameMax = 255

// semNameMax is the longest NAME whose file name "sem.NAME" fits in NAME_MAX.
const semNameMax = nameMax - len("sem.")

// Path returns the file glibc uses for the semaphore name: "/NAME" (any number of leading
// slashes) is "/dev/shm/sem.NAME". As glibc's sem_open it fails with unix.EINVAL if NAME is
// empty or contains '/' (or a NUL byte, which a C name cannot hold), and with
// unix.ENAMETOOLONG if "sem.NAME" is longer than NAME_MAX, that is NAME longer than 251
// bytes. (glibc checks NAME against 255 itself: 2.41 says ENAMETOOLONG, 2.36 EINVAL; from
// 252 to 255 bytes open(2) says ENAMETOOLONG on both.)
func Path(name string) (string, error) {
	n := strings.TrimLeft(name, "/")
	switch {
	case n == "" || strings.ContainsAny(n, "/\x00"):
		return "", unix.EINVAL
	case len(n) > semNameMax:
		return "", unix.ENAMETOOLONG
	}
	return Dir + "/sem." + n, nil
}
