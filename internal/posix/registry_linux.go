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

// plain counts the standalone semaphores (QSystemSemaphore) among the opens: they may hold
// units of the file's semaphore without this registry knowing.
type regEntry struct{ opens, holds, plain int }

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
	if e.opens <= 0 && e.holds <= 0 && e.plain <= 0 {
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

// regAddPlain counts a standalone semaphore of file id opened (n = 1) or closed (n = -1).
func regAddPlain(id fileID, n int) {
	registry.Lock()
	e := registry.m[id]
	if e == nil {
		e = &regEntry{}
		registry.m[id] = e
	}
	e.plain += n
	e.opens += n
	if e.opens <= 0 && e.holds <= 0 && e.plain <= 0 {
		delete(registry.m, id)
	}
	registry.Unlock()
}

// regPlain is how many standalone semaphores of this process have file id open.
func regPlain(id fileID) int {
	registry.Lock()
	defer registry.Unlock()
	if e := registry.m[id]; e != nil {
		return e.plain
	}
	return 0
}
