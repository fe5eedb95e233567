//go:build linux && !android

package ipc

import (
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// newSet creates a private semaphore set of n semaphores and removes it when the test ends.
func newSet(t *testing.T, n int) int {
	t.Helper()
	id, err := Semget(IPC_PRIVATE, n, IPC_CREAT|0o640)
	if err != nil {
		t.Fatalf("semget: %v", err)
	}
	removeSetLater(t, id)
	return id
}

func removeSetLater(t *testing.T, id int) {
	t.Cleanup(func() {
		if _, err := Semctl(id, 0, IPC_RMID, 0); err != nil && !errors.Is(err, unix.EINVAL) {
			t.Errorf("IPC_RMID: %v", err)
		}
	})
}

// checkSemDesc compares Semstat with the kernel's /proc/sysvipc/sem row.
func checkSemDesc(t *testing.T, id int, d SemDesc) {
	t.Helper()
	row := procRow(t, "sem", id)
	want := SemDesc{
		Uid: uint32(row["uid"]), Gid: uint32(row["gid"]), Cuid: uint32(row["cuid"]), Cgid: uint32(row["cgid"]),
		Mode: uint32(row["perms"]), Otime: row["otime"], Ctime: row["ctime"], Nsems: uint64(row["nsems"]),
	}
	if d != want {
		t.Fatalf("Semstat = %+v\n/proc/sysvipc/sem says %+v", d, want)
	}
}

// TestSemstat checks every field of Semstat on a fresh set (sem_otime 0) and after a semop
// (sem_otime set), against the process's ids and /proc/sysvipc/sem.
func TestSemstat(t *testing.T) {
	var id int
	var err error
	uid, gid := asOwner(t, func() { id, err = Semget(IPC_PRIVATE, 3, IPC_CREAT|0o640) })
	if err != nil {
		t.Fatalf("semget: %v", err)
	}
	removeSetLater(t, id)
	d, err := Semstat(id)
	if err != nil {
		t.Fatalf("Semstat: %v", err)
	}
	if d.Otime != 0 {
		t.Errorf("fresh set: Otime = %d, want 0", d.Otime)
	}
	if d.Ctime <= 0 {
		t.Errorf("fresh set: Ctime = %d, want the creation time", d.Ctime)
	}
	if d.Nsems != 3 || d.Mode&0o777 != 0o640 {
		t.Errorf("Nsems = %d, Mode = %#o; want 3, 0640", d.Nsems, d.Mode)
	}
	if d.Uid != uid || d.Cuid != uid || d.Gid != gid || d.Cgid != gid {
		t.Errorf("ids %d/%d %d/%d, want uid %d gid %d", d.Uid, d.Cuid, d.Gid, d.Cgid, uid, gid)
	}
	checkSemDesc(t, id, d)

	if err := Semtimedop(id, Sembuf{Num: 1, Op: 1}, 0); err != nil {
		t.Fatalf("semop: %v", err)
	}
	d2, err := Semstat(id)
	if err != nil {
		t.Fatalf("Semstat: %v", err)
	}
	if d2.Otime == 0 {
		t.Errorf("after semop: Otime = 0")
	}
	if d2.Ctime != d.Ctime {
		t.Errorf("a semop changed Ctime: %d → %d", d.Ctime, d2.Ctime)
	}
	checkSemDesc(t, id, d2)

	if _, err := Semstat(-1); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Semstat(-1) = %v, want EINVAL", err)
	}
}

