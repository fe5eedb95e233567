//go:build !plan9

package qtkey

import (
	"errors"
	"os"
	"strings"
	"syscall"
)

// resolve is QFileSystemEngine::canonicalName's call of realpath(3) for the temp path: found
// with the resolved path; missing for ENOENT or ENOTDIR; failed for any other error.
func resolve(p string, rules PathRules) (string, resolveOutcome) {
	resolved, errno := realpath(p)
	if errno == 0 && rules >= RulesQt68 && len(resolved) >= pathMax {
		// Qt 6.8 passes a PATH_MAX buffer; glibc then reports a longer result as too long.
		errno = syscall.ENAMETOOLONG
	}
	switch errno {
	case 0:
		return resolved, found
	case syscall.ENOENT, syscall.ENOTDIR:
		return "", missing
	}
	return "", failed
}

const (
	pathMax        = 4096 // PATH_MAX on Linux
	eloopThreshold = 40   // glibc's limit on symlinks followed in one realpath call
)

// realpath is glibc's realpath(3) (stdlib/canonicalize.c, the same in glibc 2.36 and 2.41) on
// Linux, step by step with the same system calls, so that it fails where glibc fails and with
// the same errno: components are taken left to right; each is readlink(2)ed; a symlink's
// target replaces it (an absolute one restarts from "/"), at most 40 times; "." is skipped and
// ".." drops the last resolved component; a component that is not a symlink must be a
// searchable directory if a trailing "/", "/." or "/.." follows (checked with access(2)).
// A relative name starts from getcwd(2).
func realpath(name string) (string, syscall.Errno) {
	if name == "" {
		return "", syscall.ENOENT
	}
	var rname []byte
	if name[0] != '/' {
		wd, err := syscall.Getwd()
		if err != nil {
			return "", errnoOf(err)
		}
		rname = append(rname, wd...)
	} else {
		rname = append(rname, '/')
	}
	links := 0
	for rest := name; rest != ""; {
		rest = strings.TrimLeft(rest, "/")
		comp, after := rest, ""
		if k := strings.IndexByte(rest, '/'); k >= 0 {
			comp, after = rest[:k], rest[k:]
		}
		switch comp {
		case "":
			rest = ""
			continue
		case ".":
		case "..":
			rname = dropLast(rname)
		default:
			if rname[len(rname)-1] != '/' {
				rname = append(rname, '/')
			}
			rname = append(rname, comp...)
			target, err := readlink(string(rname))
			if err == nil {
				if links++; links > eloopThreshold {
					return "", syscall.ELOOP
				}
				if strings.HasPrefix(target, "/") {
					rname = append(rname[:0], '/')
				} else {
					rname = dropLast(rname)
				}
				rest = target + after
				continue
			}
			if suffixRequiresDirCheck(after) {
				if _, err := os.Stat(string(rname) + "/"); err != nil {
					return "", errnoOf(err)
				}
			} else if err != syscall.EINVAL { // EINVAL: it exists and is not a symlink
				return "", errnoOf(err)
			}
		}
		rest = after
	}
	if len(rname) > 1 && rname[len(rname)-1] == '/' {
		rname = rname[:len(rname)-1]
	}
	return string(rname), 0
}

// dropLast removes the last component of an absolute path, keeping its slash ("/a/b" → "/a/");
// "/" stays.
func dropLast(rname []byte) []byte {
	if len(rname) <= 1 {
		return rname
	}
	d := len(rname) - 1
	for d > 0 && rname[d-1] != '/' {
		d--
	}
	return rname[:d]
}

// suffixRequiresDirCheck is glibc's: after (empty or starting with '/') ends in a slash, or
// has a "." or ".." segment, so the component before it must be a searchable directory.
func suffixRequiresDirCheck(after string) bool {
	for after != "" && after[0] == '/' {
		after = strings.TrimLeft(after, "/")
		if after == "" {
			return true
		}
		if after[0] != '.' {
			return false
		}
		after = after[1:]
		if after == "" || (after[0] == '.' && (len(after) == 1 || after[1] == '/')) {
			return true
		}
	}
	return false
}

// readlink is readlink(2) with a buffer that grows until the target fits. The first try uses
// a buffer on the stack: most calls find no link (EINVAL), and most targets are short, so a
// key file name costs no allocation for its readlinks.
func readlink(path string) (string, error) {
	var small [256]byte
	for size := len(small); ; size *= 2 {
		buf := small[:]
		if size > len(small) {
			buf = make([]byte, size)
		}
		n, err := syscall.Readlink(path, buf)
		if err != nil {
			return "", err
		}
		if n < size-1 {
			return string(buf[:n]), nil
		}
	}
}

// errnoOf is the errno of a failed system call (EIO when there is none).
func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return syscall.EIO
}
