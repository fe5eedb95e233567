package qdatastream

import (
	"errors"
	"fmt"
)

// The errors every failure wraps, one per Qt status, so that errors.Is tells the kind:
// errors.Is(err, ErrReadPastEnd) for a truncated stream, and so on. An *Error tells where.
var (
	// ErrReadPastEnd: the stream ends before the value does (QDataStream::ReadPastEnd).
	ErrReadPastEnd = errors.New("read past end")
	// ErrReadCorruptData: the bytes cannot be a value of the type read (QDataStream::ReadCorruptData).
	ErrReadCorruptData = errors.New("corrupt data")
	// ErrSizeLimitExceeded: a size, count or nesting depth beyond what this package or the
	// stream version allows (QDataStream::SizeLimitExceeded).
	ErrSizeLimitExceeded = errors.New("size limit exceeded")
	// ErrWriteFailed: a value cannot be written in this stream version, or a Go value has no
	// Qt counterpart (QDataStream::WriteFailed).
	ErrWriteFailed = errors.New("write failed")

	errUnsupportedVersion = fmt.Errorf("unsupported QDataStream version: %w", errors.ErrUnsupported)
	errUnsupportedType    = fmt.Errorf("unsupported type: %w", errors.ErrUnsupported)
)

// Error is the error of a failed read or write: what was being read or written, at which
// offset of the stream, and why.
type Error struct {
	// Op is what was being read or written, in Qt's terms: "QString", "QVariant type id".
	Op string
	// Offset is the stream offset of the field that failed (for a write, the stream's length
	// when the value started).
	Offset int
	// Status is the QDataStream::Status Qt sets for the same bytes. Qt reports every image it
	// cannot read as ReadPastEnd, whatever Err says. Where Qt reads on and this package stops
	// (a QVariant type it does not decode, an unknown Qt::TimeSpec), Status is ReadCorruptData.
	Status Status
	// Detail says what was wrong.
	Detail string
	// Err is the cause: one of the Err… values of this package, errors.ErrUnsupported, or an
	// error of image/png.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("qdatastream: %s at offset %d: %s", e.Op, e.Offset, e.Detail)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func statusOf(err error) Status {
	switch {
	case errors.Is(err, ErrReadPastEnd):
		return ReadPastEnd
	case errors.Is(err, ErrReadCorruptData):
		return ReadCorruptData
	case errors.Is(err, ErrSizeLimitExceeded):
		return SizeLimitExceeded
	}
	return WriteFailed
}

func newError(op string, off int, cause error, format string, args ...any) *Error {
	return &Error{Op: op, Offset: off, Status: statusOf(cause), Detail: fmt.Sprintf(format, args...), Err: cause}
}

// imageError is the error of an image Qt cannot read: Qt's status is ReadPastEnd for all of them.
func imageError(off int, cause error, format string, args ...any) *Error {
	e := newError("QImage", off, cause, format, args...)
	e.Status = ReadPastEnd
	return e
}
