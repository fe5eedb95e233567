//go:build linux

package sysv

import (
	"os"
	"strings"

	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// keyFileLookup is how a lock's key file name was derived from $TMPDIR: what a later re-open
// needs to learn, with one lstat instead of resolving the temp directory again (a readlink
// for every component of its path), whether the name Qt would derive now still reaches the
// file the set was opened from.
//
// Qt's name is realpath(cleaned $TMPDIR) + "/" + base; path is cleaned $TMPDIR + "/" + base,
// whose lookup by the kernel follows the same symbolic links from the same cleaned path, so
// while realpath succeeds both reach one file. When realpath fails with ENOENT or ENOTDIR (Qt
// then names "/" + base), the lookup of path fails too; with any other error Qt keeps the
// cleaned path, and both names are the same. Only an absolute cleaned path is used, so that
// the current directory plays no part.
type keyFileLookup struct {
	tmpdir string // $TMPDIR when the name was derived
	path   string // cleaned temp directory + "/" + base name; "" = no lookup possible
	file   string // the name derived then, which the lookup stands for
}

// keyFileName is makeKeyFileName with the lookup that keptKeyFile checks later.
func (s *semaphore) keyFileName(key string) (string, keyFileLookup) {
	if key == "" || s.tempDir != "" {
		return s.makeKeyFileName(key), keyFileLookup{}
	}
	tmpdir := os.Getenv("TMPDIR")
	rules := pathRules(s.flavor)
	name := qtkey.SysV(key, qtkey.SemaphorePrefix, qtkey.TempPathFor(tmpdir, rules))
	l := keyFileLookup{tmpdir: tmpdir, file: name}
	if dir, lookup := qtkey.CleanTempDir(tmpdir, rules); lookup && strings.HasPrefix(dir, "/") {
		l.path = strings.TrimSuffix(dir, "/") + name[strings.LastIndexByte(name, '/'):]
	}
	return name, l
}

// keptKeyFile reports whether the key file Qt would name now is still the file the open set
// was opened from, without resolving the temp directory: $TMPDIR is unchanged, and the lookup
// path leads to a regular file with the device, inode (so the ftok key) and owner it had then.
// A false answer says nothing: the caller derives the name again. When the answer is true,
// a re-open by Qt lands on the same set, so the handle can stay (see stillOpen).
func (s *semaphore) keptKeyFile() bool {
	l := &s.lookup
	if l.path == "" || l.file != s.fileName || s.id == -1 || !s.fileKnown || os.Getenv("TMPDIR") != l.tmpdir {
		return false
	}
	var st unix.Stat_t
	return unix.Lstat(l.path, &st) == nil && s.isOpenedFile(&st)
}

// isOpenedFile reports whether st, an lstat of the key file, is the regular file the open set
// was keyed from, with the owner checkOwner accepted.
func (s *semaphore) isOpenedFile(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFREG && uint64(st.Dev) == s.fileDev && uint64(st.Ino) == s.fileIno && st.Uid == s.fileUid
}
