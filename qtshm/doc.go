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
// The pure backend ([BackendSysV]) is System V IPC through golang.org/x/sys/unix: no cgo, no Qt
// needed at build time. The native backend ([BackendNative]) calls Qt's own classes through a
// thin C++ shim; building with -tags qt5 or -tags qt6 compiles it in and makes it the default.
// [WithBackend] picks one explicitly. Both have the same methods and return the same error
// codes. The pure backend is implemented on Linux; elsewhere its calls fail with an error
// wrapping [errors.ErrUnsupported].
//
// # Safety
//
// Objects are safe for concurrent use by goroutines, every wait for the lock can be bounded by
// a context (the …Context methods), objects of other users are refused unless
// [WithForeignOwner], and where Qt's own code races (resetting or removing a lock someone
// holds, creating a lock nobody initialises) the pure backend does something safer while
// meeting the same objects. The README lists each difference from Qt.
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
