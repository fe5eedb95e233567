package qtshm

import (
	"errors"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/sysv"
)

// Backend names for [WithBackend].
const (
	// BackendSysV is the pure-Go System V backend: no cgo, no Qt at build time. It is the
	// default unless the program is built with the tag qt5 or qt6.
	BackendSysV = "sysv"
	// BackendNative calls Qt's own QSharedMemory/QSystemSemaphore through a C++ shim. It is
	// built in, and the default, when the program is built with the tag qt5 or qt6.
	BackendNative = "native"
	// BackendPosix is the pure-Go POSIX-realtime backend (shm_open and sem_open as glibc does
	// them, no cgo), for [PosixRealtime] native keys; see [NewFromNativeKey].
	BackendPosix = "posix"
	// BackendWindows is the pure-Go Windows backend (file mappings and semaphores as Qt makes
	// them on Windows, no cgo). It exists only on Windows, where it is the default for QString
	// keys and [Windows] native keys unless the program is built with the tag qt5 or qt6.
	BackendWindows = "windows"
)

// nativeFactory is the native backend, set by native_qt.go when built with -tags qt5|qt6.
var nativeFactory backend.Factory

// windowsFactory is the Windows backend, set by backend_windows.go on Windows.
var windowsFactory backend.Factory

// Flavor selects which Qt version's behaviour the pure backend reproduces where Qt versions
// differ for QString keys (error texts, stale segments). Qt processes of every flavour share
// segments and locks with each other (except Qt 6.6.0, which is unsupported). The native
// backend ignores it: it behaves like the Qt it was built against.
type Flavor = qtipc.Flavor

const (
	// FlavorQt515 is Qt 5.15 and Qt 6.0–6.5 (the default). After a failed create, attach
	// joins a stale segment (one with no process attached).
	FlavorQt515 = qtipc.FlavorQt515
	// FlavorQt661 is Qt 6.6.1 and later (6.7, 6.8, …). A stale segment whose key this object
	// has computed is removed by its next create/attach and by Close; unknown errno texts read
	// "unknown error: <strerror>"; semaphore failures append the semaphore's text.
	FlavorQt661 = qtipc.FlavorQt661
)

// Option configures [New], [NewSystemSemaphore] and [RemoveStale].
type Option func(*options)

type options struct {
	backend string
	cfg     backend.Config
}

// withoutUndo makes System V semaphore operations go without SEM_UNDO (backend.Config.NoUndo):
// for a doorbell's bells, whose units must outlive the process that released them.
func withoutUndo() Option { return func(o *options) { o.cfg.NoUndo = true } }

func getOptions(opts []Option) options {
	o := options{}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// factory returns the selected backend, or a KeyError that says how to build it in.
func (o options) factory(op, key string) (backend.Factory, *Error) {
	switch o.backend {
	case "":
		if nativeFactory != nil {
			return nativeFactory, nil
		}
		if windowsFactory != nil {
			return windowsFactory, nil
		}
		return sysv.Factory, nil
	case BackendSysV:
		return sysv.Factory, nil
	case BackendWindows:
		if windowsFactory != nil {
			return windowsFactory, nil
		}
		return nil, newError(KeyError, op, key, "qtshm: the windows backend exists only on Windows", errors.ErrUnsupported)
	case BackendPosix:
		return nil, newError(KeyError, op, key, "qtshm: the posix backend takes only POSIX realtime native keys (NewFromNativeKey)", errors.ErrUnsupported)
	case BackendNative:
		if nativeFactory != nil {
			return nativeFactory, nil
		}
		return nil, newError(KeyError, op, key,
			"qtshm: the native backend is not built into this program (build with -tags qt5 or -tags qt6)", nil)
	}
	return nil, newError(KeyError, op, key, "qtshm: unknown backend "+o.backend+" (known: sysv, posix, native, windows)", nil)
}

// WithBackend selects the backend by name ([BackendSysV], [BackendNative]). Selecting a backend
// that is not built into the program makes every call fail with KeyError and a message that
// says how to build it in.
func WithBackend(name string) Option { return func(o *options) { o.backend = name } }

// WithFlavor selects the Qt flavour the pure backend reproduces. The native backend ignores it.
func WithFlavor(f Flavor) Option { return func(o *options) { o.cfg.Flavor = f } }

// WithTempDir uses dir instead of QDir::tempPath() ($TMPDIR or /tmp, resolved) as the directory
// of the SysV key files. A Qt process meets this object only if its own temp path names the
// same directory. Pure backend only; the native backend ignores it (Qt reads TMPDIR).
func WithTempDir(dir string) Option { return func(o *options) { o.cfg.TempDir = dir } }

// WithForeignOwner lets the object use key files, segments and semaphores that belong to
// another user, as Qt does. By default they are refused with PermissionDenied naming the
// owner, so that another local user cannot plant a segment and read what this process shares.
// Use it only where sharing across users is intended (and the objects' modes allow it).
func WithForeignOwner() Option { return func(o *options) { o.cfg.AllowForeign = true } }

// Backends lists the backends built into this program for QString keys ([New],
// [NewSystemSemaphore]), the default first, e.g. ["native" "sysv"]; on Windows ["windows"] (or
// ["native" "windows"]). [BackendPosix] is always built in too; it takes only POSIX-realtime
// native keys ([NewFromNativeKey]).
func Backends() []string {
	var out []string
	if nativeFactory != nil {
		out = append(out, BackendNative)
	}
	if windowsFactory != nil {
		return append(out, BackendWindows)
	}
	return append(out, BackendSysV)
}
