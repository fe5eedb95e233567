// Package winipc is the pure-Go Windows backend: QSharedMemory and QSystemSemaphore as Qt 5.15,
// 6.4 and 6.8 implement them on Windows (qsharedmemory_win.cpp, qsystemsemaphore_win.cpp), over
// golang.org/x/sys/windows. It serves QString (legacy) keys and Qt 6.6+ native keys of type
// Windows. The package is empty on other systems.
//
// # What Qt does, and so what this package does
//
//   - Names. A legacy key K names the file mapping "qipc_sharedmemory_" + the ASCII letters of K +
//     the 40 hex digits of SHA-1(UTF-8 K), and the lock and the semaphore "qipc_systemsem_" + the
//     same (no directory, no "Local\" or "Global\"; Windows puts such names in the session's
//     Local namespace). A Windows native key is used as it is; the lock of QSharedMemory on a
//     native key is the native key cut to 255 UTF-16 code units + "_sem" (Qt 6.6+), or the
//     legacy lock when the key records a legacy key. Names go to the …W functions as UTF-16.
//   - create is CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, high, low, name);
//     when the mapping exists it fails with AlreadyExists (Qt keeps the handle of the existing
//     mapping open until its next attach or destructor; we close it at once).
//   - attach is OpenFileMappingW(FILE_MAP_ALL_ACCESS) and MapViewOfFile (FILE_MAP_READ for
//     ReadOnly, FILE_MAP_ALL_ACCESS otherwise); the size is VirtualQuery's RegionSize, so whole
//     pages: a 100-byte segment reports 4096, as in Qt.
//   - The lock is CreateSemaphoreW(NULL, 1, MAXLONG, name), taken with a wait on the semaphore
//     and given back with ReleaseSemaphore. A QSystemSemaphore is CreateSemaphoreW(NULL,
//     initial, MAXLONG, name): an existing semaphore is opened as it is, and nothing resets it,
//     in Create mode too ("In Windows, where a semaphore can't survive a crash, Create and Open
//     have the same behavior", Qt's documentation).
//   - Cleanup is UnmapViewOfFile and CloseHandle; the kernel frees each object when its last
//     handle closes. Nothing is ever stale.
//   - Errors: GetLastError 183 AlreadyExists, 2 NotFound, 1455 InvalidSize, 1450 and 8
//     OutOfResources, 5 PermissionDenied, anything else UnknownError, reading "unknown error
//     <number>" up to Qt 6.5 (FlavorQt515) and "unknown error: <system text>" in Qt 6.6+
//     (FlavorQt661). QSystemSemaphore maps only 1450/8, 5 and the rest.
//
// # Differences from Qt
//
//   - Every wait honours its context: a lock or acquire waits on the semaphore and on an event
//     the context's end sets (WaitForMultipleObjects).
//   - A Windows semaphore has no owner: a process killed while it holds the lock (or a unit of
//     a semaphore) never gives the unit back, and every later lock waits forever in Qt. Nothing
//     here can tell such a lock from one that is merely held long, so a lock wait that ends with
//     its context says that this may be the cause, and does not wrap qtipc.ErrLockAbandoned. The
//     remedy is the same as in Qt: all processes close their handles, and the kernel frees the
//     semaphore; the next user creates it afresh with value 1. So that they can, detach and
//     close never wait for the lock (Qt's do, and wait for ever after such a crash): on Windows
//     the lock guards nothing there. create and attach do take it, as Qt's.
//   - Sizes and values are checked before anything is touched: size ≤ 0 is InvalidSize, an
//     initial value outside 0..MAXLONG and a release count outside 1..MAXLONG are refused (the
//     public package narrows both to 0..32767, the System V bound, so that a program behaves
//     the same on every system).
//   - create keeps the lock's handle open across calls; Qt closes and re-creates it on every
//     create and attach (which can reset a lock nobody else holds open).
//   - An empty native key has no lock; Qt 6.6+ would lock a semaphore named "_sem".
//   - Names holding a NUL character are refused with KeyError (UTF-16 cannot carry them).
//   - backend.Config's TempDir and AllowForeign have no meaning here: the objects carry the
//     default security descriptor of the creating process, as Qt's do.
package winipc
