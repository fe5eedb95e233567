package qtipc

import (
	"errors"
	"fmt"
)

// Error is the error every failing call of qtshm-go returns.
//
// Code is what Qt's error() would return for the same failure and Msg what its errorString()
// would say. Err is the cause when there is one: an errno (a golang.org/x/sys/unix.Errno), a
// context error, or [errors.ErrUnsupported], so errors.Is matches both the code's sentinel
// (ErrNotFound, …) and the cause.
type Error struct {
	Code ErrorCode
	Op   string // the method that failed: "create", "attach", "detach", "lock", "unlock", "acquire", …
	Key  string // the user key
	Msg  string // Qt's errorString() text, or ours where Qt has none
	Err  error  // the underlying errno or context error; may be nil

	sentinel bool
}

// Error formats as "qtshm: <op> <key>: <Qt's text>[: <cause>]".
func (e *Error) Error() string {
	if e.sentinel {
		return "qtshm: " + e.Msg
	}
	s := "qtshm: " + e.Op
	if e.Key != "" {
		s += " " + fmt.Sprintf("%q", e.Key)
	}
	s += ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause (errno or context error), or nil.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel for e's Code (ErrNotFound for NotFound, …).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.sentinel && t.Code == e.Code
}

// Errorf returns an *Error for operation op. cause may be nil.
func Errorf(code ErrorCode, op string, cause error, msg string) *Error {
	return &Error{Code: code, Op: op, Msg: msg, Err: cause}
}

// WithOp returns a copy of e reporting operation op.
func (e *Error) WithOp(op string) *Error {
	c := *e
	c.Op = op
	return &c
}

// WithKey returns err with Key set to key where it is an *Error without a key; other errors
// become an UnknownError *Error. nil stays nil.
func WithKey(key string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Code: UnknownError, Op: "?", Key: key, Msg: err.Error(), Err: err}
	}
	if e.Key == key {
		return e
	}
	c := *e
	c.Key = key
	return &c
}

func sentinel(c ErrorCode, msg string) *Error { return &Error{Code: c, Msg: msg, sentinel: true} }

// Sentinels, one per error code: errors.Is(err, ErrNotFound) holds for every *Error whose Code
// is NotFound.
var (
	ErrPermissionDenied error = sentinel(PermissionDenied, "permission denied")
	ErrInvalidSize      error = sentinel(InvalidSize, "invalid size")
	ErrKeyError         error = sentinel(KeyError, "key error")
	ErrAlreadyExists    error = sentinel(AlreadyExists, "already exists")
	ErrNotFound         error = sentinel(NotFound, "not found")
	ErrLockError        error = sentinel(LockError, "lock error")
	ErrOutOfResources   error = sentinel(OutOfResources, "out of resources")
	ErrUnknown          error = sentinel(UnknownError, "unknown error")
)

// ErrClosed is the cause of the error returned by any call on a closed object.
var ErrClosed = errors.New("qtshm: object is closed")

// ErrLockAbandoned is wrapped by the LockError of a lock wait that gave up on a POSIX-realtime
// lock that looks abandoned: held (value 0) with no live process that could release it, as a
// holder killed while locked leaves it (POSIX semaphores have no SEM_UNDO). See
// qtshm.SharedMemory.RecoverLock.
var ErrLockAbandoned = errors.New("the lock looks abandoned by a dead holder")
