// Package peer is the Go side of the peer protocol, which qtshm-go's multi-process and interop
// tests drive. A peer process runs a list of operations on one shared-memory object (and
// optionally one system semaphore) and prints one JSON line per operation. cmake/qtshm_peer.cpp
// speaks the same protocol over Qt's own classes, so that a test can swap a Go peer for a Qt
// one. This comment is the protocol's only documentation; the C++ peer refers to it.
//
// # Command line
//
//	qtshm peer [--backend sysv|native] [--flavor qt515|qt661] --key KEY|--nkey S OP [ARGS] OP [ARGS] …
//	qtshm-peer [--backend X] [--flavor X] --key KEY|--nkey S OP [ARGS] …   (the Qt peer ignores both values)
//
// Exactly one of --key and --nkey is required. --key KEY makes the peer's shared-memory object
// QSharedMemory(KEY), the legacy key; its value may be empty (QSharedMemory("") is a valid, if
// useless, object). --nkey S (Qt 6.6+) makes it QSharedMemory(QNativeIpcKey::fromString(S)),
// S being a native key in its string form: posix:/NAME, systemv:/FILE, systemv-N:/FILE,
// systemv:/tmp/qipc_sharedmemory_…?legacyKey=K and so on (Go: qtshm.NewFromNativeKey of
// qtshm.ParseNativeIpcKey(S)). A string that does not parse gives the invalid key, and the
// object is made with it anyway, as Qt makes it; what then fails is Qt's or qtshm's business
// (create and attach fail with KeyError in both; see the differences below). A Qt peer built
// with Qt before 6.6 accepts --nkey, but every operation then answers "unsupported" (stdin
// still reads its lines), so that a test learns at its first result that the peer cannot take
// the key. With --backend sysv (the pure backend), the Go peer makes an object of a POSIX
// realtime native key (--nkey or sem-open-native) with the pure POSIX realtime backend.
// The whole list is checked before anything runs: an unknown flag or operation, a missing flag
// value, both --key and --nkey or neither, too few arguments for an operation, or no operation
// at all is a usage error.
//
// # Operations
//
// The table of operations and their arguments is ops.txt in this directory; both peers run from
// it (the Go peer embeds it, the C++ peer #includes it), so they cannot disagree on names or
// arities. Each takes the arguments listed, with these types:
//
//	int      a decimal integer in -2147483648..2147483647 (optional '-', digits only)
//	count    a decimal integer in 0..2147483647
//	pos      a decimal integer in 1..2147483647
//	mode     ro or rw (QSharedMemory::ReadOnly / ReadWrite)
//	semmode  open or create (QSystemSemaphore::Open / Create)
//	data     hex:HEX (an even number of hex digits) or str:TEXT
//	text     any word
//
// The operations:
//
//	keys                       print "key", "nativeKey" and "nativeIpcKey" (nativeIpcKey().toString(); a Qt peer before 6.6 has none; the Qt peer adds "qtVersion")
//	create SIZE MODE           QSharedMemory::create
//	attach MODE                QSharedMemory::attach
//	detach                     QSharedMemory::detach
//	lock                       QSharedMemory::lock
//	unlock                     QSharedMemory::unlock
//	lockfor MS                 lock, sleep MS milliseconds holding the lock (a stop request ends the sleep), unlock; one result line, after the unlock (a failed lock: no sleep)
//	lockwithin MS              LockContext with a deadline MS milliseconds away (Go only: QSharedMemory::lock has no timeout; the native backend refuses a deadline)
//	size                       print "size" (0 when detached)
//	write OFF DATA             copy DATA into the segment at OFF, without the lock
//	writestr TEXT              copy TEXT and a NUL to offset 0, without the lock
//	read OFF N                 print "hex": N bytes at OFF, without the lock
//	readstr                    print "str": the NUL-terminated string at offset 0, without the lock
//	inc N                      N times: lock, add 1 to the little-endian uint64 at offset 0, unlock; print "value"
//	bench N                    N uncontended lock+unlock pairs; print "nsPerOp"
//	sleep MS                   sleep MS milliseconds
//	wait                       wait for a line on stdin (or its end)
//	crash                      print the result line, then SIGKILL this process (e.g. while holding the lock)
//	close                      destroy the object (Qt: delete; Go: Close) and make a new one for the key (--key or --nkey)
//	sem-open KEY INIT MODE     QSystemSemaphore(KEY, INIT, MODE), replacing (destroying first) the peer's semaphore
//	sem-open-native S INIT MODE  QSystemSemaphore(QNativeIpcKey::fromString(S), INIT, MODE), as sem-open (Qt 6.6+; S is data)
//	sem-acquire                QSystemSemaphore::acquire
//	sem-release N              QSystemSemaphore::release(N)
//	sem-close                  destroy the semaphore
//	stdin                      run the operations on each line of stdin (words split at spaces), until its end
//	ops                        print "ops": the table as this peer has it, one "NAME ARG:TYPE …" string per operation
//	coa N SIZE                 N times, on a fresh object for the key: create SIZE rw, on AlreadyExists attach rw, then destroy it; print "count" and "created"
//	coainc N SIZE              as coa, but inc 1 while attached; print "count", "created" and "value" (the last)
//	stale N                    N times qtshm.RemoveStale(KEY); print "count" and "removed" (Go only; with --nkey "unsupported")
//	threads G N                G goroutines share the peer's object, each N times lock, add 1 at offset 0, unlock; print "value", read under the lock at the end (Go only)
//	nativekey-parse S          QNativeIpcKey::fromString(S); print the key's fields (below)
//	nativekey-safe KEY TYPE    QSharedMemory::platformSafeKey(KEY, TYPE); print the key's fields
//	nativekey-sem-safe KEY TYPE  QSystemSemaphore::platformSafeKey(KEY, TYPE); print the key's fields
//	nativekey-legacy KEY TYPE  QSharedMemory::legacyNativeKey(KEY, TYPE); print the key's fields
//	nativekey-sem-legacy KEY TYPE  QSystemSemaphore::legacyNativeKey(KEY, TYPE); print the key's fields
//
// sem-open-native, like --nkey, passes a string that does not parse on as the invalid key
// (Go: the zero NativeIpcKey).
//
// The nativekey-* operations take their strings as data (hex: for any bytes, str: for one
// word; the Qt peer decodes them with QString::fromUtf8) and TYPE (a QNativeIpcKey::Type) as an int cast to quint16. They
// touch no IPC object and never fail (only a platformSafeKey for System V may create the
// runtime directory, as Qt does). They print "valid" (isValid), "type" (the number), "native"
// (nativeKey), "legacy" (the legacy key the key records: the Qt peer reads it through
// QSharedMemory::key() for a supported type, else from the query of toString, as fromString
// would) and "string" (toString). A Qt peer built with Qt before 6.6 answers "unsupported".
//
// count is the number of iterations that completed, created how many of them created the
// segment. A multi-iteration operation (inc, bench, coa, coainc, stale, threads) stops at the
// first step that fails and reports that error with the counts so far.
//
// # Result lines
//
// Each operation prints one line (stdin prints none of its own):
//
//	{"op":"attach","ok":true}
//	{"op":"attach","ok":false,"error":5,"errorString":"QSharedMemory::attach (shmget): doesn't exist"}
//
// plus the fields named above. A failure carries "error", a QSharedMemory::SharedMemoryError
// value, and "errorString". For a failed Qt (or qtshm) call these are Qt's error() and
// errorString() (Go: the *qtshm.Error's Code and Msg). The peer's own failures have the same
// code and text in both peers:
//
//	error 8 (UnknownError)  bad argument NAME="VALUE": want …   an argument that does not fit its type
//	error 5 (NotFound)      not attached                        write, writestr, read, readstr, inc, threads on a detached object
//	error 2 (InvalidSize)   write past the end of the segment   write, writestr
//	error 2 (InvalidSize)   read past the end of the segment    read
//	error 2 (InvalidSize)   segment smaller than 8 bytes        inc, coainc, threads
//	error 8 (UnknownError)  no semaphore (sem-open first)       sem-acquire, sem-release, sem-close
//	error 8 (UnknownError)  unsupported                         an operation this peer cannot do (the Qt peer: stale, threads; before Qt 6.6: nativekey-*, sem-open-native, and every operation with --nkey)
//	error 8 (UnknownError)  unimplemented op                    an operation in the table that the peer has no code for (a defect)
//
// A usage error prints {"op":"usage","ok":false,"errorString":…} on stdout and the same text
// as one line on stderr, and the peer exits with status 2 (later operations do not run).
//
// Where the peers still differ, by design:
//   - write after attach ro: the Go peer's WriteAt fails with PermissionDenied; the Qt peer
//     writes to the read-only mapping and is killed by SIGSEGV, as a Qt program would be.
//   - A second lock while locked waits in Go (SharedMemory's lock is a mutex); Qt returns true.
//     Create, attach and detach while the object holds the lock fail with LockError in Go; Qt
//     releases the lock silently.
//   - The Qt peer cannot do stale and threads (QSharedMemory is not thread-safe): "unsupported".
//   - A Qt peer built with Qt 5.15 or 6.4 cannot do the nativekey-* and sem-open-native
//     operations, nor any operation with --nkey: "unsupported". Its keys has no "nativeIpcKey".
//   - The invalid native key (--nkey or sem-open-native with a string that does not parse):
//     qtshm fails every call with KeyError ("…setNativeKey: unsupported key type 0x0"), and
//     sem-open-native at once. Qt 6.8 makes the objects without an error and fails where the
//     key is first needed: create and attach with KeyError ("QSharedMemoryPrivate::initKey:
//     unable to set key on lock (QSystemSemaphore::handle:: key is empty)"), lock with
//     LockError; sem-open-native succeeds with MODE open (sem-acquire and sem-release then fail
//     with KeyError) and fails with KeyError with MODE create.
//   - The Go peer with the native backend built against Qt before 6.6 cannot take a native
//     key: its calls fail with KeyError ("…no native keys (Qt 6.6+)").
//   - Where Qt returns false without setting an error (detach when not attached, unlock when not
//     locked), the Qt peer reports whatever error() still holds from an earlier call; the Go
//     peer reports qtshm's own code (NotFound, LockError).
//
// Qt versions differ among themselves too: Qt 6.6.1 and later word some errors differently
// (a missing key file is "QSharedMemory::handle: doesn't exist", not "QSharedMemory::handle::
// UNIX key file doesn't exist"); the Go peer reproduces those texts with --flavor qt661.
//
// The interop tests run the scripts in testdata/ against every peer and list each difference
// they allow, with its reason (interop_test/protocol_test.go).
//
// # Exit status and stopping
//
// The exit status is 0 when every operation succeeded, 1 when one failed (later operations
// still run), 2 on a usage error. SIGINT, SIGTERM and SIGHUP, and a closed stdout (a write that
// fails, e.g. under `| head -1`; SIGPIPE is caught or ignored), stop the peer at the next
// operation boundary — sleep, wait and stdin return early — after which it destroys its
// objects as Qt's destructors would (detach, removing the segment if it was the last
// attachment; remove an owned semaphore) and exits with the status so far. With the pure
// backend a wait for a lock (lock, inc, bench, create, attach, detach, sem-acquire, the loops)
// ends too, and its operation fails with LockError. The native backend and the Qt peer cannot
// interrupt such a wait: if the peer has not stopped within 5 seconds of the signal, it exits
// with status 1 without cleaning up.
package peer
