package qtipc

// AccessMode is QSharedMemory::AccessMode.
type AccessMode int

// Access modes, with Qt's values.
const (
	// ReadOnly maps the segment read-only (SHM_RDONLY). Writing through Data() then faults;
	// WriteAt returns PermissionDenied.
	ReadOnly AccessMode = 0
	// ReadWrite maps the segment for reading and writing.
	ReadWrite AccessMode = 1
)

// SemaphoreMode is QSystemSemaphore::AccessMode.
type SemaphoreMode int

// Semaphore modes, with Qt's values.
const (
	// Open opens the semaphore, creating it with the initial value if it does not exist (the
	// creator then owns it). An existing semaphore keeps its value.
	Open SemaphoreMode = 0
	// Create creates or opens the semaphore, sets it to the initial value, and takes ownership
	// of it.
	Create SemaphoreMode = 1
)
