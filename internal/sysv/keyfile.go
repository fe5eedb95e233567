package sysv

import (
	"errors"

	"golang.org/x/sys/unix"
)

// keyFilePerm is the mode Qt creates key files with (reduced by the umask).
const keyFilePerm = 0o640

// createKeyFile is QSharedMemoryPrivate::createUnixKeyFile / QtIpcCommon::createUnixKeyFile:
// it reports whether this call created path; an existing file is fine.
func createKeyFile(path string) (created bool, err error) {
	var st unix.Stat_t
	if path != "" && unix.Stat(path, &st) == nil {
		return false, nil
	}
	fd, err := unix.Open(path, unix.O_EXCL|unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, keyFilePerm)
	if err != nil {
		if errors.Is(err, unix.EEXIST) {
			return false, nil
		}
		return false, err
	}
	unix.Close(fd)
	return true, nil
}

func fileExists(path string) bool {
	var st unix.Stat_t
	return path != "" && unix.Stat(path, &st) == nil
}
