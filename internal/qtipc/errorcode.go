package qtipc

import "fmt"

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

// SemaphoreErrorCode maps a QSystemSemaphore::SystemSemaphoreError value (0 NoError,
// 1 PermissionDenied, 2 KeyError, 3 AlreadyExists, 4 NotFound, 5 OutOfResources, 6 UnknownError)
// to the shared-memory code, as QSharedMemoryPrivate::initKey maps the errors of its lock.
func SemaphoreErrorCode(semErr int) ErrorCode {
	switch semErr {
	case 0:
		return NoError
	case 1:
		return PermissionDenied
	case 2:
		return KeyError
	case 3:
		return AlreadyExists
	case 4:
		return NotFound
	case 5:
		return OutOfResources
	}
	return UnknownError
}
