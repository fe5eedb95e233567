// Package ipc holds the raw System V IPC calls that golang.org/x/sys/unix lacks (semget, semctl,
// semop/semtimedop, ftok) next to thin wrappers of the shm calls it has, so that every raw IPC
// syscall of qtshm-go lives in one place.
//
// Every function returns the bare errno (a [unix.Errno]) on failure; callers add Qt's error code
// and text. Nothing here retries on EINTR except where the doc says so.
package ipc
