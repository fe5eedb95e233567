package qtshm

import (
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"github.com/qtshm/qtshm-go/internal/sysv"
)

// RemoveStale removes the segment of QSharedMemory(key) and its key file if no process is
// attached to it: the state a creator killed while attached leaves behind, in which Qt ≤ 6.5's
// create() fails with AlreadyExists forever while attach() joins an orphan. Afterwards a create
// (Qt's or ours) succeeds. A segment that any process is attached to is never touched. It
// reports whether something was removed. opts may carry WithTempDir.
//
// The lock semaphore is left alone: the next create takes it over and resets it (as Qt does).
func RemoveStale(key string, opts ...Option) (bool, error) {
	o := getOptions(opts)
	dir := o.cfg.TempDir
	if dir == "" {
		dir = qtkey.TempPath()
	}
	nk := qtkey.SysV(key, qtkey.SharedMemoryPrefix, dir)
	if nk == "" {
		return false, newError(KeyError, "remove", key, "QSharedMemory::handle:: key is empty", nil)
	}
	removed, err := sysv.RemoveStale(nk)
	return removed, wrapErr(key, err)
}
