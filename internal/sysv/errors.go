package sysv

import (
	"errors"
	"fmt"
	"strings"

	"github.com/qtshm/qtshm-go/internal/backend"
	"golang.org/x/sys/unix"
)

// strerror is glibc's strerror text for e (Go's table is the same text, lower-cased).
func strerror(e unix.Errno) string {
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func asErrno(err error) unix.Errno {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

// unknownText is Qt's text for an unmapped errno: "unknown error 22" up to 6.5,
// "unknown error: Invalid argument" from 6.6 on.
func unknownText(flavor backend.Flavor, e unix.Errno) string {
	if flavor >= backend.FlavorQt66 {
		return "unknown error: " + strerror(e)
	}
	return fmt.Sprintf("unknown error %d", int(e))
}

// shmErrno is QSharedMemoryPrivate::setErrorString (≤6.5) / setUnixErrorString (6.6+).
func shmErrno(flavor backend.Flavor, op, function string, err error) *backend.Error {
	e := asErrno(err)
	var code backend.Code
	var text string
	switch e {
	case unix.EACCES:
		code, text = backend.PermissionDenied, "permission denied"
	case unix.EEXIST:
		code, text = backend.AlreadyExists, "already exists"
	case unix.ENOENT:
		code, text = backend.NotFound, "doesn't exist"
	case unix.EMFILE, unix.ENOMEM, unix.ENOSPC:
		code, text = backend.OutOfResources, "out of resources"
	default:
		code, text = backend.UnknownError, unknownText(flavor, e)
	}
	return backend.Errorf(code, op, err, function+": "+text)
}

// semErrno is QSystemSemaphorePrivate::setErrorString / setUnixErrorString, with the
// QSystemSemaphore::SystemSemaphoreError mapped to the shared-memory code as
// QSharedMemoryPrivate::initKey maps it.
func semErrno(flavor backend.Flavor, op, function string, err error) *backend.Error {
	e := asErrno(err)
	var code backend.Code
	var text string
	switch {
	case e == unix.EPERM || e == unix.EACCES:
		code, text = backend.PermissionDenied, "permission denied"
	case e == unix.EEXIST:
		code, text = backend.AlreadyExists, "already exists"
	case e == unix.ENOENT:
		code, text = backend.NotFound, "does not exist"
	case e == unix.ERANGE || e == unix.ENOSPC || (e == unix.EMFILE && flavor >= backend.FlavorQt66):
		code, text = backend.OutOfResources, "out of resources"
	case e == unix.ENAMETOOLONG && flavor >= backend.FlavorQt66:
		code, text = backend.KeyError, "key too long"
	default:
		code, text = backend.UnknownError, unknownText(flavor, e)
	}
	return backend.Errorf(code, op, err, function+": "+text)
}
