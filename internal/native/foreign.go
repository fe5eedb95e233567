//go:build (qt5 || qt6) && !(qt5 && qt6)

package native

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// The owner checks of objects made from native keys: the rules of package sysv's
// CheckForeignSegment / CheckForeignSemaphore for any System V project id, and the same for
// POSIX objects (their files under /dev/shm). Qt itself uses any object its mode lets it open.

// lockKey is the key of the semaphore Qt 6.6.1+ locks a QSharedMemory of key k with: the
// legacy semaphore key of the legacy key k records, else k itself.
func lockKey(k nativekey.Key) nativekey.Key {
	if k.Legacy != "" {
		return nativekey.Legacy(k.Legacy, true, k.Type)
	}
	return nativekey.Key{Type: k.Type, Native: k.Native}
}

func isSysV(t uint16) bool { return t >= 1 && t <= 0xff }

// checkForeignNativeSegment refuses the segment of k, its key file or its lock when one of
// them belongs to another user.
func checkForeignNativeSegment(k nativekey.Key) *qtipc.Error {
	switch {
	case isSysV(k.Type):
		if e := checkPath("key file", k.Native); e != nil {
			return e
		}
		if key, err := ipc.Ftok(k.Native, int(k.Type)); err == nil {
			if id, err := ipc.Shmget(key, 0, 0); err == nil {
				if st, err := ipc.ShmStat(id); err == nil {
					if e := foreignOwner("segment", st.Perm.Uid, st.Perm.Cuid); e != nil {
						return e
					}
				}
			}
		}
	case k.Type == nativekey.PosixRealtime:
		if e := checkPath("segment", posixPath(k.Native, "")); e != nil {
			return e
		}
	}
	return checkForeignNativeSemaphore(lockKey(k))
}

// checkForeignNativeSemaphore refuses the semaphore of k (and its key file) when it belongs
// to another user.
func checkForeignNativeSemaphore(k nativekey.Key) *qtipc.Error {
	switch {
	case isSysV(k.Type):
		if e := checkPath("key file", k.Native); e != nil {
			return e
		}
		key, err := ipc.Ftok(k.Native, int(k.Type))
		if err != nil {
			return nil
		}
		id, err := ipc.Semget(key, 1, 0)
		if err != nil {
			return nil
		}
		st, err := ipc.Semstat(id)
		if err != nil {
			return nil
		}
		return foreignOwner("semaphore set", st.Uid, st.Cuid)
	case k.Type == nativekey.PosixRealtime:
		return checkPath("semaphore", posixPath(k.Native, "sem."))
	}
	return nil
}

// posixPath is where glibc keeps the POSIX object named name (shm_open, or sem_open with
// prefix "sem."): /dev/shm/ plus the name without its leading slashes.
func posixPath(name, prefix string) string {
	name = strings.TrimLeft(name, "/")
	if name == "" {
		return ""
	}
	return "/dev/shm/" + prefix + name
}

// checkPath refuses the file at path when it is not a regular file (a planted symlink) or
// belongs to another user; a missing file is not refused.
func checkPath(what, path string) *qtipc.Error {
	var st unix.Stat_t
	if path == "" || unix.Lstat(path, &st) != nil {
		return nil
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return qtipc.Errorf(qtipc.PermissionDenied, "open", unix.EPERM,
			fmt.Sprintf("qtshm: %s %s is not a regular file (planted by someone?); refusing it (qtshm.WithForeignOwner allows it)", what, path))
	}
	return foreignOwner(what+" "+path, st.Uid, st.Uid)
}

// foreignOwner is PermissionDenied when uid or cuid is not this process's effective user.
func foreignOwner(what string, uid, cuid uint32) *qtipc.Error {
	me := uint32(os.Geteuid())
	if uid == me && cuid == me {
		return nil
	}
	owner := uid
	if uid == me {
		owner = cuid
	}
	name := "uid " + strconv.FormatUint(uint64(owner), 10)
	if u, err := user.LookupId(strconv.FormatUint(uint64(owner), 10)); err == nil {
		name = fmt.Sprintf("user %s (%s)", u.Username, name)
	}
	return qtipc.Errorf(qtipc.PermissionDenied, "open", unix.EPERM,
		fmt.Sprintf("qtshm: the %s belongs to %s, not to this user (uid %d); refusing to share it (qtshm.WithForeignOwner allows it)", what, name, me))
}
