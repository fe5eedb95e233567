//go:build linux && !android

package posix

import "sync"

// fileID names a file: device and inode.
type fileID struct{ dev, ino uint64 }

// registry counts, per semaphore file, the objects of this process that have it open and those
// that hold it. /proc tells other processes apart, not the objects of one process: an owner
// must not unlink a lock another object of its own process still uses, and Diagnose must not
// call a lock abandoned that another object of this process holds.
var registry = struct {
	sync.Mutex
	m map[fileID]*regEntry
}{m: map[fileID]*regEntry{}}

type regEntry struct{ opens, holds int }

func regAdd(id fileID, opens, holds int) {
	registry.Lock()
	defer registry.Unlock()
	e := registry.m[id]
	if e == nil {
		e = &regEntry{}
		registry.m[id] = e
	}
	e.opens += opens
	e.holds += holds
	if e.opens <= 0 && e.holds <= 0 {
		delete(registry.m, id)
	}
}

func regGet(id fileID) (opens, holds int) {
	registry.Lock()
	defer registry.Unlock()
	if e := registry.m[id]; e != nil {
		return e.opens, e.holds
	}
	return 0, 0
}
