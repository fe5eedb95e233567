//go:build linux && !android

package ipc

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// checkShmDesc compares ShmStat with the kernel's /proc/sysvipc/shm row.
func checkShmDesc(t *testing.T, id int, d ShmDesc) {
	t.Helper()
	row := procRow(t, "shm", id)
	want := ShmDesc{
		Perm: IpcPerm{Uid: uint32(row["uid"]), Gid: uint32(row["gid"]), Cuid: uint32(row["cuid"]), Cgid: uint32(row["cgid"]),
			Mode: uint32(row["perms"])},
		Segsz: uint64(row["size"]), Nattch: uint64(row["nattch"]),
		Cpid: int32(row["cpid"]), Lpid: int32(row["lpid"]),
	}
	if d != want {
		t.Fatalf("ShmStat = %+v\n/proc/sysvipc/shm says %+v", d, want)
	}
}

func shmStat(t *testing.T, id int) ShmDesc {
	t.Helper()
	d, err := ShmStat(id)
	if err != nil {
		t.Fatalf("ShmStat: %v", err)
	}
	checkShmDesc(t, id, d)
	return d
}

// TestShmStat follows a segment through create, two attachments (one read-only), removal
// while attached (SHM_DEST) and the last detach, checking every ShmStat field against the
// process's ids and /proc/sysvipc/shm.
func TestShmStat(t *testing.T) {
	const size = 3*4096 + 123 // not a page multiple: shm_segsz is the size asked for
	var id int
	var err error
	uid, gid := asOwner(t, func() { id, err = Shmget(IPC_PRIVATE, size, IPC_CREAT|IPC_EXCL|0o640) })
	if err != nil {
		t.Fatalf("shmget: %v", err)
	}
	t.Cleanup(func() {
		if err := ShmRemove(id); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EIDRM) {
			t.Errorf("IPC_RMID: %v", err)
		}
	})
	pid := int32(os.Getpid())

	d := shmStat(t, id)
	want := ShmDesc{Perm: IpcPerm{Uid: uid, Gid: gid, Cuid: uid, Cgid: gid, Mode: 0o640}, Segsz: size, Cpid: pid}
	if d != want {
		t.Fatalf("fresh segment: %+v, want %+v", d, want)
	}

	rw, err := Shmat(id, 0)
	if err != nil {
		t.Fatalf("shmat: %v", err)
	}
	attached := [][]byte{rw}
	t.Cleanup(func() {
		for _, b := range attached {
			Shmdt(b)
		}
	})
	if len(rw) != size {
		t.Fatalf("len(Shmat) = %d, want %d", len(rw), size)
	}
	rw[size-1] = 0x5a
	ro, err := Shmat(id, SHM_RDONLY)
	if err != nil {
		t.Fatalf("shmat read-only: %v", err)
	}
	attached = append(attached, ro)
	if ro[size-1] != 0x5a {
		t.Fatalf("second mapping reads %#x, want 0x5a", ro[size-1])
	}
	if d := shmStat(t, id); d.Nattch != 2 || d.Lpid != pid {
		t.Fatalf("attached twice: Nattch %d Lpid %d, want 2, %d", d.Nattch, d.Lpid, pid)
	}

	if err := ShmRemove(id); err != nil {
		t.Fatalf("IPC_RMID: %v", err)
	}
	// Marked for removal, still there while attached. (A removed segment's key becomes
	// IPC_PRIVATE; this one had no key anyway.)
	if d := shmStat(t, id); d.Perm.Mode != 0o640|0o1000 || d.Nattch != 2 {
		t.Fatalf("removed while attached: Mode %#o Nattch %d, want 01640, 2", d.Perm.Mode, d.Nattch)
	}
	if err := Shmdt(ro); err != nil {
		t.Fatalf("shmdt: %v", err)
	}
	if d := shmStat(t, id); d.Nattch != 1 {
		t.Fatalf("after one detach: Nattch %d, want 1", d.Nattch)
	}
	if err := Shmdt(rw); err != nil {
		t.Fatalf("shmdt: %v", err)
	}
	attached = nil
	if _, err := ShmStat(id); !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EIDRM) {
		t.Fatalf("ShmStat after the last detach of a removed segment = %v, want EINVAL", err)
	}
	if err := Shmdt(rw); !errors.Is(err, unix.EINVAL) {
		t.Errorf("second Shmdt = %v, want EINVAL", err)
	}
	if err := Shmdt(nil); !errors.Is(err, unix.EINVAL) {
		t.Errorf("Shmdt(nil) = %v, want EINVAL", err)
	}
}

// TestShmgetErrors checks that errors come back as the bare errno.
func TestShmgetErrors(t *testing.T) {
	if _, err := Shmget(IPC_PRIVATE, 0, IPC_CREAT|0o600); !errors.Is(err, unix.EINVAL) {
		t.Errorf("shmget size 0 = %v, want EINVAL", err)
	}
	if _, err := Shmat(-1, 0); !errors.Is(err, unix.EINVAL) {
		t.Errorf("shmat(-1) = %v, want EINVAL", err)
	}
	if _, err := ShmStat(-1); !errors.Is(err, unix.EINVAL) {
		t.Errorf("ShmStat(-1) = %v, want EINVAL", err)
	}
}
