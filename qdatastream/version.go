package qdatastream

import (
	"encoding/binary"
	"fmt"
)

// Version is a QDataStream::Version: the stream format a Qt program chose with setVersion, or
// the default of its Qt library (QDataStream::Qt_DefaultCompiledVersion). Both sides of a stream
// must use the same version; the bytes do not say which one was used.
type Version int

// The stream versions this package reads and writes, with Qt's names and numbers. Several Qt
// releases share one number: the format changed only where a new number starts.
const (
	Qt_5_2  Version = 15 // the oldest supported: QDateTime's time-spec layout starts here
	Qt_5_3  Version = 15
	Qt_5_4  Version = 16
	Qt_5_5  Version = 16
	Qt_5_6  Version = 17
	Qt_5_7  Version = 17
	Qt_5_8  Version = 17
	Qt_5_9  Version = 17
	Qt_5_10 Version = 17
	Qt_5_11 Version = 17
	Qt_5_12 Version = 18
	Qt_5_13 Version = 19
	Qt_5_14 Version = 19
	Qt_5_15 Version = 19 // Qt 5.15's default
	Qt_6_0  Version = 20 // Qt 6.0 … 6.5 (the default of Qt 6.4): QVariant carries Qt 6 type ids
	Qt_6_1  Version = 20
	Qt_6_2  Version = 20
	Qt_6_3  Version = 20
	Qt_6_4  Version = 20
	Qt_6_5  Version = 20
	Qt_6_6  Version = 21
	Qt_6_7  Version = 22 // sizes of 2³²−2 and more are written as a marker and a qint64
	Qt_6_8  Version = 22 // Qt 6.8's default
)

// Version numbers where something this package encodes changed.
const (
	minVersion = Qt_5_2
	maxVersion = Qt_6_8
)

func (v Version) check() error {
	if v < minVersion || v > maxVersion {
		return fmt.Errorf("%w: stream version %d (this package reads and writes %d (Qt_5_2) to %d (Qt_6_8))",
			errUnsupportedVersion, int(v), int(minVersion), int(maxVersion))
	}
	return nil
}

// FloatingPointPrecision is QDataStream::FloatingPointPrecision: whether float and double values
// are written as 4 or as 8 bytes. Qt's default, DoublePrecision, writes a float as a double too.
// Unlike Qt's enum (where SinglePrecision is 0), the zero value here is DoublePrecision, Qt's
// default, so that a Reader or Writer made without NewReader or NewWriter matches a default
// QDataStream; the value itself is never in a stream.
type FloatingPointPrecision int

// The two precisions.
const (
	DoublePrecision FloatingPointPrecision = 0
	SinglePrecision FloatingPointPrecision = 1
)

// Status is QDataStream::Status, the state a Qt stream is left in by a failed operation. Every
// error of this package carries the status Qt would have set.
type Status int

// Qt's stream statuses, with Qt's values.
const (
	Ok                Status = 0
	ReadPastEnd       Status = 1
	ReadCorruptData   Status = 2
	WriteFailed       Status = 3
	SizeLimitExceeded Status = 4
)

func (s Status) String() string {
	switch s {
	case Ok:
		return "Ok"
	case ReadPastEnd:
		return "ReadPastEnd"
	case ReadCorruptData:
		return "ReadCorruptData"
	case WriteFailed:
		return "WriteFailed"
	case SizeLimitExceeded:
		return "SizeLimitExceeded"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// ByteOrder is QDataStream::ByteOrder. The zero value is Qt's default, BigEndian.
type ByteOrder int

// Qt's byte orders, with Qt's values.
const (
	BigEndian    ByteOrder = 0
	LittleEndian ByteOrder = 1
)

// order is the encoding/binary counterpart of o.
type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func byteOrder(o ByteOrder) order {
	if o == LittleEndian {
		return binary.LittleEndian
	}
	return binary.BigEndian
}
