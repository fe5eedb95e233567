//go:build linux

package sysv

import (
	"os"
	"strings"

	"github.com/qtshm/qtshm-go/internal/qtkey"
	"golang.org/x/sys/unix"
)

// keyFileLookup records, for a lock's key file name derived from $TMPDIR, what a later re-open
// needs to learn with one lstat, instead of resolving the temp directory again (a readlink for
// every component of its path), that the name Qt would derive now still reaches the file the
// set was opened from.
//
// Qt's name is realpath(cleaned $TMPDIR) + "/" + base. The kernel's lookup of cleaned $TMPDIR
// + "/" + base follows the same symbolic links from the same cleaned path, so while realpath
// succeeds both reach one file; when realpath fails with ENOENT or ENOTDIR (Qt then names
// "/" + base), that lookup fails too; with any other error Qt keeps the cleaned path, and both
// are the same name. The record is made only when the derived name is that unresolved name
// itself (an absolute temp directory with no symbolic link on its path, such as /tmp): the
// name a kept handle goes on using (to re-open a removed set, say) then always reaches the file
// that a fresh Qt process's name reaches, even after a link appears on the way. With a link on
// the way, the name is resolved again on every attach, as Qt does: a kept resolved name could
// outlive the link's move and lead a later re-open to another set than everyone else's.
type keyFileLookup struct {
	tmpdir string // $TMPDIR when the name was derived
	file   string // the derived name, when it is its own unresolved lookup; else ""
}

// keyFileName is the lock's key file name for a legacy key, <tmp>/qipc_systemsem_<letters><sha1>
// ("" for Qt's null key, which has no file: no temp path to resolve), with the lookup that
// keptKeyFile checks later. <tmp> is the configured directory, else QDir::tempPath().
func (s *semaphore) keyFileName(key string) (string, keyFileLookup) {
	if key == "" {
		return "", keyFileLookup{}
	}
	if s.tempDir != "" {
		return qtkey.SysV(key, qtkey.SemaphorePrefix, s.tempDir), keyFileLookup{}
	}
	tmpdir := os.Getenv("TMPDIR")
	rules := pathRules(s.flavor)
	cleaned, lookup := qtkey.CleanTempDir(tmpdir, rules)
	dir := cleaned
	if lookup {
		dir = qtkey.ResolveTempDir(cleaned, rules)
	}
	name := qtkey.SysV(key, qtkey.SemaphorePrefix, dir)
	l := keyFileLookup{tmpdir: tmpdir}
	if lookup && dir == cleaned && strings.HasPrefix(dir, "/") {
		l.file = name // no link on the way: the name is its own unresolved lookup
	}
	return name, l
}

// keptKeyFile reports whether the key file Qt would name now is still the file the open set
// was opened from, without resolving the temp directory: $TMPDIR is unchanged, the name is its
// own unresolved lookup (see keyFileLookup), and it leads to a regular file with the device,
// inode (so the ftok key) and owner it had then. A false answer says nothing: the caller
// derives the name again. When it is true, a re-open by Qt lands on the same set, so the
// handle can stay (see stillOpen).
func (s *semaphore) keptKeyFile() bool {
	l := &s.lookup
	if l.file == "" || l.file != s.fileName || s.id == -1 || !s.fileKnown || os.Getenv("TMPDIR") != l.tmpdir {
		return false
	}
	var st unix.Stat_t
	return unix.Lstat(s.fileName, &st) == nil && s.isOpenedFile(&st)
}

// isOpenedFile reports whether st, an lstat of the key file, is the regular file the open set
// was keyed from, with the owner checkOwner accepted.
func (s *semaphore) isOpenedFile(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFREG && uint64(st.Dev) == s.fileDev && uint64(st.Ino) == s.fileIno && st.Uid == s.fileUid
}
