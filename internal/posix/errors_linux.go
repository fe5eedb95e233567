//go:build linux && !android

package posix

import (
	"fmt"
	"os"
	"os/user"
	"strconv"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// strerror and asErrno: the shared errno helpers of internal/ipc.
var (
	strerror = ipc.Strerror
	asErrno  = ipc.AsErrno
)

// shmErrno is Qt 6.8's QSharedMemoryPrivate::setUnixErrorString: "<function>: <text>".
func shmErrno(op, function string, err error) *qtipc.Error {
	e := asErrno(err)
	var code qtipc.ErrorCode
	var text string
	switch e {
	case unix.EACCES:
		code, text = qtipc.PermissionDenied, "permission denied"
	case unix.EEXIST:
		code, text = qtipc.AlreadyExists, "already exists"
	case unix.ENOENT:
		code, text = qtipc.NotFound, "doesn't exist"
	case unix.EMFILE, unix.ENOMEM, unix.ENOSPC:
		code, text = qtipc.OutOfResources, "out of resources"
	case 0:
		code, text = qtipc.UnknownError, "unknown error: "+err.Error()
	default:
		code, text = qtipc.UnknownError, "unknown error: "+strerror(e)
	}
	return qtipc.Errorf(code, op, err, function+": "+text)
}

// shmOpenErrno is the error of a failed shm_open in Qt's create and attach: EINVAL is
// KeyError "bad name" (the label says "attach" in both).
func shmOpenErrno(op string, err error) *qtipc.Error {
	const function = "QSharedMemory::attach (shm_open)"
	if asErrno(err) == unix.EINVAL {
		return qtipc.Errorf(qtipc.KeyError, op, err, function+": bad name")
	}
	return shmErrno(op, function, err)
}

// semErrno is Qt 6.8's QSystemSemaphorePrivate::setUnixErrorString, with the
// QSystemSemaphore::SystemSemaphoreError mapped to the shared-memory code as
// QSharedMemoryPrivate::initKey maps it.
func semErrno(op, function string, err error) *qtipc.Error {
	e := asErrno(err)
	var code qtipc.ErrorCode
	var text string
	switch e {
	case unix.EPERM, unix.EACCES:
		code, text = qtipc.PermissionDenied, "permission denied"
	case unix.EEXIST:
		code, text = qtipc.AlreadyExists, "already exists"
	case unix.ENOENT:
		code, text = qtipc.NotFound, "does not exist"
	case unix.ERANGE, unix.ENOSPC, unix.EMFILE:
		code, text = qtipc.OutOfResources, "out of resources"
	case unix.ENAMETOOLONG:
		code, text = qtipc.KeyError, "key too long"
	case 0:
		code, text = qtipc.UnknownError, "unknown error: "+err.Error()
	default:
		code, text = qtipc.UnknownError, "unknown error: "+strerror(e)
	}
	return qtipc.Errorf(code, op, err, function+": "+text)
}

// initKeyError is QSharedMemoryPrivate::initKey's error when its lock could not be opened:
// "QSharedMemoryPrivate::initKey: unable to set key on lock (<the semaphore's text>)". Our
// refusal of a planted object keeps its own text, which says why.
func initKeyError(se *qtipc.Error) *qtipc.Error {
	if se.Code == qtipc.PermissionDenied && (se.Err == unix.EPERM || se.Err == unix.ELOOP) {
		return se
	}
	code := se.Code
	if code == qtipc.LockError || code == qtipc.InvalidSize {
		code = qtipc.UnknownError
	}
	return qtipc.Errorf(code, se.Op, se.Err, "QSharedMemoryPrivate::initKey: unable to set key on lock ("+se.Msg+")")
}

// foreignOwner returns a PermissionDenied error when a file of uid belongs to another user
// than this process's effective user, nil when it is ours. Qt uses such files as long as
// their mode lets it; /dev/shm is world-writable, so anyone can plant a segment or a lock
// under the name another user's application will use.
func foreignOwner(op, what, path string, uid uint32) *qtipc.Error {
	me := uint32(os.Geteuid())
	if uid == me {
		return nil
	}
	return qtipc.Errorf(qtipc.PermissionDenied, op, unix.EPERM,
		fmt.Sprintf("qtshm: the %s %s belongs to %s, not to this user (uid %d); refusing to share it (qtshm.WithForeignOwner allows it)", what, path, userName(uid), me))
}

func userName(uid uint32) string {
	s := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(s); err == nil {
		return fmt.Sprintf("user %s (uid %s)", u.Username, s)
	}
	return "uid " + s
}

// plantedObject refuses what is at path when it is not a plain regular file: a symbolic link
// (glibc opens with O_NOFOLLOW, so Qt fails with "unknown error: Too many levels of symbolic
// links") or a directory, FIFO, device or socket. nil when nothing is there or it is a
// regular file; owner is its uid then.
func plantedObject(op, what, path string) (owner uint32, exists bool, e *qtipc.Error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return 0, false, nil
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		return st.Uid, true, nil
	case unix.S_IFLNK:
		return st.Uid, true, qtipc.Errorf(qtipc.PermissionDenied, op, unix.ELOOP,
			fmt.Sprintf("qtshm: the %s %s is a symbolic link (of %s); refusing it", what, path, userName(st.Uid)))
	}
	return st.Uid, true, qtipc.Errorf(qtipc.PermissionDenied, op, unix.EPERM,
		fmt.Sprintf("qtshm: the %s %s is not a regular file (mode %#o, of %s); refusing it", what, path, st.Mode, userName(st.Uid)))
}
