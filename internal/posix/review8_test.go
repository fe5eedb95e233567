//go:build linux && !android

package posix

import (
	"errors"
	"os"
	"testing"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// Review 8: breaks of the POSIX backend. Each test fails on the code it was written against and
// says why in its comment.

// TestReview8RemoveStaleKeepsSegmentAttachedHere: RemoveStale must not unlink a segment that
// this very process has attached. Here the lock semaphore's name is gone, as Qt's lock owner
// leaves it when it is destroyed (qsystemsemaphore_posix.cpp unlinks an owned semaphore even
// while others use it: docs/posix.md); the Go object is still attached.
//
// Defect: RemoveStale's inUse (stale_linux.go) asks mappers() whether the segment is mapped,
// and mappers skips this process; the only same-process check is regGet on the lock's file,
// which cannot see an object whose lock was unlinked (or one that uses another lock name, a
// legacy-key lock). So RemoveStale reports the attached segment stale and unlinks it; the
// next Create makes a second segment beside it and the two users no longer share memory.
// Fix: count this process's own mappings of the segment too (ownRanges(segID) is there,
// unused), or keep a registry of attached segment files as is done for locks.
func TestReview8RemoveStaleKeepsSegmentAttachedHere(t *testing.T) {
	requireProc(t)
	name := uniqueName(t)
	m := newShm(t, name, backend.Config{})
	ctx, cancel := ctxFor(stepTimeout)
	defer cancel()
	if err := m.Create(ctx, 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	// Qt's lock owner exits: sem_unlink of the lock while we use it.
	if err := psem.Unlink(name); err != nil {
		t.Fatal(err)
	}
	removed, err := RemoveStale(ctx, name, "", backend.Config{})
	if ok, _ := exists(segPath(name)); !ok || removed {
		t.Fatalf("RemoveStale = %v, %v and the segment exists: %v; want it kept: this process is attached to it", removed, err, ok)
	}
}

// TestReview8RemoveStaleKeepsSegmentOfOtherLockName: the same defect through a lock name: an
// object of the plain native key "/K" (lock "/K") is attached; RemoveStale of the key "/K"
// with the legacy lock of a key that records a legacy key (what RemoveStaleNative does for
// QNativeIpcKey("/K", legacyKey="L")) sees neither a foreign mapper of the segment nor an
// open of its lock in this process, and removes the segment in use.
func TestReview8RemoveStaleKeepsSegmentOfOtherLockName(t *testing.T) {
	requireProc(t)
	name := uniqueName(t)
	other := uniqueName(t)
	m := newShm(t, name, backend.Config{})
	ctx, cancel := ctxFor(stepTimeout)
	defer cancel()
	if err := m.Create(ctx, 64, qtipc.ReadWrite); err != nil {
		t.Fatal(err)
	}
	removed, err := RemoveStale(ctx, name, other, backend.Config{})
	if ok, _ := exists(segPath(name)); !ok || removed {
		t.Fatalf("RemoveStale = %v, %v and the segment exists: %v; want it kept: this process is attached to it", removed, err, ok)
	}
}

// TestReview8AttachZeroSizeSegment: a creator killed between shm_open(O_EXCL) and ftruncate
// leaves a 0-byte segment. Attach must fail cleanly (no panic, no mapping) and Create must
// keep failing with AlreadyExists, as in Qt; RemoveStale must remove it (nobody maps it).
// This one passes: kept because it can fail (a zero-length mapping accepted as attached).
func TestReview8AttachZeroSizeSegment(t *testing.T) {
	requireProc(t)
	name := uniqueName(t)
	if err := os.WriteFile(segPath(name), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	m := newShm(t, name, backend.Config{})
	ctx, cancel := ctxFor(stepTimeout)
	defer cancel()
	if err := m.Attach(ctx, qtipc.ReadWrite); err == nil || m.Data() != nil {
		t.Fatalf("Attach to a 0-byte segment: %v, Data %v; want an error and no mapping", err, m.Data())
	}
	if err := m.Create(ctx, 64, qtipc.ReadWrite); !errors.Is(err, qtipc.ErrAlreadyExists) {
		t.Fatalf("Create over a 0-byte segment: %v; want AlreadyExists", err)
	}
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	removed, err := RemoveStale(ctx, name, "", backend.Config{})
	if ok, _ := exists(segPath(name)); ok || !removed || err != nil {
		t.Fatalf("RemoveStale of a 0-byte segment = %v, %v, still there: %v", removed, err, ok)
	}
}
