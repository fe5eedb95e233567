// Package native is qtshm-go's native backend: Qt's own QSharedMemory and QSystemSemaphore,
// called through a thin C++ shim (qtshm_shim.h / qtshm_shim.cpp) with cgo.
//
// # Build tags
//
// It is compiled with exactly one of the tags qt5 (Qt5Core via pkg-config) or qt6 (Qt6Core via
// pkg-config): go build -tags qt6. The tag is the only switch: package qtshm then uses this
// backend by default. Without a tag the package is empty and the module builds with
// CGO_ENABLED=0. Both tags at once is a compile error, and so is a tag that does not match the
// Qt headers pkg-config finds. Set PKG_CONFIG_PATH to use another Qt installation.
//
// # Behaviour
//
// The backend behaves like the Qt it runs with, since it is that Qt: error codes come from
// QSharedMemory::error(), messages from errorString(). Package qtshm adds the checks Qt lacks
// (ranges, state, goroutines) before calling it. Here the Go side also refuses a segment or lock
// of another user after Qt attached to it (detaching again), as the pure backend does.
//
// QSystemSemaphore::acquire cannot time out, so a lock or acquire bounded by a context that
// can be cancelled fails at once with LockError wrapping errors.ErrUnsupported (a ctx that is
// already done gives its error). The same holds for create, attach and detach, which lock
// inside Qt. Use the pure backend when you need bounded waits.
//
// Each object owns a C++ object, deleted by Close. The shim keeps no Go pointer; every
// operation is one C call.
package native
