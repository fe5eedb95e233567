package qtshm

import (
	"context"

	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/sysv"
)

// RemoveStale removes the segment of QSharedMemory(key) and its key file if no process is
// attached to it: the state a creator killed while attached leaves behind, in which Qt ≤ 6.5's
// create() fails with AlreadyExists forever while attach() joins an orphan. Afterwards a create
// (Qt's or ours) succeeds. It reports whether something was removed; a segment that is already
// gone is not an error.
//
// It takes the key's lock, as Qt's create, attach and detach do, so it never removes a segment
// that is being created or attached to meanwhile. When it removed a segment it also removes
// the lock semaphore and its key file, while holding the lock. A segment that any process is
// attached to, or that belongs to another user (unless [WithForeignOwner]), is left alone.
// opts may carry WithTempDir, WithFlavor and WithForeignOwner; it always works on the System V
// objects directly (whatever the backend).
func RemoveStale(key string, opts ...Option) (bool, error) {
	return RemoveStaleContext(context.Background(), key, opts...)
}

// RemoveStaleContext is [RemoveStale] with its wait for the lock bounded by ctx (context.Background(): no bound);
// when ctx ends first it fails with LockError wrapping ctx.Err() and removes nothing.
func RemoveStaleContext(ctx context.Context, key string, opts ...Option) (bool, error) {
	ctx = orBackground(ctx)
	o := getOptions(opts)
	removed, err := sysv.RemoveStale(ctx, key, o.cfg)
	return removed, qtipc.WithKey(key, err)
}
