package qdatastream

import (
	"math"
)

// DefaultMaxImageBytes is the default of Reader.MaxImageBytes: 256 MiB, the default of Qt 6's
// QImageReader::allocationLimit.
const DefaultMaxImageBytes = 256 << 20

// DefaultMaxDepth is the default of Reader.MaxDepth.
const DefaultMaxDepth = 256

// Reader decodes values from a QDataStream's bytes, as Qt's operator>> does. Every method
// reads one value at the current offset and advances past it. On error the offset stays where
// the failed value started, and the error is an *Error naming the offset of the bad field.
//
// A Reader never allocates more than the input can hold: a size or count is checked against
// the bytes left before anything is allocated, nesting is bounded by MaxDepth and decoded
// images by MaxImageBytes. Qt itself reserves what a count says, so a hostile count makes it
// allocate; a Reader reports ErrReadPastEnd instead.
//
// A Reader is not safe for concurrent use.
type Reader struct {
	// Version is the stream version, as the writer's QDataStream::setVersion (or its Qt's
	// default) chose it.
	Version Version
	// ByteOrder is QDataStream::byteOrder (the zero value is Qt's default, BigEndian). PNG
	// data inside a QImage is big endian whatever this says.
	ByteOrder ByteOrder
	// FloatingPointPrecision is QDataStream::floatingPointPrecision (the zero value is Qt's
	// default, DoublePrecision).
	FloatingPointPrecision FloatingPointPrecision
	// MaxImageBytes bounds the decoded size of a QImage (width × height × bytes per pixel);
	// 0 means DefaultMaxImageBytes. A PNG of a few bytes can claim gigapixels.
	MaxImageBytes int
	// MaxDepth bounds the nesting of QVariant containers; 0 means DefaultMaxDepth.
	MaxDepth int

	buf   []byte
	off   int
	depth int
}

// NewReader returns a Reader of b for stream version v, big endian with double precision, as a
// QDataStream is by default. The Reader reads b in place; it does not copy it.
func NewReader(b []byte, v Version) *Reader {
	return &Reader{Version: v, buf: b}
}

// Offset returns the offset of the next value.
func (r *Reader) Offset() int { return r.off }

// Len returns the number of bytes not read yet.
func (r *Reader) Len() int { return len(r.buf) - r.off }

// AtEnd reports whether every byte has been read (QDataStream::atEnd).
func (r *Reader) AtEnd() bool { return r.off >= len(r.buf) }

// Skip advances past n bytes.
func (r *Reader) Skip(n int) error {
	_, err := r.take("raw data", n)
	return err
}

// take returns the next n bytes and advances past them.
func (r *Reader) take(op string, n int) ([]byte, error) {
	if err := r.Version.check(); err != nil {
		return nil, newError(op, r.off, err, "%v", err)
	}
	if n < 0 || n > r.Len() {
		return nil, newError(op, r.off, ErrReadPastEnd, "needs %d bytes, %d left", n, r.Len())
	}
	b := r.buf[r.off : r.off+n : r.off+n]
	r.off += n
	return b, nil
}

// value runs read and rewinds to where it started when it fails, so a failed read consumes
// nothing.
func value[T any](r *Reader, read func() (T, error)) (T, error) {
	start := r.off
	v, err := read()
	if err != nil {
		r.off = start
	}
	return v, err
}

