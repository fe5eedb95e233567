package qtshm

import (
	"github.com/qtshm/qtshm-go/internal/backend"
	_ "github.com/qtshm/qtshm-go/internal/sysv" // registers the pure-Go backend
)

// Backend names for [WithBackend].
const (
	// BackendSysV is the pure-Go System V backend (the default): no cgo, no Qt at build time.
	BackendSysV = "sysv"
	// BackendNative calls Qt's own QSharedMemory/QSystemSemaphore through a C++ shim. It is
	// available only in programs that import github.com/qtshm/qtshm-go/native and are built
	// with the tag qt5 or qt6.
	BackendNative = "native"
)

// Flavor selects which Qt version's behaviour the pure backend reproduces where Qt versions
// differ for QString keys. Qt processes of every flavour share segments and locks with each
// other (except Qt 6.6.0, which is unsupported); the flavours differ in error texts and in
// what happens to a stale segment. The native backend ignores it: it behaves like the Qt it
// was built against.
type Flavor int

const (
	// FlavorQt515 is Qt 5.15 and Qt 6.0–6.5 (the default). After a failed create, attach
	// joins a stale segment (one with no process attached).
	FlavorQt515 Flavor = Flavor(backend.FlavorQt5)
	// FlavorQt661 is Qt 6.6.1 and later (6.7, 6.8, …). A stale segment whose key this object
	// has computed is removed by its next create/attach and by Close; unknown errno texts read
	// "unknown error: <strerror>"; semaphore failures append the semaphore's text. One Qt 6.6+
	// quirk is deliberately not reproduced: its detach() returns false when the segment was
	// already removed by someone else (qt-ipc-semantics.md §2.6); Detach returns nil then.
	FlavorQt661 Flavor = Flavor(backend.FlavorQt66)
)

// String names the flavour.
func (f Flavor) String() string {
	switch f {
	case FlavorQt515:
		return "Qt5.15"
	case FlavorQt661:
		return "Qt6.6.1+"
	}
	return "Flavor(?)"
}

// Option configures [New] and [NewSystemSemaphore].
type Option func(*options)

type options struct {
	backend string
	cfg     backend.Config
}

func getOptions(opts []Option) options {
	o := options{backend: BackendSysV}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// WithBackend selects the backend by name ([BackendSysV], [BackendNative]). Selecting a backend
// that is not built into the program makes every call fail with KeyError and a message that
// says how to build it in.
func WithBackend(name string) Option { return func(o *options) { o.backend = name } }

// WithFlavor selects the Qt flavour the pure backend reproduces. The native backend ignores it.
func WithFlavor(f Flavor) Option { return func(o *options) { o.cfg.Flavor = backend.Flavor(f) } }

// WithTempDir uses dir instead of QDir::tempPath() ($TMPDIR or /tmp, resolved) as the directory
// of the SysV key files. A Qt process meets this object only if its own temp path names the
// same directory. Pure backend only; the native backend ignores it (Qt reads TMPDIR).
func WithTempDir(dir string) Option { return func(o *options) { o.cfg.TempDir = dir } }

// Backends lists the backends built into this program, e.g. ["native" "sysv"].
func Backends() []string { return backend.Names() }
