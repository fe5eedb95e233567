// Package native is qtshm-go's native backend: Qt's own QSharedMemory and QSystemSemaphore,
// called through a thin C++ shim (qtshm_shim.h / qtshm_shim.cpp) with cgo.
//
// Importing it registers the backend "native" (qtshm.BackendNative):
//
//	import _ "github.com/qtshm/qtshm-go/native"
//
//	shm := qtshm.New("MySharedMemoryKey", qtshm.WithBackend(qtshm.BackendNative))
//
// # Build tags
//
// Build with exactly one of the tags qt5 (Qt5Core via pkg-config) or qt6 (Qt6Core via
// pkg-config): go build -tags qt6. Without a tag the package is empty and the module still
// builds with CGO_ENABLED=0; selecting the native backend then fails with a KeyError that says
// how to build it in. Both tags at once is a compile error, and so is a tag that does not match
// the Qt headers pkg-config finds. Set PKG_CONFIG_PATH to use another Qt installation.
//
// # Behaviour
//
// The backend behaves exactly like the Qt it runs with, since it is that Qt: error codes come
// from QSharedMemory::error(), messages from errorString(). The Go layer adds only what Qt
// cannot say: Attach on an attached object fails with AlreadyExists, Detach on a detached
// one with NotFound and Unlock without Lock with LockError (Qt returns false without an
// error), as the pure backend does. Errno values are captured right after each Qt call (best
// effort).
//
// QSystemSemaphore::acquire cannot time out, so LockContext and AcquireContext with a ctx that
// can be cancelled fail at once with LockError wrapping errors.ErrUnsupported (a ctx that is
// already done gives its error). Use the pure backend when you need cancellable locking.
//
// Each object owns a C++ object: call Close. The shim keeps no Go pointer; every operation
// is one C call.
package native
