package qtshm

import "github.com/qtshm/qtshm-go/internal/qtipc"

// ErrorCode is QSharedMemory::SharedMemoryError, with Qt's values. Its String method returns
// Qt's enumerator name, e.g. "AlreadyExists".
type ErrorCode = qtipc.ErrorCode

// The error codes, equal to QSharedMemory::SharedMemoryError.
const (
	NoError          = qtipc.NoError
	PermissionDenied = qtipc.PermissionDenied
	InvalidSize      = qtipc.InvalidSize
	KeyError         = qtipc.KeyError
	AlreadyExists    = qtipc.AlreadyExists
	NotFound         = qtipc.NotFound
	LockError        = qtipc.LockError
	OutOfResources   = qtipc.OutOfResources
	UnknownError     = qtipc.UnknownError
)

// Error is the error every failing call of this package returns.
//
// Code is what Qt's error() would return for the same failure and Msg what its errorString()
// would say (both backends agree on Code; Msg is Qt's own text with the native backend and
// the text of the selected [Flavor] with the pure one; where qtshm-go refuses what Qt would do,
// Msg is ours and says why). Err is the cause when there is one: the errno (a
// [golang.org/x/sys/unix.Errno]), a context error, or [errors.ErrUnsupported], so both
// errors.Is(err, qtshm.ErrNotFound) and errors.Is(err, unix.ENOENT) work.
//
// Its fields are Code, Op (the method that failed: "create", "attach", "lock", …), Key (the
// user key), Msg and Err. Error() formats as "qtshm: <op> <key>: <Msg>[: <Err>]".
//
// A SystemSemaphore reports its failures with the same codes, mapped the way QSharedMemory
// maps the errors of its own lock (QSystemSemaphore::KeyError → KeyError, and so on).
type Error = qtipc.Error

// Sentinels, one per error code: errors.Is(err, ErrNotFound) holds for every *Error whose Code
// is NotFound.
var (
	ErrPermissionDenied = qtipc.ErrPermissionDenied
	ErrInvalidSize      = qtipc.ErrInvalidSize
	ErrKeyError         = qtipc.ErrKeyError
	ErrAlreadyExists    = qtipc.ErrAlreadyExists
	ErrNotFound         = qtipc.ErrNotFound
	ErrLockError        = qtipc.ErrLockError
	ErrOutOfResources   = qtipc.ErrOutOfResources
	ErrUnknown          = qtipc.ErrUnknown
)

// ErrClosed is the cause of the error returned by any call on a closed object.
var ErrClosed = qtipc.ErrClosed

func newError(code ErrorCode, op, key, msg string, cause error) *Error {
	e := qtipc.Errorf(code, op, cause, msg)
	e.Key = key
	return e
}
