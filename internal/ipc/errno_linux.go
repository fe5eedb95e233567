package ipc

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"
)

// Strerror is glibc's strerror text for e (Go's table is the same text, lower-cased).
func Strerror(e unix.Errno) string {
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// AsErrno is the unix.Errno err wraps, 0 if none.
func AsErrno(err error) unix.Errno {
	var e unix.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}
