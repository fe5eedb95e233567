//go:build linux

package sysv

import (
	"fmt"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// strerror and asErrno: the shared errno helpers of internal/ipc.
var (
	strerror = ipc.Strerror
	asErrno  = ipc.AsErrno
)

// unknownText is Qt's text for an unmapped errno: "unknown error 22" up to 6.5,
// "unknown error: Invalid argument" from 6.6 on.
func unknownText(flavor qtipc.Flavor, e unix.Errno) string {
	if flavor >= qtipc.FlavorQt661 {
		return "unknown error: " + strerror(e)
	}
	return fmt.Sprintf("unknown error %d", int(e))
}

// shmErrno is QSharedMemoryPrivate::setErrorString (≤6.5) / setUnixErrorString (6.6+).
func shmErrno(flavor qtipc.Flavor, op, function string, err error) *qtipc.Error {
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
	default:
		code, text = qtipc.UnknownError, unknownText(flavor, e)
	}
	return qtipc.Errorf(code, op, err, function+": "+text)
}

// semErrno is QSystemSemaphorePrivate::setErrorString / setUnixErrorString, with the
// QSystemSemaphore::SystemSemaphoreError mapped to the shared-memory code as
// QSharedMemoryPrivate::initKey maps it.
func semErrno(flavor qtipc.Flavor, op, function string, err error) *qtipc.Error {
	e := asErrno(err)
	var code qtipc.ErrorCode
	var text string
	switch {
	case e == unix.EPERM || e == unix.EACCES:
		code, text = qtipc.PermissionDenied, "permission denied"
	case e == unix.EEXIST:
		code, text = qtipc.AlreadyExists, "already exists"
	case e == unix.ENOENT:
		code, text = qtipc.NotFound, "does not exist"
	case e == unix.ERANGE || e == unix.ENOSPC || (e == unix.EMFILE && flavor >= qtipc.FlavorQt661):
		code, text = qtipc.OutOfResources, "out of resources"
	case e == unix.ENAMETOOLONG && flavor >= qtipc.FlavorQt661:
		code, text = qtipc.KeyError, "key too long"
	default:
		code, text = qtipc.UnknownError, unknownText(flavor, e)
	}
	return qtipc.Errorf(code, op, err, function+": "+text)
}
