package qdatastream

import (
	"math"
)

// Writer encodes values as Qt's QDataStream operator<< does, appending to an in-memory buffer
// (as a QDataStream over a QBuffer does). Every method appends one value; one that fails
// appends nothing and returns an *Error.
//
// A Writer is not safe for concurrent use.
type Writer struct {
	// Version is the stream version the reading Qt program will set (or its Qt's default).
	Version Version
	// ByteOrder is QDataStream::byteOrder (the zero value is Qt's default, BigEndian).
	ByteOrder ByteOrder
	// FloatingPointPrecision is QDataStream::floatingPointPrecision (the zero value is Qt's
	// default, DoublePrecision).
	FloatingPointPrecision FloatingPointPrecision
	// MaxDepth bounds the nesting of QVariant containers written; 0 means DefaultMaxDepth. Set
	// it as the reading side's Reader.MaxDepth is set.
	MaxDepth int

	buf   []byte
	depth int
}

// NewWriter returns a Writer for stream version v, big endian with double precision, as a
// QDataStream is by default.
func NewWriter(v Version) *Writer {
	return &Writer{Version: v}
}

// Bytes returns the stream written so far. It aliases the Writer's buffer until the next write.
func (w *Writer) Bytes() []byte { return w.buf }

// Len returns the number of bytes written.
func (w *Writer) Len() int { return len(w.buf) }

// Reset empties the stream, keeping the settings and the buffer's capacity.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// ready checks the version before a value is appended.
func (w *Writer) ready(op string) error {
	if err := w.Version.check(); err != nil {
		return newError(op, len(w.buf), err, "%v", err)
	}
	return nil
}

// atomic runs write and truncates the buffer to where it started when write fails.
func (w *Writer) atomic(write func() error) error {
	start := len(w.buf)
	if err := write(); err != nil {
		w.buf = w.buf[:start]
		return err
	}
	return nil
}

// WriteRaw appends b as it is (QDataStream::writeRawData).
func (w *Writer) WriteRaw(b []byte) error {
	if err := w.ready("raw data"); err != nil {
		return err
	}
	w.buf = append(w.buf, b...)
	return nil
}

// WriteUint8 appends a quint8.
func (w *Writer) WriteUint8(v uint8) error {
	if err := w.ready("quint8"); err != nil {
		return err
	}
	w.buf = append(w.buf, v)
	return nil
}

// WriteInt8 appends a qint8.
func (w *Writer) WriteInt8(v int8) error { return w.WriteUint8(uint8(v)) }

// WriteUint16 appends a quint16.
func (w *Writer) WriteUint16(v uint16) error {
	if err := w.ready("quint16"); err != nil {
		return err
	}
	w.buf = byteOrder(w.ByteOrder).AppendUint16(w.buf, v)
	return nil
}

// WriteInt16 appends a qint16.
func (w *Writer) WriteInt16(v int16) error { return w.WriteUint16(uint16(v)) }

// WriteUint32 appends a quint32.
func (w *Writer) WriteUint32(v uint32) error {
	if err := w.ready("quint32"); err != nil {
		return err
	}
	w.buf = byteOrder(w.ByteOrder).AppendUint32(w.buf, v)
	return nil
}

// WriteInt32 appends a qint32.
func (w *Writer) WriteInt32(v int32) error { return w.WriteUint32(uint32(v)) }

// WriteUint64 appends a quint64.
func (w *Writer) WriteUint64(v uint64) error {
	if err := w.ready("quint64"); err != nil {
		return err
	}
	w.buf = byteOrder(w.ByteOrder).AppendUint64(w.buf, v)
	return nil
}

// WriteInt64 appends a qint64.
func (w *Writer) WriteInt64(v int64) error { return w.WriteUint64(uint64(v)) }

// WriteBool appends a bool as one byte, 1 or 0.
func (w *Writer) WriteBool(v bool) error {
	if v {
		return w.WriteUint8(1)
	}
	return w.WriteUint8(0)
}

// WriteChar appends a QChar: one UTF-16 code unit.
func (w *Writer) WriteChar(c uint16) error { return w.WriteUint16(c) }

// WriteFloat32 appends a float as Qt's operator<<(float) does: as a double (8 bytes) under
// DoublePrecision, as 4 bytes under SinglePrecision.
func (w *Writer) WriteFloat32(f float32) error {
	if w.FloatingPointPrecision == DoublePrecision {
		return w.WriteUint64(math.Float64bits(float64(f)))
	}
	return w.WriteUint32(math.Float32bits(f))
}

// WriteFloat64 appends a double as Qt's operator<<(double) does: 8 bytes under DoublePrecision,
// rounded to a float (4 bytes) under SinglePrecision.
func (w *Writer) WriteFloat64(f float64) error {
	if w.FloatingPointPrecision == SinglePrecision {
		return w.WriteUint32(math.Float32bits(float32(f)))
	}
	return w.WriteUint64(math.Float64bits(f))
}

// writeSize appends a size or count as QDataStream::writeQSizeType does. Sizes of 0xfffffffe
// and more need Qt_6_7 (a marker and a qint64); earlier versions cannot hold them, but for
// exactly 0xfffffffe, which Qt writes as such.
func (w *Writer) writeSize(op string, n int) error {
	if err := w.ready(op + " size"); err != nil {
		return err
	}
	switch {
	case n < 0:
		return newError(op+" size", len(w.buf), ErrWriteFailed, "negative size %d", n)
	case uint64(n) < extendedSize:
		return w.WriteUint32(uint32(n))
	case w.Version >= Qt_6_7:
		_ = w.WriteUint32(extendedSize)
		return w.WriteInt64(int64(n))
	case uint64(n) == extendedSize:
		return w.WriteUint32(extendedSize)
	}
	// Qt's writeQSizeType sets SizeLimitExceeded here.
	return newError(op+" size", len(w.buf), ErrSizeLimitExceeded, "%d elements need stream version Qt_6_7 or later (this stream is %d)", n, int(w.Version))
}

// writeNull appends the null marker of a QString or QByteArray.
func (w *Writer) writeNull(op string) error {
	if err := w.ready(op); err != nil {
		return err
	}
	return w.WriteUint32(nullCode)
}
