// Package qtipc declares, once, the Qt enums and the error type that every layer of qtshm-go
// shares: QSharedMemory::SharedMemoryError, QSharedMemory::AccessMode,
// QSystemSemaphore::AccessMode, the Qt flavour a backend reproduces, and the error value that
// carries Qt's code and text; also Backoff, the pause the backends share between retries of a lock
// wait whose lock vanished. The public package qtshm re-exports them as aliases; the backends
// (internal/sysv, internal/native) return them directly, so nothing is converted by number.
package qtipc
