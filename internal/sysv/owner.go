//go:build linux

package sysv

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// foreignOwner returns a PermissionDenied error when an object whose owner is uid and creator
// is cuid belongs to another user than this process's effective user; nil when either is us.
// Qt uses such objects as long as their mode lets it; qtshm-go refuses them by default, so that
// another local user cannot plant a 0666 segment or lock and read or break what we share
// (docs/qt-semantics.md#hazards-in-qt-itself).
func foreignOwner(what string, uid, cuid uint32) *qtipc.Error {
	me := uint32(os.Geteuid())
	if uid == me && cuid == me {
		return nil
	}
	owner := uid
	if uid == me {
		owner = cuid
	}
	return qtipc.Errorf(qtipc.PermissionDenied, "open", unix.EPERM,
		fmt.Sprintf("qtshm: the %s belongs to %s, not to this user (uid %d); refusing to share it (qtshm.WithForeignOwner allows it)", what, userName(owner), me))
}

func userName(uid uint32) string {
	s := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(s); err == nil {
		return fmt.Sprintf("user %s (uid %s)", u.Username, s)
	}
	return "uid " + s
}

// CheckForeignSegment refuses (PermissionDenied) the key files, segment and lock set of a
// QSharedMemory whose native key is nativeKey when any of them belongs to another user. The
// native backend calls it after Qt attached, since Qt itself does not check.
func CheckForeignSegment(nativeKey string) *qtipc.Error {
	if e := checkKeyFile(nativeKey, false); e != nil {
		return e
	}
	if key, err := ipc.Ftok(nativeKey, ipc.ProjQ); err == nil {
		if id, err := ipc.Shmget(key, 0, 0); err == nil {
			if st, err := ipc.ShmStat(id); err == nil {
				if e := foreignOwner("segment", st.Perm.Uid, st.Perm.Cuid); e != nil {
					return e
				}
			}
		}
	}
	dir, name := filepath.Split(nativeKey)
	if rest, ok := strings.CutPrefix(name, qtkey.SharedMemoryPrefix); ok {
		return CheckForeignSemaphore(dir + qtkey.SemaphorePrefix + rest)
	}
	return nil
}

// CheckForeignSemaphore refuses the key file and set of a QSystemSemaphore whose native key is
// nativeKey when either belongs to another user.
func CheckForeignSemaphore(nativeKey string) *qtipc.Error {
	if e := checkKeyFile(nativeKey, false); e != nil {
		return e
	}
	key, err := ipc.Ftok(nativeKey, ipc.ProjQ)
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
}
