package qtshm

import (
	"context"
	"errors"
	"os"
	"runtime"

	"github.com/qtshm/qtshm-go/internal/inventory"
	"github.com/qtshm/qtshm-go/internal/posix"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"github.com/qtshm/qtshm-go/internal/sysv"
)

// Object is one IPC object Qt uses, as [List] and [Inspect] report it: a System V key file
// (qipc_sharedmemory_… or qipc_systemsem_…), segment or semaphore set, or a POSIX-realtime
// segment or semaphore in /dev/shm, with its owner, mode, size, attachments, pids and times,
// and whether it looks stale (Stale, StaleReason). Its JSON field names are stable (see the
// field comments and docs/cli.md).
type Object = inventory.Object

// ObjectKind is the kind of an [Object].
type ObjectKind = inventory.Kind

// The kinds of [Object].
const (
	KindKeyFile        = inventory.KeyFile        // "keyfile"
	KindSysVSegment    = inventory.SysVSegment    // "sysv-shm"
	KindSysVSemaphore  = inventory.SysVSemaphore  // "sysv-sem"
	KindPosixSegment   = inventory.PosixSegment   // "posix-shm"
	KindPosixSemaphore = inventory.PosixSemaphore // "posix-sem"
)

// ListOptions selects what [List] looks at.
type ListOptions struct {
	// TempDir is the directory of the System V key files; "" means QDir::tempPath() as the
	// Flavor's Qt computes it ($TMPDIR or /tmp).
	TempDir string
	Flavor  Flavor
	// All lists every System V segment and set of this IPC namespace and everything in
	// /dev/shm, not only the objects that look like Qt's.
	All bool
}

func (o ListOptions) dir() string {
	if o.TempDir != "" {
		return o.TempDir
	}
	return tempPathFor(o.Flavor)
}

func tempPathFor(f Flavor) string {
	rules := qtkey.RulesQt5
	if f.Qt66() {
		rules = qtkey.RulesQt68
	}
	return qtkey.TempPathFor(os.Getenv("TMPDIR"), rules)
}

// List reports every Qt IPC object of the machine (of this IPC namespace and /dev/shm): the
// key files in the temp directory, the System V segments and semaphore sets they key (and
// those whose key looks like Qt's without a key file), and the POSIX-realtime objects of Qt
// 6.6+ native keys. Stale objects — a segment nobody is attached to, a key file without its
// object, an object without its key file, a lock nobody uses any more, a POSIX lock taken by
// a dead holder — have Stale set and StaleReason saying why; [RemoveObject] removes them.
//
// On Windows it returns nothing: Windows removes every object with its last handle, so none
// can be stale. Elsewhere but Linux it fails with an error wrapping errors.ErrUnsupported.
func List(ctx context.Context, o ListOptions) ([]Object, error) {
	if runtime.GOOS == "windows" {
		return nil, nil
	}
	ctx = orBackground(ctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	objs, err := sysv.List(o.dir(), o.All)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	px, err := posix.List(o.All)
	if err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return nil, err
	}
	return append(objs, px...), nil
}

// RemoveObject removes o, an object [List] or [Inspect] reported, with what belongs to the same
// key, and reports whether it removed anything. Every removal is serialised with Qt's and
// qtshm-go's creators through the key's lock, as [RemoveStale] does: a System V segment (or
// its key file) goes with its key file and lock when nobody is attached; a lock semaphore
// when no segment uses it and nobody waits for it (GETNCNT); a POSIX segment or semaphore as
// [RemoveStaleNative] removes them, when no live process maps them. Objects in use are left
// alone (false, nil) unless force (System V only: a segment with attachments is marked for
// removal and goes at its last detach; a set with waiters goes at once, its waiters fail).
// Objects of another user are refused with PermissionDenied unless [WithForeignOwner].
func RemoveObject(ctx context.Context, o Object, force bool, opts ...Option) (bool, error) {
	ctx = orBackground(ctx)
	cfg := getOptions(opts).cfg
	switch o.Kind {
	case KindPosixSegment, KindPosixSemaphore:
		return posix.RemoveObject(ctx, o, cfg)
	}
	return sysv.RemoveObject(ctx, o, force, cfg)
}
