package qtshm

import (
	"io"
)

// ReadAt copies len(p) bytes from offset off of the segment into p (io.ReaderAt). It fails
// with NotFound when detached, InvalidSize for a negative offset, and returns io.EOF when fewer
// than len(p) bytes lie past off. It does not take the lock; a concurrent Detach or Close waits
// until the copy is done.
func (m *SharedMemory) ReadAt(p []byte, off int64) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	d := m.mem
	if d == nil || m.closed {
		return 0, newError(NotFound, "read", m.key, "QSharedMemory::data: not attached", nil)
	}
	if off < 0 {
		return 0, newError(InvalidSize, "read", m.key, "qtshm: negative offset", nil)
	}
	if off >= int64(len(d)) {
		return 0, io.EOF
	}
	n := copy(p, d[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt copies p into the segment at offset off (io.WriterAt). It fails with NotFound when
// detached, PermissionDenied when attached ReadOnly, and InvalidSize (writing nothing) when p
// does not fit. It does not take the lock; a concurrent Detach or Close waits until the copy is
// done.
func (m *SharedMemory) WriteAt(p []byte, off int64) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	d := m.mem
	if d == nil || m.closed {
		return 0, newError(NotFound, "write", m.key, "QSharedMemory::data: not attached", nil)
	}
	if m.readOnly {
		return 0, newError(PermissionDenied, "write", m.key, "qtshm: segment is attached ReadOnly", nil)
	}
	if off < 0 || off > int64(len(d)) || int64(len(p)) > int64(len(d))-off {
		return 0, newError(InvalidSize, "write", m.key, "qtshm: write past the end of the segment", nil)
	}
	return copy(d[off:], p), nil
}
