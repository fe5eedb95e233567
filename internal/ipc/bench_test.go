//go:build linux && !android

package ipc

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// The cost of each raw call, for comparing changes with benchstat:
//
//	go test -run XXX -bench . -benchmem -count 10 ./internal/ipc/
//
// BenchmarkSyscallToll measures what the scheduler hooks of unix.Syscall cost against
// unix.RawSyscall on the cheapest system call there is (getppid).

func BenchmarkSyscallToll(b *testing.B) {
	b.Run("Syscall", func(b *testing.B) {
		for b.Loop() {
			unix.Syscall(unix.SYS_GETPPID, 0, 0, 0)
		}
	})
	b.Run("RawSyscall", func(b *testing.B) {
		for b.Loop() {
			unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
		}
	})
}

// benchLock is a one-semaphore set at value 1, removed at the end.
func benchLock(b *testing.B) int {
	b.Helper()
	id, err := Semget(IPC_PRIVATE, 1, IPC_CREAT|0o600)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { Semctl(id, 0, IPC_RMID, 0) })
	if _, err := Semctl(id, 0, SETVAL, 1); err != nil {
		b.Fatal(err)
	}
	return id
}

// BenchmarkSemopPair is the pure backend's uncontended lock and unlock: -1 with IPC_NOWAIT
// and SEM_UNDO, then +1 with SEM_UNDO.
func BenchmarkSemopPair(b *testing.B) {
	id := benchLock(b)
	lock := Sembuf{Op: -1, Flg: SEM_UNDO | IPC_NOWAIT}
	unlock := Sembuf{Op: 1, Flg: SEM_UNDO}
	b.ReportAllocs()
	for b.Loop() {
		if err := Semtimedop(id, lock, 0); err != nil {
			b.Fatal(err)
		}
		if err := Semtimedop(id, unlock, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSemopBlockingPair is the same pair with a -1 that may wait (the fallback path).
func BenchmarkSemopBlockingPair(b *testing.B) {
	id := benchLock(b)
	lock := Sembuf{Op: -1, Flg: SEM_UNDO}
	unlock := Sembuf{Op: 1, Flg: SEM_UNDO}
	b.ReportAllocs()
	for b.Loop() {
		if err := Semtimedop(id, lock, 0); err != nil {
			b.Fatal(err)
		}
		if err := Semtimedop(id, unlock, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSemget(b *testing.B) {
	key := 0x51fe0001
	id, err := Semget(key, 1, IPC_CREAT|IPC_EXCL|0o600)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { Semctl(id, 0, IPC_RMID, 0) })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Semget(key, 1, 0o600); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSemctlGetval(b *testing.B) {
	id := benchLock(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Semctl(id, 0, GETVAL, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSemstat(b *testing.B) {
	id := benchLock(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Semstat(id); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSegment is a private 4 KiB segment, removed at the end.
func benchSegment(b *testing.B) int {
	b.Helper()
	id, err := Shmget(IPC_PRIVATE, 4096, IPC_CREAT|0o600)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ShmRemove(id) })
	return id
}

func BenchmarkShmget(b *testing.B) {
	key := 0x51fe0002
	id, err := Shmget(key, 4096, IPC_CREAT|IPC_EXCL|0o600)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ShmRemove(id) })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Shmget(key, 0, 0o600); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkShmStat(b *testing.B) {
	id := benchSegment(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ShmStat(id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShmatShmdt maps and unmaps a segment (Shmat also reads the size).
func BenchmarkShmatShmdt(b *testing.B) {
	id := benchSegment(b)
	b.ReportAllocs()
	for b.Loop() {
		mem, err := Shmat(id, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := Shmdt(mem); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFtok(b *testing.B) {
	path := filepath.Join(b.TempDir(), "key")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Ftok(path, ProjQ); err != nil {
			b.Fatal(err)
		}
	}
}