// ReadUint8 reads a quint8.
func (r *Reader) ReadUint8() (uint8, error) {
	b, err := r.take("quint8", 1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// ReadInt8 reads a qint8.
func (r *Reader) ReadInt8() (int8, error) {
	b, err := r.take("qint8", 1)
	if err != nil {
		return 0, err
	}
	return int8(b[0]), nil
}

// ReadUint16 reads a quint16.
func (r *Reader) ReadUint16() (uint16, error) {
	b, err := r.take("quint16", 2)
	if err != nil {
		return 0, err
	}
	return byteOrder(r.ByteOrder).Uint16(b), nil
}

// ReadInt16 reads a qint16.
func (r *Reader) ReadInt16() (int16, error) {
	v, err := r.ReadUint16()
	return int16(v), err
}

// ReadUint32 reads a quint32.
func (r *Reader) ReadUint32() (uint32, error) {
	b, err := r.take("quint32", 4)
	if err != nil {
		return 0, err
	}
	return byteOrder(r.ByteOrder).Uint32(b), nil
}

// ReadInt32 reads a qint32.
func (r *Reader) ReadInt32() (int32, error) {
	v, err := r.ReadUint32()
	return int32(v), err
}

// ReadUint64 reads a quint64.
func (r *Reader) ReadUint64() (uint64, error) {
	b, err := r.take("quint64", 8)
	if err != nil {
		return 0, err
	}
	return byteOrder(r.ByteOrder).Uint64(b), nil
}

// ReadInt64 reads a qint64.
func (r *Reader) ReadInt64() (int64, error) {
	v, err := r.ReadUint64()
	return int64(v), err
}

// ReadBool reads a bool: one byte, true unless 0.
func (r *Reader) ReadBool() (bool, error) {
	b, err := r.take("bool", 1)
	if err != nil {
		return false, err
	}
	return b[0] != 0, nil
}

// ReadChar reads a QChar: one UTF-16 code unit.
func (r *Reader) ReadChar() (uint16, error) {
	b, err := r.take("QChar", 2)
	if err != nil {
		return 0, err
	}
	return byteOrder(r.ByteOrder).Uint16(b), nil
}

// ReadFloat32 reads a float as Qt's operator>>(float&) does: 8 bytes (a double, rounded to
// float) under DoublePrecision, 4 bytes under SinglePrecision.
func (r *Reader) ReadFloat32() (float32, error) {
	if r.FloatingPointPrecision == DoublePrecision {
		b, err := r.take("float", 8)
		if err != nil {
			return 0, err
		}
		return float32(math.Float64frombits(byteOrder(r.ByteOrder).Uint64(b))), nil
	}
	b, err := r.take("float", 4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(byteOrder(r.ByteOrder).Uint32(b)), nil
}

// ReadFloat64 reads a double as Qt's operator>>(double&) does: 8 bytes under DoublePrecision,
// 4 bytes (a float) under SinglePrecision.
func (r *Reader) ReadFloat64() (float64, error) {
	if r.FloatingPointPrecision == SinglePrecision {
		b, err := r.take("double", 4)
		if err != nil {
			return 0, err
		}
		return float64(math.Float32frombits(byteOrder(r.ByteOrder).Uint32(b))), nil
	}
	b, err := r.take("double", 8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(byteOrder(r.ByteOrder).Uint64(b)), nil
}

// Qt's size markers (QDataStream::NullCode and ExtendedSize).
const (
	nullCode     = 0xffffffff
	extendedSize = 0xfffffffe
)

// readSize reads a size or count as QDataStream::readQSizeType does: a quint32, where
// 0xffffffff is the null marker (-1), and from Qt_6_7 on 0xfffffffe announces a qint64. The size
// is checked against the bytes left, each element taking at least unit bytes.
func (r *Reader) readSize(op string, unit int) (n int, null bool, err error) {
	return r.readSizeCheck(op, unit, nil)
}

// readSizeCheck is readSize with a check of the size's own, made before the size is compared
// with the bytes left (as Qt checks a QString's byte count for oddness first).
func (r *Reader) readSizeCheck(op string, unit int, check func(size int64) error) (n int, null bool, err error) {
	start := r.off
	first, err := r.ReadUint32()
	if err != nil {
		return 0, false, renamed(err, op+" size")
	}
	size := int64(first)
	switch {
	case first == nullCode:
		return 0, true, nil
	case first == extendedSize && r.Version >= Qt_6_7:
		ext, err := r.ReadInt64()
		if err != nil {
			r.off = start
			return 0, false, renamed(err, op+" size")
		}
		if ext == -1 {
			return 0, true, nil
		}
		if ext < 0 {
			r.off = start
			return 0, false, newError(op+" size", start, ErrSizeLimitExceeded, "negative size %d", ext)
		}
		size = ext
	}
	if check != nil {
		if err := check(size); err != nil {
			r.off = start
			return 0, false, err
		}
	}
	if left := r.Len(); size > int64(left/unit) {
		r.off = start
		return 0, false, newError(op+" size", start, ErrReadPastEnd, "%d, but only %d bytes follow", size, left)
	}
	return int(size), false, nil
}

// renamed gives a primitive's error the name of the field it was read for.
func renamed(err error, op string) error {
	if e, ok := err.(*Error); ok {
		c := *e
		c.Op = op
		return &c
	}
	return err
}
