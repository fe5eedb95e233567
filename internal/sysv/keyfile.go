//go:build linux

package sysv

import (
	"errors"
	"fmt"
	"os"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// keyFilePerm is the mode Qt creates key files with (reduced by the umask).
const keyFilePerm = 0o640

// createKeyFile is QSharedMemoryPrivate::createUnixKeyFile / QtIpcCommon::createUnixKeyFile:
// it reports whether this call created path; an existing file is fine. Whether an existing
// file may be used is checked later (checkKeyFile), once the kernel has let us open the object
// it names, so that the kernel's own errors come first, as in Qt. stated reports that *st holds
// a stat of the file — the stat(2) that found it existing, or the fstat(2) of the file this
// call made — which is what ftok would read (ftokOf) and saves the caller a stat by name.
func createKeyFile(path string, st *unix.Stat_t) (created, stated bool, err error) {
	if path != "" && unix.Stat(path, st) == nil {
		return false, true, nil
	}
	fd, err := unix.Open(path, unix.O_EXCL|unix.O_CREAT|unix.O_RDWR|unix.O_CLOEXEC, keyFilePerm)
	if err != nil {
		if errors.Is(err, unix.EEXIST) {
			return false, false, nil
		}
		return false, false, err
	}
	stated = unix.Fstat(fd, st) == nil
	unix.Close(fd)
	return true, stated, nil
}

// ftokOf is ftok's key from a stat of the key file.
func ftokOf(st *unix.Stat_t, proj int) int {
	return ipc.FtokStat(uint64(st.Dev), uint64(st.Ino), proj)
}

// checkKeyFile refuses a key file that is not a regular file (a planted symlink makes ftok
// follow it) or that belongs to another user (who could delete it and so split the key in
// two), unless foreign is set. Qt uses any such file. A file that vanished is not refused.
func checkKeyFile(path string, foreign bool) *qtipc.Error {
	var st unix.Stat_t
	if path == "" || foreign || unix.Lstat(path, &st) != nil {
		return nil
	}
	return checkKeyFileStat(path, &st, uint32(os.Geteuid()))
}

// checkKeyFileStat is checkKeyFile's test of the lstat(2) st of path; me is the effective uid.
func checkKeyFileStat(path string, st *unix.Stat_t, me uint32) *qtipc.Error {
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return qtipc.Errorf(qtipc.PermissionDenied, "open", unix.EPERM,
			fmt.Sprintf("qtshm: key file %s is not a regular file (planted by someone?); refusing it (qtshm.WithForeignOwner allows it)", path))
	}
	if st.Uid != me {
		return foreignOwner("key file "+path, st.Uid, st.Uid)
	}
	return nil
}

func fileExists(path string) bool {
	var st unix.Stat_t
	return path != "" && unix.Stat(path, &st) == nil
}

// tempPath is QDir::tempPath() as the flavour's Qt computes it.
func tempPath(f qtipc.Flavor) string {
	return qtkey.TempPathFor(os.Getenv("TMPDIR"), pathRules(f))
}

// pathRules are the path rules of the flavour's Qt.
func pathRules(f qtipc.Flavor) qtkey.PathRules {
	if f.Qt66() {
		return qtkey.RulesQt68
	}
	return qtkey.RulesQt5
}
