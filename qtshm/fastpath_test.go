//go:build linux

package qtshm_test

// The pure backend keeps the lock's handle across creates and attaches where Qt ≤ 6.5 re-opens
// it each time (internal/sysv: semaphore.reopen, stillOpen), and detach counts the attachments
// of the segment it mapped rather than of the key's. These tests change the objects between
// two attaches the ways a re-open would notice, and check that the object follows: it must
// end up on the lock a fresh object opens, as Qt's re-open would.

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/qtshm"
)

var bothFlavors = []struct {
	name   string
	flavor qtshm.Flavor
}{{"Qt5.15", qtshm.FlavorQt515}, {"Qt6.6", qtshm.FlavorQt661}}

// lockFileOf is the lock's key file of a QString-key segment.
func lockFileOf(m *qtshm.SharedMemory) string {
	dir, name := filepath.Split(m.NativeKey())
	return dir + strings.Replace(name, "qipc_sharedmemory_", "qipc_systemsem_", 1)
}

// mustExclude fails unless other cannot take m's lock while m holds it, and can once m let go.
func mustExclude(t *testing.T, m, other *qtshm.SharedMemory) {
	t.Helper()
	if err := m.Lock(); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	err := other.LockContext(ctx)
	cancel()
	if err == nil {
		other.Unlock()
		m.Unlock()
		t.Fatal("two objects of one key held the lock at once: they are on different lock sets")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockContext while the other holds the lock: %v, want DeadlineExceeded", err)
	}
	if err := m.Unlock(); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if err := other.Lock(); err != nil {
		t.Fatalf("Lock after the other's Unlock: %v", err)
	}
	other.Unlock()
}