// TestSemctl checks SETVAL/GETVAL with values whose bytes differ (an int read from the wrong
// half of union semun on a big-endian machine reads 0), GETPID, GETNCNT, GETZCNT and that
// commands with a pointer argument are refused.
func TestSemctl(t *testing.T) {
	id := newSet(t, 2)
	for _, v := range []int{1, 0x1234, 32767, 0} {
		if _, err := Semctl(id, 1, SETVAL, v); err != nil {
			t.Fatalf("SETVAL %d: %v", v, err)
		}
		if got, err := Semctl(id, 1, GETVAL, 0); err != nil || got != v {
			t.Fatalf("GETVAL = %d, %v; want %d", got, err, v)
		}
		if got, err := Semctl(id, 0, GETVAL, 0); err != nil || got != 0 {
			t.Fatalf("GETVAL of the other semaphore = %d, %v; want 0", got, err)
		}
	}
	if _, err := Semctl(id, 0, SETVAL, 32768); !errors.Is(err, unix.ERANGE) {
		t.Errorf("SETVAL 32768 = %v, want ERANGE", err)
	}
	if err := Semtimedop(id, Sembuf{Num: 0, Op: 2}, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := Semctl(id, 0, GETPID, 0); err != nil || got != os.Getpid() {
		t.Errorf("GETPID = %d, %v; want %d", got, err, os.Getpid())
	}
	if got, err := Semctl(id, 0, GETNCNT, 0); err != nil || got != 0 {
		t.Errorf("GETNCNT = %d, %v; want 0", got, err)
	}
	if got, err := Semctl(id, 1, GETZCNT, 0); err != nil || got != 0 {
		t.Errorf("GETZCNT = %d, %v; want 0", got, err)
	}
	if _, err := Semctl(id, 0, IPC_STAT, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Semctl(IPC_STAT) = %v, want EINVAL (refused)", err)
	}
}

// TestSemtimedop covers the three ways an operation goes to the kernel: no timeout (semop),
// a timeout that expires (EAGAIN), a timeout with the value available, and a wait that
// another goroutine ends. On 32-bit architectures it runs once with semtimedop_time64 and once
// with the old 32-bit timespec call.
func TestSemtimedop(t *testing.T) {
	for _, path := range timeoutPaths {
		t.Run(path.name, func(t *testing.T) {
			path.use(t)
			id := newSet(t, 1)
			if err := Semtimedop(id, Sembuf{Op: -1, Flg: IPC_NOWAIT}, 0); !errors.Is(err, unix.EAGAIN) {
				t.Fatalf("IPC_NOWAIT on 0 = %v, want EAGAIN", err)
			}
			timedOut := retryEINTR(func() error { return Semtimedop(id, Sembuf{Op: -1}, 20*time.Millisecond) })
			if err := timedOut; !errors.Is(err, unix.EAGAIN) {
				t.Fatalf("timed wait on 0 = %v, want EAGAIN", err)
			}
			if err := Semtimedop(id, Sembuf{Op: 1, Flg: SEM_UNDO}, 0); err != nil {
				t.Fatal(err)
			}
			if err := Semtimedop(id, Sembuf{Op: -1, Flg: SEM_UNDO}, time.Minute); err != nil {
				t.Fatalf("timed wait on 1 = %v", err)
			}
			if v, _ := Semctl(id, 0, GETVAL, 0); v != 0 {
				t.Fatalf("value %d after +1 -1", v)
			}
			// A long timeout (more than 2³¹ s on the 32-bit path is clamped) that another
			// goroutine ends by a post.
			done := make(chan error, 1)
			go func() {
				done <- retryEINTR(func() error { return Semtimedop(id, Sembuf{Op: -1}, 100*365*24*time.Hour) })
			}()
			waitNcnt(t, id, 1, done)
			if err := Semtimedop(id, Sembuf{Op: 1}, 0); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("waiter: %v", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("waiter not woken by the post")
			}
			// The untimed semop too.
			go func() { done <- retryEINTR(func() error { return Semtimedop(id, Sembuf{Op: -1}, 0) }) }()
			waitNcnt(t, id, 1, done)
			if _, err := Semctl(id, 0, SETVAL, 1); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("waiter: %v", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("waiter not woken by SETVAL")
			}
		})
	}
}

// retryEINTR calls op until it fails with something else than EINTR: the Go runtime's
// preemption signals (SIGURG) interrupt a blocking semop now and then, as the callers know.
func retryEINTR(op func() error) error {
	for {
		if err := op(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// waitNcnt waits (bounded) until n processes or threads wait for the semaphore to grow; a
// waiter that returns early (on done) fails the test with its error.
func waitNcnt(t *testing.T, id, n int, done <-chan error) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("the waiter returned before being woken: %v", err)
		default:
		}
		got, err := Semctl(id, 0, GETNCNT, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GETNCNT stays %d, want %d", got, n)
		}
	}
}
