package backend

// Code is QSharedMemory::SharedMemoryError. Semaphore failures are reported with the same codes,
// mapped as QSharedMemory maps its lock's errors (qt-ipc-semantics.md §3.6).
type Code int

// Codes, with Qt's values.
const (
	NoError          Code = 0
	PermissionDenied Code = 1
	InvalidSize      Code = 2
	KeyError         Code = 3
	AlreadyExists    Code = 4
	NotFound         Code = 5
	LockError        Code = 6
	OutOfResources   Code = 7
	UnknownError     Code = 8
)

// Error is a failure as a backend reports it; qtshm turns it into its public *Error.
type Error struct {
	Code Code
	Op   string // the Go method: "create", "attach", "lock", …
	Msg  string // Qt's errorString() for the same failure
	Err  error  // the errno or context error behind it, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error.
func Errorf(code Code, op string, cause error, msg string) *Error {
	return &Error{Code: code, Op: op, Msg: msg, Err: cause}
}
