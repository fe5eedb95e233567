package psem

import (
	"errors"
	"time"
)

// Dir is glibc's directory for named semaphores and shm_open objects.
const Dir = "/dev/shm"

// SemValueMax is SEM_VALUE_MAX, the largest value a semaphore can hold.
const SemValueMax = 0x7fffffff

// WaitSlice is the longest single futex sleep of [Sem.Wait]: a wait sleeps in slices of at
// most this long, staying registered as a waiter across them, so that it notices the end of
// its context (or [Sem.Close]) within about this time. A deadline is honoured exactly: the
// last slice ends at it.
const WaitSlice = 50 * time.Millisecond

// ErrClosed is returned by the operations of a [Sem] after [Sem.Close], and by a [Sem.Wait]
// that Close interrupted.
var ErrClosed = errors.New("psem: semaphore is closed")

// ErrTruncated is wrapped by the error of an operation that touched the mapped semaphore file
// after someone truncated it (the access raised SIGBUS, which the operation caught). The
// semaphore is broken for good; close it.
var ErrTruncated = errors.New("psem: the semaphore file was truncated under its mapping")