// TestKeptLockFollowsRecreatedLock: the lock set an attacher opened is removed with its key
// file (its owner closed) and another creator makes new ones (on most file systems the key
// file gets the same inode back, so the same ftok key: only the set's id changes). The next
// attach must land on the new lock.
func TestKeptLockFollowsRecreatedLock(t *testing.T) {
	for _, f := range bothFlavors {
		t.Run(f.name, func(t *testing.T) {
			key, opt, owner, m := keptLockSetup(t, f.flavor)
			if err := owner.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(lockFileOf(m)); !os.IsNotExist(err) {
				t.Fatalf("the owner's Close left the lock's key file: %v", err)
			}
			creator := qtshm.New(key, opt...)
			defer creator.Close()
			if err := creator.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			if err := m.Attach(qtshm.ReadWrite); err != nil {
				t.Fatalf("attach after the lock was made anew: %v", err)
			}
			mustExclude(t, creator, m)
			if err := m.Detach(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestKeptLockFollowsRemovedSet: the lock set an attacher opened is removed by hand while its
// key file stays (the same file, so the same ftok key), and a new set is made under that key
// and held. The attach does not ask whether its set still exists before it takes the lock (the
// lock's semop finds out): it must then wait on the new set, not take a removed one or fail, and
// once the new set is free, attach and exclude a fresh object.
func TestKeptLockFollowsRemovedSet(t *testing.T) {
	for _, f := range bothFlavors {
		t.Run(f.name, func(t *testing.T) {
			key, opt, _, m := keptLockSetup(t, f.flavor)
			semKey, err := ipc.Ftok(lockFileOf(m), ipc.ProjQ)
			if err != nil {
				t.Fatal(err)
			}
			oldID, err := ipc.Semget(semKey, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ipc.Semctl(oldID, 0, ipc.IPC_RMID, 0); err != nil {
				t.Fatal(err)
			}
			// A new set under the same key, initialised and held (a semop was done on it, so it
			// is not taken for one a creator never initialised).
			newID, err := ipc.Semget(semKey, 1, 0o600|ipc.IPC_CREAT|ipc.IPC_EXCL)
			if err != nil {
				t.Fatal(err)
			}
			defer ipc.Semctl(newID, 0, ipc.IPC_RMID, 0)
			if _, err := ipc.Semctl(newID, 0, ipc.SETVAL, 1); err != nil {
				t.Fatal(err)
			}
			if err := ipc.Semtimedop(newID, ipc.Sembuf{Num: 0, Op: -1}, 0); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			err = m.AttachContext(ctx, qtshm.ReadWrite)
			cancel()
			if err == nil {
				m.Detach()
				t.Fatal("attach took the lock while the key's new lock set was held")
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("attach while the new lock set is held: %v, want DeadlineExceeded", err)
			}
			if err := ipc.Semtimedop(newID, ipc.Sembuf{Num: 0, Op: 1}, 0); err != nil {
				t.Fatal(err)
			}
			if err := m.Attach(qtshm.ReadWrite); err != nil {
				t.Fatalf("attach once the new lock set is free: %v", err)
			}
			fresh := qtshm.New(key, opt...)
			defer fresh.Close()
			if err := fresh.Attach(qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			mustExclude(t, m, fresh)
			if err := m.Detach(); err != nil {
				t.Fatal(err)
			}
			if err := fresh.Detach(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestKeptLockFollowsReplacedKeyFile: the lock's key file is replaced by another file (a new
// inode, so a new ftok key and a new set) while the old set lives on. With Qt ≤ 6.5 the next
// attach must use the set of the file that is there now, as a fresh object does (Qt re-opens
// the lock on every attach). Qt 6.6+ keeps its handle while the key is unchanged, whatever
// became of the file, and so does that flavour: it is not tested here.
func TestKeptLockFollowsReplacedKeyFile(t *testing.T) {
	for _, f := range bothFlavors[:1] {
		t.Run(f.name, func(t *testing.T) {
			key := uniqueKey(t)
			opt := []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithFlavor(f.flavor)}
			owner := qtshm.New(key, opt...)
			defer owner.Close()
			if err := owner.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			m := qtshm.New(key, opt...)
			defer m.Close()
			if err := m.Attach(qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			if err := m.Detach(); err != nil {
				t.Fatal(err)
			}
			// Replace the file: keep the old one alive under another name so that its inode
			// (and the old ftok key) cannot be handed to the new file.
			lockFile := lockFileOf(m)
			old := lockFile + ".old"
			if err := os.Rename(lockFile, old); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(old)
			if err := os.WriteFile(lockFile, nil, 0o640); err != nil {
				t.Fatal(err)
			}
			oldKey, _ := ipc.Ftok(old, ipc.ProjQ)
			newKey, _ := ipc.Ftok(lockFile, ipc.ProjQ)
			if oldKey == newKey {
				t.Fatalf("the new key file has the old one's ftok key %#x", newKey)
			}
			fresh := qtshm.New(key, opt...)
			defer fresh.Close()
			if err := fresh.Attach(qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			if err := m.Attach(qtshm.ReadWrite); err != nil {
				t.Fatalf("attach after the key file was replaced: %v", err)
			}
			mustExclude(t, fresh, m)
			if _, err := ipc.Semget(newKey, 1, 0); err != nil {
				t.Fatalf("no lock set for the new key file: %v", err)
			}
			// The set of the new file belongs to whichever attacher made it: remove it with
			// the objects; the owner still holds the old one.
			m.Detach()
			fresh.Detach()
			if id, err := ipc.Semget(newKey, 1, 0); err == nil {
				ipc.Semctl(id, 0, ipc.IPC_RMID, 0)
			}
		})
	}
}

// TestKeptLockFollowsTempDir: Qt computes the lock's key file name again on every attach (from
// $TMPDIR, while the segment's stays): after TMPDIR changes, the next attach uses a lock keyed
// in the new directory.
func TestKeptLockFollowsTempDir(t *testing.T) {
	for _, f := range bothFlavors {
		t.Run(f.name, func(t *testing.T) {
			key := uniqueKey(t)
			opt := []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithFlavor(f.flavor)}
			owner := qtshm.New(key, opt...)
			defer owner.Close()
			if err := owner.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			m := qtshm.New(key, opt...)
			defer m.Close()
			if err := m.Attach(qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			if err := m.Detach(); err != nil {
				t.Fatal(err)
			}
			other, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv("TMPDIR", other)
			if err := m.Attach(qtshm.ReadWrite); err != nil {
				t.Fatalf("attach after TMPDIR changed: %v", err)
			}
			moved := filepath.Join(other, filepath.Base(lockFileOf(owner)))
			if _, err := os.Stat(moved); err != nil {
				t.Fatalf("the attach did not key its lock in the new temp dir: %v", err)
			}
			closeRemovesMovedLock(t, m, moved)
		})
	}
}

// TestKeptLockFollowsRetargetedTempDir: TMPDIR stays the same string, a symbolic link, and
// the link is pointed at another directory. Qt resolves the temp directory on every attach, so
// its next attach keys the lock in the new directory; so must ours, which looks the key file up
// through the unresolved TMPDIR to decide whether to keep its lock (keptKeyFile). While the
// link is unchanged, the kept lock must still be the one the creator holds.
func TestKeptLockFollowsRetargetedTempDir(t *testing.T) {
	for _, f := range bothFlavors {
		t.Run(f.name, func(t *testing.T) {
			d1, d2, link := linkedTempDir(t)
			if err := os.Mkdir(d2, 0o700); err != nil {
				t.Fatal(err)
			}
			t.Setenv("TMPDIR", link+"/") // cleaned as Qt does: one trailing slash goes
			key := uniqueKey(t)
			opt := []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithFlavor(f.flavor)}
			owner := qtshm.New(key, opt...)
			defer owner.Close()
			if err := owner.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			if dir := filepath.Dir(owner.NativeKey()); dir != d1 {
				t.Fatalf("segment key file in %s, want the resolved %s", dir, d1)
			}
			m := qtshm.New(key, opt...)
			defer m.Close()
			other := qtshm.New(key, opt...) // its segment name is resolved now, in d1
			defer other.Close()
			for i := 0; i < 3; i++ {
				if err := m.Attach(qtshm.ReadWrite); err != nil {
					t.Fatalf("attach %d: %v", i, err)
				}
				mustExclude(t, owner, m)
				if err := m.Detach(); err != nil {
					t.Fatalf("detach %d: %v", i, err)
				}
			}
			repoint(t, link, d2)
			if err := m.Attach(qtshm.ReadWrite); err != nil {
				t.Fatalf("attach after the temp dir's link moved: %v", err)
			}
			moved := filepath.Join(d2, filepath.Base(lockFileOf(owner)))
			if _, err := os.Stat(moved); err != nil {
				t.Fatalf("the attach did not key its lock in the link's new target: %v", err)
			}
			if err := other.Attach(qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			mustExclude(t, other, m)
			if err := other.Close(); err != nil {
				t.Fatal(err)
			}
			closeRemovesMovedLock(t, m, moved)
		})
	}
}

// TestKeptLockFollowsMigratedTempDir: the temp directory (TMPDIR, a link) is migrated: d2 gets
// hard links of the key files and the link moves to d2. The next attach reaches the same key
// file through either name, but Qt's attach derives the new name (in d2). Then the owner
// closes, which unlinks the lock's key file in d1 (a Qt owner does too) and removes the set,
// and a fresh object (every name in d2) makes the new lock from d2's file and holds it. The
// older object's next lock must wait on that lock: had it kept its old name, it would re-open
// through d1 and make a third file and set, and both would hold "the lock" at once.
func TestKeptLockFollowsMigratedTempDir(t *testing.T) {
	for _, f := range bothFlavors {
		t.Run(f.name, func(t *testing.T) {
			d1, d2, link := linkedTempDir(t)
			key, opt, owner, m := keptLockSetup(t, f.flavor)
			if err := os.Mkdir(d2, 0o700); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{owner.NativeKey(), lockFileOf(owner)} {
				if err := os.Link(p, filepath.Join(d2, filepath.Base(p))); err != nil {
					t.Fatal(err)
				}
			}
			repoint(t, link, d2)
			if err := m.Attach(qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			defer m.Detach()
			if err := owner.Close(); err != nil {
				t.Fatal(err)
			}
			p := qtshm.New(key, opt...)
			defer p.Close()
			if err := p.Attach(qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			defer p.Detach()
			mustExclude(t, p, m)
			if _, err := os.Stat(filepath.Join(d1, filepath.Base(lockFileOf(p)))); !os.IsNotExist(err) {
				t.Fatalf("a lock key file in the old directory: %v", err)
			}
		})
	}
}

// TestKeptLockFollowsRenamedTempDir: the temp directory is renamed (mv d1 d2) and TMPDIR's link
// moved to it. The older object's segment name (fixed when it was made, as in Qt) is gone, so
// its attach fails NotFound, as Qt's does; but that attach derived the lock's name anew, in
// d2. After the owner closes and a fresh object makes a new segment and lock, the older
// object's lock must be that lock, also once d1 exists again.
func TestKeptLockFollowsRenamedTempDir(t *testing.T) {
	for _, f := range bothFlavors {
		t.Run(f.name, func(t *testing.T) {
			d1, d2, link := linkedTempDir(t)
			key, opt, owner, m := keptLockSetup(t, f.flavor)
			if err := os.Rename(d1, d2); err != nil {
				t.Fatal(err)
			}
			repoint(t, link, d2)
			err := m.Attach(qtshm.ReadWrite)
			wantCode(t, "attach after the temp dir was renamed", err, qtshm.NotFound, qtshm.ErrNotFound)
			if err := owner.Close(); err != nil {
				t.Fatal(err)
			}
			p := qtshm.New(key, opt...)
			defer p.Close()
			if err := p.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			if err := m.Lock(); err != nil {
				t.Fatalf("lock after the temp dir was renamed and the lock made anew: %v", err)
			}
			m.Unlock()
			if err := os.Mkdir(d1, 0o700); err != nil {
				t.Fatal(err)
			}
			mustExclude(t, p, m)
		})
	}
}

// closeRemovesMovedLock closes m, which made the lock whose key file is moved (in a new temp
// directory), and fails unless the Close removed that file.
func closeRemovesMovedLock(t *testing.T, m *qtshm.SharedMemory, moved string) {
	t.Helper()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(moved); !os.IsNotExist(err) {
		t.Fatalf("Close left the lock's key file in the new temp dir: %v", err)
	}
}

// keptLockSetup makes an owner of a new 64-byte segment of a key of the test's and another
// object m of that key which has attached and detached twice, so that it keeps a lock handle
// (pure backend, the given flavour); both are closed when the test ends.
func keptLockSetup(t *testing.T, flavor qtshm.Flavor) (key string, opt []qtshm.Option, owner, m *qtshm.SharedMemory) {
	t.Helper()
	key = uniqueKey(t)
	opt = []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithFlavor(flavor)}
	owner = qtshm.New(key, opt...)
	t.Cleanup(func() { owner.Close() })
	if err := owner.Create(64, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	m = qtshm.New(key, opt...)
	t.Cleanup(func() { m.Close() })
	for i := 0; i < 2; i++ {
		if err := m.Attach(qtshm.ReadWrite); err != nil {
			t.Fatalf("attach %d: %v", i, err)
		}
		if err := m.Detach(); err != nil {
			t.Fatalf("detach %d: %v", i, err)
		}
	}
	return key, opt, owner, m
}

// linkedTempDir makes base/d1 and base/tmp, a link to d1, and sets TMPDIR to the link; d2 is
// base/d2, not made.
func linkedTempDir(t *testing.T) (d1, d2, link string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d1, d2, link = filepath.Join(base, "d1"), filepath.Join(base, "d2"), filepath.Join(base, "tmp")
	if err := os.Mkdir(d1, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(d1, link); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", link)
	return d1, d2, link
}

// repoint moves link to target (a new link renamed over the old one).
func repoint(t *testing.T, link, target string) {
	t.Helper()
	if err := os.Symlink(target, link+".new"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(link+".new", link); err != nil {
		t.Fatal(err)
	}
}

// TestDetachCountsItsOwnSegment: the segment is removed while two objects are attached and
// another, with no attachment yet, is made under the same key. A detach counts the
// attachments of the segment it mapped (one left), so it removes neither that segment nor the
// new one; Qt's looks the key up again and would remove the new one (and its key file).
func TestDetachCountsItsOwnSegment(t *testing.T) {
	for _, f := range bothFlavors {
		t.Run(f.name, func(t *testing.T) {
			key := uniqueKey(t)
			opt := []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithFlavor(f.flavor)}
			a := qtshm.New(key, opt...)
			defer a.Close()
			if err := a.Create(64, qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			b := qtshm.New(key, opt...)
			defer b.Close()
			if err := b.Attach(qtshm.ReadWrite); err != nil {
				t.Fatal(err)
			}
			// Once the segment is removed by hand, no detach removes its key file (Qt's
			// neither: it finds no segment under the key then).
			keyFile := a.NativeKey()
			defer os.Remove(keyFile)
			shmKey, err := ipc.Ftok(keyFile, ipc.ProjQ)
			if err != nil {
				t.Fatal(err)
			}
			oldID, err := ipc.Shmget(shmKey, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := ipc.ShmRemove(oldID); err != nil { // marked: it goes with the last detach
				t.Fatal(err)
			}
			newID, err := ipc.Shmget(shmKey, 64, 0o600|ipc.IPC_CREAT|ipc.IPC_EXCL)
			if err != nil {
				t.Fatal(err)
			}
			defer ipc.ShmRemove(newID)
			if err := b.Detach(); err != nil {
				t.Fatal(err)
			}
			if _, err := ipc.ShmStat(newID); err != nil {
				t.Fatalf("the detach removed the new segment of the key: %v", err)
			}
			if _, err := os.Stat(a.NativeKey()); err != nil {
				t.Fatalf("the detach removed the key file: %v", err)
			}
			if st, err := ipc.ShmStat(oldID); err != nil || st.Nattch != 1 {
				t.Fatalf("the segment a still maps: %+v, %v; want 1 attachment", st, err)
			}
		})
	}
}
