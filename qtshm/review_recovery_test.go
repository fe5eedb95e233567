//go:build linux

package qtshm_test

// Review: the recovery of a lock set left uninitialised (recoverUninitialised) and what a
// planted key file does to it.

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/qtshm"
	"golang.org/x/sys/unix"
)

// uninitialisedLock makes the lock set of key as a Qt ≤ 6.5 process that lost the handle race
// leaves it (value 0, never operated on), keyed from the key file at semFile, which must exist.
func uninitialisedLock(t *testing.T, semFile string) int {
	t.Helper()
	k, err := ipc.Ftok(semFile, ipc.ProjQ)
	if err != nil {
		t.Fatal(err)
	}
	id, err := ipc.Semget(k, 1, 0o600|ipc.IPC_CREAT|ipc.IPC_EXCL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ipc.Semctl(id, 0, ipc.IPC_RMID, 0) })
	return id
}

// TestReviewRecoveryHonoursContextWhileKeyFileIsFlocked: a peer that holds flock on the lock's
// key file (a Go process SIGSTOPped inside recoverUninitialised, or any process of the user that
// flocks the file) makes every waiter on an uninitialised lock block in flock(LOCK_EX), with the
// semaphore's mutex held, ignoring its context.
func TestReviewRecoveryHonoursContextWhileKeyFileIsFlocked(t *testing.T) {
	key := uniqueKey(t)
	semFile := qtshm.LegacySemaphoreNativeKey(key)
	if err := os.WriteFile(semFile, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(semFile) })
	uninitialisedLock(t, semFile)
	fd, err := unix.Open(semFile, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	unlock := func() { unix.Flock(fd, unix.LOCK_UN); unix.Close(fd) }
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
	t.Cleanup(func() { m.Close() })
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		got <- m.CreateContext(ctx, 8, qtshm.ReadWrite)
	}()
	select {
	case err := <-got:
		unlock()
		t.Logf("CreateContext with a 1 s deadline: %v", err)
	case <-time.After(5 * time.Second):
		unlock()
		<-got
		t.Fatal("CreateContext(1 s deadline) still blocked after 5 s: recoverUninitialised waits in flock(LOCK_EX) without a bound")
	}
}

// TestReviewRecoveryWithFIFOKeyFile: with WithForeignOwner (Qt's behaviour: any key file is
// used), another user plants a FIFO as the lock's key file and an uninitialised 0666 lock set.
// Qt never opens the key file, so it only waits on the lock; our recovery opens the FIFO for
// reading, which blocks until a writer comes, ignoring the context.
func TestReviewRecoveryWithFIFOKeyFile(t *testing.T) {
	key := uniqueKey(t)
	semFile := qtshm.LegacySemaphoreNativeKey(key)
	if err := syscall.Mkfifo(semFile, 0o666); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(semFile) })
	uninitialisedLock(t, semFile)
	m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithForeignOwner())
	t.Cleanup(func() { m.Close() })
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		got <- m.CreateContext(ctx, 8, qtshm.ReadWrite)
	}()
	select {
	case err := <-got:
		t.Logf("CreateContext with a 1 s deadline: %v", err)
	case <-time.After(5 * time.Second):
		// Free the reader: a writer's open completes the reader's.
		if fd, err := unix.Open(semFile, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0); err == nil {
			defer unix.Close(fd)
		}
		<-got
		t.Fatal("CreateContext(1 s deadline) still blocked after 5 s: recoverUninitialised opened the FIFO key file and waits for a writer")
	}
}

// TestReviewRecoveryRacesSlowCreator: a creator (Qt or Go) that made the lock set with IPC_EXCL
// is stalled (SIGSTOP, a debugger, CPU starvation) for more than 300 ms before its SETVAL 1. A
// Go waiter takes the set for abandoned, sets it to 1 and enters. When the creator resumes, its
// SETVAL 1 opens the lock a second time while the waiter is inside.
func TestReviewRecoveryRacesSlowCreator(t *testing.T) {
	key := uniqueKey(t)
	semFile := qtshm.LegacySemaphoreNativeKey(key)
	if err := os.WriteFile(semFile, nil, 0o640); err != nil { // the creator's createUnixKeyFile
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(semFile) })
	id := uninitialisedLock(t, semFile) // the creator's semget(IPC_CREAT|IPC_EXCL); then it stalls
	a := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
	t.Cleanup(func() { a.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.CreateContext(ctx, 8, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if err := a.LockContext(ctx); err != nil {
		t.Fatal(err)
	}
	// The creator resumes: QSystemSemaphorePrivate::handle's SETVAL initialValue. The recovery
	// removed the abandoned set (and the waiter made a new one), so this SETVAL fails and the
	// creator reports an error, rather than opening the lock the waiter holds.
	if _, err := ipc.Semctl(id, 0, ipc.SETVAL, 1); err == nil {
		t.Log("the creator's SETVAL went through: the second object must still be kept out")
	} else {
		t.Logf("the slow creator's SETVAL fails (%v): the set it made was removed as abandoned", err)
	}
	b := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
	t.Cleanup(func() { b.Close() })
	bctx, bcancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer bcancel()
	err := b.AttachContext(bctx, qtshm.ReadWrite)
	a.Unlock()
	if err == nil {
		t.Fatal("a second object attached (under the lock) while the first holds the lock: the recovery raced the creator's SETVAL")
	}
}
