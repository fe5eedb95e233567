package winipc

import (
	"fmt"

	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// The Windows error codes Qt maps to its own (winerror.h).
const (
	errorFileNotFound      = 2    // ERROR_FILE_NOT_FOUND
	errorAccessDenied      = 5    // ERROR_ACCESS_DENIED
	errorNotEnoughMemory   = 8    // ERROR_NOT_ENOUGH_MEMORY
	errorAlreadyExists     = 183  // ERROR_ALREADY_EXISTS
	errorNoSystemResources = 1450 // ERROR_NO_SYSTEM_RESOURCES
	errorCommitmentLimit   = 1455 // ERROR_COMMITMENT_LIMIT
)

// unknownText is Qt's text for an unmapped code: "unknown error 87" up to Qt 6.5 (the number,
// %2 of "%1: unknown error %2"), "unknown error: <qt_error_string(code)>" from Qt 6.6 on.
func unknownText(flavor qtipc.Flavor, code uint32) string {
	if flavor.Qt66() {
		return "unknown error: " + systemText(code)
	}
	return fmt.Sprintf("unknown error %d", code)
}

// shmError is QSharedMemoryPrivate::setErrorString (Qt ≤ 6.5) / setWindowsErrorString (6.6+)
// for GetLastError() == code after function failed. cause is the error value the call gave.
func shmError(flavor qtipc.Flavor, op, function string, code uint32, cause error) *qtipc.Error {
	var c qtipc.ErrorCode
	var text string
	switch code {
	case errorAlreadyExists:
		c, text = qtipc.AlreadyExists, "already exists"
	case errorFileNotFound:
		c, text = qtipc.NotFound, "doesn't exist"
	case errorCommitmentLimit:
		c, text = qtipc.InvalidSize, "invalid size"
	case errorNoSystemResources, errorNotEnoughMemory:
		c, text = qtipc.OutOfResources, "out of resources"
	case errorAccessDenied:
		c, text = qtipc.PermissionDenied, "permission denied"
	default:
		c, text = qtipc.UnknownError, unknownText(flavor, code)
	}
	return qtipc.Errorf(c, op, cause, function+": "+text)
}

// semError is QSystemSemaphorePrivate::setErrorString / setWindowsErrorString: only
// 1450 and 8 (OutOfResources) and 5 (PermissionDenied) are mapped, the rest is UnknownError.
// The code is the shared-memory code QSharedMemoryPrivate::initKey maps the semaphore's to.
func semError(flavor qtipc.Flavor, op, function string, code uint32, cause error) *qtipc.Error {
	var c qtipc.ErrorCode
	var text string
	switch code {
	case errorNoSystemResources, errorNotEnoughMemory:
		c, text = qtipc.OutOfResources, "out of resources"
	case errorAccessDenied:
		c, text = qtipc.PermissionDenied, "permission denied"
	default:
		c, text = qtipc.UnknownError, unknownText(flavor, code)
	}
	return qtipc.Errorf(c, op, cause, function+": "+text)
}

// initKeyError is QSharedMemoryPrivate::initKey's error when the lock could not be made:
// "QSharedMemoryPrivate::initKey: unable to set key on lock", followed in Qt 6.6+ by the
// semaphore's text in parentheses.
func initKeyError(flavor qtipc.Flavor, se *qtipc.Error) *qtipc.Error {
	msg := "QSharedMemoryPrivate::initKey: unable to set key on lock"
	if flavor.Qt66() {
		msg += " (" + se.Msg + ")"
	}
	return qtipc.Errorf(se.Code, se.Op, se.Err, msg)
}

// fallbackText is qt_error_string's text when the system has none for code (Qt 6:
// windowsErrorString's "Unknown error 0x%08x.").
func fallbackText(code uint32) string { return fmt.Sprintf("Unknown error 0x%08x.", code) }
