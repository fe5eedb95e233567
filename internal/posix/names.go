package posix

import (
	"fmt"
	"strings"

	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// nameMax is NAME_MAX, the longest file name in /dev/shm.
const nameMax = 255

// semPrefix is what glibc puts before a semaphore's name in /dev/shm.
const semPrefix = "sem."

// shmDir is glibc's directory for shm_open and sem_open objects.
const shmDir = "/dev/shm"

// checkName checks a POSIX IPC name as glibc's shm_open / sem_open do (verified with glibc
// 2.36 and 2.41): leading slashes are dropped (so "K", "/K" and "//K" name the same object);
// the rest must be non-empty, contain no '/' and no NUL, not be "." or "..", and fit in
// NAME_MAX with the "sem." prefix for a semaphore. glibc reports EINVAL or ENAMETOOLONG, Qt
// "bad name" (KeyError) for EINVAL and other texts for the rest; we refuse every such name
// with KeyError before any file is touched. what is "segment" or "semaphore". It returns the
// base name in /dev/shm.
func checkName(op, what, name string) (string, *qtipc.Error) {
	n := strings.TrimLeft(name, "/")
	max := nameMax
	base := n
	if what == "semaphore" {
		max -= len(semPrefix)
		base = semPrefix + n
	}
	var why string
	switch {
	case n == "":
		why = "it is empty after its leading '/'"
	case strings.ContainsRune(n, '/'):
		why = "it contains '/' after the leading one"
	case strings.ContainsRune(n, 0):
		why = "it contains a NUL byte"
	case n == "." || n == "..":
		why = "it names a directory"
	case len(n) > max:
		why = fmt.Sprintf("it is %d bytes long after its leading '/', more than the %d a %s name may have", len(n), max, what)
	default:
		return base, nil
	}
	return "", qtipc.Errorf(qtipc.KeyError, op, nil, fmt.Sprintf("qtshm: bad POSIX %s name %q: %s", what, name, why))
}
