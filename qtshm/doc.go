// Package qtshm lets Go programs share memory with Qt applications through Qt's own
// QSharedMemory and QSystemSemaphore conventions: New("MySharedMemoryKey") lands on the same
// System V segment, and takes the same lock, as QSharedMemory("MySharedMemoryKey") in an
// unmodified Qt 5.15 or Qt 6 process.
//
//	shm := qtshm.New("MySharedMemoryKey")
//	defer shm.Close()
//	if err := shm.Attach(qtshm.ReadWrite); err != nil { … }
//	shm.Lock()
//	copy(shm.Data(), msg)
//	shm.Unlock()
//
// Errors are *[Error] values whose Code equals QSharedMemory::SharedMemoryError and whose Msg is
// Qt's errorString() text; errors.Is matches them against [ErrNotFound], [ErrAlreadyExists], …
// and against the underlying errno.
//
// # Backends
//
// The default backend ([BackendSysV]) is pure Go: System V IPC through golang.org/x/sys/unix,
// no cgo, no Qt needed at build time. The native backend ([BackendNative]) calls Qt's own
// classes through a thin C++ shim; it is chosen with WithBackend(BackendNative) in a program
// that imports github.com/qtshm/qtshm-go/native and is built with -tags qt5 or -tags qt6.
// Both have the same methods and return the same error codes.
//
// # Keys and Qt compatibility
//
// A QString key K names the key file TempPath()+"/qipc_sharedmemory_"+letters(K)+sha1hex(K)
// (see [LegacyNativeKey]); its lock is the one-semaphore set keyed by the file
// ".../qipc_systemsem_"+letters(K)+sha1hex(K). Qt 5.15, 6.0–6.5 and 6.6.1+ all use these
// names, so all of them meet. Qt 6.6.0 locks a different semaphore and is not supported. Qt
// 6.6+ native keys (QNativeIpcKey, platformSafeKey) name different objects.
//
// Where Qt versions differ (stale segments, error texts) the pure backend follows Qt 5.15 by
// default; [WithFlavor] selects Qt 6.6.1+ behaviour.
//
// Shared memory is local to one host (one IPC namespace) and one temp directory: a Go process
// and a Qt process meet only if TMPDIR resolves to the same directory for both.
package qtshm
