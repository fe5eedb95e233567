package qtshm_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// The benchmarks of the public API, per backend built in. Compare runs with benchstat:
//
//	go test -run XXX -bench . -benchmem -count 10 ./qtshm/ > new.txt
//	benchstat old.txt new.txt
//
// BenchmarkLockUnlockVsQt in interop_test runs the same Lock+Unlock pair inside the C++ Qt
// programs, for the ratio to Qt.

// benchSegment creates a 4 KiB segment (or size bytes) for a benchmark and closes it at the end.
func benchSegment(b *testing.B, be, name string, size int) *qtshm.SharedMemory {
	b.Helper()
	m := qtshm.New("qtshm bench "+name+" "+be, qtshm.WithBackend(be))
	b.Cleanup(func() { m.Close() })
	if err := m.Create(size, qtshm.ReadWrite); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkLockUnlock measures one uncontended Lock+Unlock pair (two semop calls with the pure
// backend, two Qt calls with the native one).
func BenchmarkLockUnlock(b *testing.B) {
	for _, be := range qtshm.Backends() {
		b.Run(be, func(b *testing.B) {
			m := benchSegment(b, be, "lock", 4096)
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Lock(); err != nil {
					b.Fatal(err)
				}
				if err := m.Unlock(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLockContextUnlock is BenchmarkLockUnlock with a context that has a deadline, as a
// program that bounds every wait uses (the peer's bench does). The native backend refuses such
// a context, so it runs on the pure backend only.
func BenchmarkLockContextUnlock(b *testing.B) {
	m := benchSegment(b, qtshm.BackendSysV, "lockctx", 4096)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		if err := m.LockContext(ctx); err != nil {
			b.Fatal(err)
		}
		if err := m.Unlock(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLockedWrite measures lock, a 64-byte write and unlock: the article's per-tick work.
func BenchmarkLockedWrite(b *testing.B) {
	for _, be := range qtshm.Backends() {
		b.Run(be, func(b *testing.B) {
			m := benchSegment(b, be, "write", 4096)
			msg := make([]byte, 64)
			b.SetBytes(64)
			b.ReportAllocs()
			for b.Loop() {
				m.Lock()
				copy(m.Data(), msg)
				m.Unlock()
			}
		})
	}
}

// BenchmarkAttachDetach measures Attach+Detach of an existing segment by one object (another
// object keeps the segment alive, so Detach never removes it).
func BenchmarkAttachDetach(b *testing.B) {
	for _, be := range qtshm.Backends() {
		b.Run(be, func(b *testing.B) {
			owner := benchSegment(b, be, "attach", 4096)
			m := qtshm.New(owner.Key(), qtshm.WithBackend(be))
			b.Cleanup(func() { m.Close() })
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Attach(qtshm.ReadWrite); err != nil {
					b.Fatal(err)
				}
				if err := m.Detach(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCreateClose measures a new object's Create and Close: key files, lock set and
// segment made and removed each time.
func BenchmarkCreateClose(b *testing.B) {
	for _, be := range qtshm.Backends() {
		b.Run(be, func(b *testing.B) {
			key := "qtshm bench create " + be
			b.ReportAllocs()
			for b.Loop() {
				m := qtshm.New(key, qtshm.WithBackend(be))
				if err := m.Create(4096, qtshm.ReadWrite); err != nil {
					m.Close()
					b.Fatal(err)
				}
				if err := m.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkData measures Data (a read lock and a slice).
func BenchmarkData(b *testing.B) {
	for _, be := range qtshm.Backends() {
		b.Run(be, func(b *testing.B) {
			m := benchSegment(b, be, "data", 4096)
			b.ReportAllocs()
			for b.Loop() {
				if m.Data() == nil {
					b.Fatal("Data is nil")
				}
			}
		})
	}
}

var copySizes = []int{64, 4096, 1 << 20}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.Itoa(n>>20) + "MiB"
	case n >= 1<<10:
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

// BenchmarkReadAt and BenchmarkWriteAt measure the guarded copies (no lock taken).
func BenchmarkReadAt(b *testing.B) {
	for _, be := range qtshm.Backends() {
		for _, n := range copySizes {
			b.Run(be+"/"+sizeName(n), func(b *testing.B) {
				m := benchSegment(b, be, "readat", n)
				p := make([]byte, n)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.ReadAt(p, 0); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkWriteAt(b *testing.B) {
	for _, be := range qtshm.Backends() {
		for _, n := range copySizes {
			b.Run(be+"/"+sizeName(n), func(b *testing.B) {
				m := benchSegment(b, be, "writeat", n)
				p := make([]byte, n)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.WriteAt(p, 0); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkLockedCopy measures Lock, a copy of n bytes into Data() and Unlock (the issue's
// "copy under the lock"), against a plain copy of the same size between Go slices.
func BenchmarkLockedCopy(b *testing.B) {
	for _, be := range qtshm.Backends() {
		for _, n := range copySizes {
			b.Run(be+"/"+sizeName(n), func(b *testing.B) {
				m := benchSegment(b, be, "copy", n)
				p := make([]byte, n)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					if err := m.Lock(); err != nil {
						b.Fatal(err)
					}
					copy(m.Data(), p)
					if err := m.Unlock(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	for _, n := range copySizes {
		b.Run("memmove/"+sizeName(n), func(b *testing.B) {
			src, dst := make([]byte, n), make([]byte, n)
			b.SetBytes(int64(n))
			for b.Loop() {
				copy(dst, src)
			}
		})
	}
}
