package qtshm

import (
	"errors"
	"fmt"

	"github.com/qtshm/qtshm-go/internal/backend"
)

// ErrorCode is QSharedMemory::SharedMemoryError, with Qt's values.
type ErrorCode int

// The error codes, equal to QSharedMemory::SharedMemoryError.
const (
	NoError          ErrorCode = 0
	PermissionDenied ErrorCode = 1
	InvalidSize      ErrorCode = 2
	KeyError         ErrorCode = 3
	AlreadyExists    ErrorCode = 4
	NotFound         ErrorCode = 5
	LockError        ErrorCode = 6
	OutOfResources   ErrorCode = 7
	UnknownError     ErrorCode = 8
)

var codeNames = [...]string{"NoError", "PermissionDenied", "InvalidSize", "KeyError", "AlreadyExists",
	"NotFound", "LockError", "OutOfResources", "UnknownError"}

// String returns Qt's enumerator name, e.g. "AlreadyExists".
func (c ErrorCode) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("ErrorCode(%d)", int(c))
}

// Error is the error every failing call of this package returns.
//
// Code is what Qt's error() would return for the same failure and Msg what its errorString()
// would say (both backends agree on Code; Msg is Qt's own text with the native backend and
// the text of the selected [Flavor] with the pure one). Err is the cause when there is one: the
// errno (a [golang.org/x/sys/unix.Errno]) or a context error, so both
// errors.Is(err, qtshm.ErrNotFound) and errors.Is(err, unix.ENOENT) work.
//
// A SystemSemaphore reports its failures with the same codes, mapped the way QSharedMemory
// maps the errors of its own lock (QSystemSemaphore::KeyError → KeyError, and so on).
type Error struct {
	Code ErrorCode
	Op   string // the method that failed: "create", "attach", "detach", "lock", "unlock", "acquire", …
	Key  string // the user key
	Msg  string // Qt's errorString() text
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

// wrapErr turns a backend failure into *Error.
func wrapErr(key string, err error) error {
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) {
		return &Error{Code: ErrorCode(be.Code), Op: be.Op, Key: key, Msg: be.Msg, Err: be.Err}
	}
	return &Error{Code: UnknownError, Op: "?", Key: key, Msg: err.Error(), Err: err}
}

func newError(code ErrorCode, op, key, msg string, cause error) *Error {
	return &Error{Code: code, Op: op, Key: key, Msg: msg, Err: cause}
}
