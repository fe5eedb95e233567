package qtshm

import (
	"errors"
	"io"
	"runtime/debug"
)

// ErrSegmentFault is wrapped by the error of a ReadAt or WriteAt whose copy faulted: the segment
// shrank under the mapping (another process truncated a POSIX segment's file). Memory taken
// from Data cannot be protected so: touching it then kills the process with SIGBUS, as in Qt.
var ErrSegmentFault = errors.New("qtshm: the segment's memory faulted (truncated by another process?)")

// guardedCopy copies src to dst, turning a memory fault (SIGBUS of a truncated mapping) into
// an error instead of a crash.
func guardedCopy(dst, src []byte) (n int, fault error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			if _, ok := r.(interface{ Addr() uintptr }); ok { // a runtime.Error for a fault
				n, fault = 0, ErrSegmentFault
				return
			}
			panic(r)
		}
	}()
	if l := min(len(dst), len(src)); l < ntThreshold || l >= cachedCopyMax {
		return copy(dst, src), nil // segmentCopy is not inlined: small copies stay direct
	}
	return segmentCopy(dst, src), nil
}

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
	n, fault := guardedCopy(p, d[off:])
	if fault != nil {
		return 0, newError(UnknownError, "read", m.key, "qtshm: reading the segment faulted: its memory is gone (truncated by another process?)", fault)
	}
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
	n, fault := guardedCopy(d[off:], p)
	if fault != nil {
		return 0, newError(UnknownError, "write", m.key, "qtshm: writing the segment faulted: its memory is gone (truncated by another process?)", fault)
	}
	return n, nil
}
