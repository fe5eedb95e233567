//go:build !linux || android

package ipc

import "time"

// Semget returns [ErrUnsupported] on this platform.
func Semget(key, nsems, flags int) (int, error) { return -1, ErrUnsupported }

// Semctl returns [ErrUnsupported] on this platform.
func Semctl(id, num, cmd, val int) (int, error) { return -1, ErrUnsupported }

// Semtimedop returns [ErrUnsupported] on this platform.
func Semtimedop(id int, op Sembuf, timeout time.Duration) error { return ErrUnsupported }

// Semstat returns [ErrUnsupported] on this platform.
func Semstat(id int) (SemDesc, error) { return SemDesc{}, ErrUnsupported }

// Shmget returns [ErrUnsupported] on this platform.
func Shmget(key, size, flags int) (int, error) { return -1, ErrUnsupported }

// Shmat returns [ErrUnsupported] on this platform.
func Shmat(id int, flags int) ([]byte, error) { return nil, ErrUnsupported }

// ShmatSize returns [ErrUnsupported] on this platform.
func ShmatSize(id, flags int, size uint64) ([]byte, error) { return nil, ErrUnsupported }

// Shmdt returns [ErrUnsupported] on this platform.
func Shmdt(b []byte) error { return ErrUnsupported }

// ShmStat returns [ErrUnsupported] on this platform.
func ShmStat(id int) (ShmDesc, error) { return ShmDesc{}, ErrUnsupported }

// ShmRemove returns [ErrUnsupported] on this platform.
func ShmRemove(id int) error { return ErrUnsupported }

// Ftok returns [ErrUnsupported] on this platform: the key derivation is glibc's.
func Ftok(path string, proj int) (int, error) { return -1, ErrUnsupported }

// ShmTable returns [ErrUnsupported] on this platform.
func ShmTable() ([]ShmEntry, error) { return nil, ErrUnsupported }

// SemTable returns [ErrUnsupported] on this platform.
func SemTable() ([]SemEntry, error) { return nil, ErrUnsupported }
