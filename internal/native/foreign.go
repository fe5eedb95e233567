//go:build (qt5 || qt6) && !(qt5 && qt6)

package native

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// The owner checks: after Qt attached to (or created) a segment, or opened a semaphore, the
// objects and their key files must belong to this process's effective user, unless the object
// allows foreign owners. Qt itself uses any object its mode lets it open. For System V objects
// of QString keys (project id 'Q') and of native keys (any project id), and for POSIX objects
// (their files under /dev/shm).
//
// They run on every attach and create, so they keep to the fewest system calls: one geteuid per
// check, and per System V object one lstat of its key file (which also gives ftok's device and
// inode: a regular file is what stat would see), one *get and one IPC_STAT.

// lockKey is the key of the semaphore Qt 6.6.1+ locks a QSharedMemory of key k with: the
// legacy semaphore key of the legacy key k records, else k itself.
func lockKey(k nativekey.Key) nativekey.Key {
	if k.Legacy != "" {
		return nativekey.Legacy(k.Legacy, true, k.Type)
	}
	return nativekey.Key{Type: k.Type, Native: k.Native}
}

func isSysV(t uint16) bool { return t >= 1 && t <= 0xff }

// checkForeignLegacySegment refuses the key file, segment and lock set (and its key file) of a
// QSharedMemory of a QString key whose native key is nativeKey when any belongs to another user.
func checkForeignLegacySegment(nativeKey string) *qtipc.Error {
	me := euid()
	if e := checkSysV(me, "segment", nativeKey, ipc.ProjQ, shmOwner); e != nil {
		return e
	}
	dir, name := filepath.Split(nativeKey)
	if rest, ok := strings.CutPrefix(name, qtkey.SharedMemoryPrefix); ok {
		return checkSysV(me, "semaphore set", dir+qtkey.SemaphorePrefix+rest, ipc.ProjQ, semOwner)
	}
	return nil
}

// checkForeignLegacySemaphore refuses the key file and set of a QSystemSemaphore of a QString
// key whose native key is nativeKey when either belongs to another user.
func checkForeignLegacySemaphore(nativeKey string) *qtipc.Error {
	return checkSysV(euid(), "semaphore set", nativeKey, ipc.ProjQ, semOwner)
}

// checkForeignNativeSegment refuses the segment of k, its key file or its lock when one of
// them belongs to another user.
func checkForeignNativeSegment(k nativekey.Key) *qtipc.Error {
	me := euid()
	switch {
	case isSysV(k.Type):
		if e := checkSysV(me, "segment", k.Native, int(k.Type), shmOwner); e != nil {
			return e
		}
	case k.Type == nativekey.PosixRealtime:
		if e := checkPath(me, "segment", posixPath(k.Native, "")); e != nil {
			return e
		}
	}
	return checkNativeSemaphore(me, lockKey(k))
}

// checkForeignNativeSemaphore refuses the semaphore of k (and its key file) when it belongs
// to another user.
func checkForeignNativeSemaphore(k nativekey.Key) *qtipc.Error {
	return checkNativeSemaphore(euid(), k)
}

func checkNativeSemaphore(me uint32, k nativekey.Key) *qtipc.Error {
	switch {
	case isSysV(k.Type):
		return checkSysV(me, "semaphore set", k.Native, int(k.Type), semOwner)
	case k.Type == nativekey.PosixRealtime:
		return checkPath(me, "semaphore", posixPath(k.Native, "sem."))
	}
	return nil
}

// checkSysV refuses the key file at path when it is not a regular file or belongs to another
// user, and then the System V object ftok(path, proj) names (what: "segment" or "semaphore
// set") when owner finds one that does. A missing key file or object is not refused.
func checkSysV(me uint32, what, path string, proj int, owner func(key int) (uid, cuid uint32, ok bool)) *qtipc.Error {
	var st unix.Stat_t
	if path == "" || unix.Lstat(path, &st) != nil {
		return nil
	}
	if e := checkStat(me, "key file", path, &st); e != nil {
		return e
	}
	if uid, cuid, ok := owner(ipc.FtokStat(uint64(st.Dev), uint64(st.Ino), proj)); ok {
		return foreignOwner(me, what, uid, cuid)
	}
	return nil
}

func shmOwner(key int) (uid, cuid uint32, ok bool) {
	id, err := ipc.Shmget(key, 0, 0)
	if err != nil {
		return 0, 0, false
	}
	st, err := ipc.ShmStat(id)
	if err != nil {
		return 0, 0, false
	}
	return st.Perm.Uid, st.Perm.Cuid, true
}

func semOwner(key int) (uid, cuid uint32, ok bool) {
	id, err := ipc.Semget(key, 1, 0)
	if err != nil {
		return 0, 0, false
	}
	st, err := ipc.Semstat(id)
	if err != nil {
		return 0, 0, false
	}
	return st.Uid, st.Cuid, true
}

func euid() uint32 { return uint32(os.Geteuid()) }

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
func checkPath(me uint32, what, path string) *qtipc.Error {
	var st unix.Stat_t
	if path == "" || unix.Lstat(path, &st) != nil {
		return nil
	}
	return checkStat(me, what, path, &st)
}

// checkStat refuses the file at path whose lstat is st when it is not a regular file or
// belongs to another user.
func checkStat(me uint32, what, path string, st *unix.Stat_t) *qtipc.Error {
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return qtipc.Errorf(qtipc.PermissionDenied, "open", unix.EPERM,
			fmt.Sprintf("qtshm: %s %s is not a regular file (planted by someone?); refusing it (qtshm.WithForeignOwner allows it)", what, path))
	}
	return foreignOwner(me, what+" "+path, st.Uid, st.Uid)
}

// foreignOwner is PermissionDenied when uid or cuid is not me (this process's effective user).
func foreignOwner(me uint32, what string, uid, cuid uint32) *qtipc.Error {
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
