package qtkey

import (
	"os"
	"strings"
	"unicode/utf8"
)

// PathRules selects the Qt release whose path handling TempPathFor reproduces. Qt releases
// agree on ordinary TMPDIR values; they differ only for odd spellings (see [CleanPath]).
type PathRules int

const (
	// RulesQt5 is Qt 5 and Qt 6 before 6.8 (checked against Qt 5.15.8 and 6.4.2, whose code
	// for this is identical).
	RulesQt5 PathRules = iota
	// RulesQt68 is Qt 6.8 and later (checked against Qt 6.8.2): a rewritten QDir::cleanPath,
	// and realpath called with a PATH_MAX buffer instead of letting it allocate.
	RulesQt68
)

// RulesFor returns the rules of Qt major.minor. The change is placed at 6.8 because 6.4.2
// has the old code and 6.8.2 the new; 6.5–6.7 were not checked.
func RulesFor(major, minor int) PathRules {
	if major > 6 || (major == 6 && minor >= 8) {
		return RulesQt68
	}
	return RulesQt5
}

// String names the rules.
func (r PathRules) String() string {
	switch r {
	case RulesQt5:
		return "Qt5"
	case RulesQt68:
		return "Qt6.8"
	}
	return "PathRules(?)"
}

// TempPath is QDir::tempPath() on Linux for this process now, by the rules of Qt 5.15 (the
// default flavour): [TempPathFrom] of $TMPDIR.
func TempPath() string { return TempPathFrom(os.Getenv("TMPDIR")) }

// TempPathFrom is [TempPathFor] with [RulesQt5].
func TempPathFrom(tmpdir string) string { return TempPathFor(tmpdir, RulesQt5) }

// TempPathFor is what QDir::tempPath() returns on Linux in a process whose TMPDIR is tmpdir,
// with this process's current directory and credentials, by the given Qt rules. Qt's steps:
//
//  1. TMPDIR is decoded as UTF-8, each byte of an invalid sequence becoming U+FFFD (a
//     UTF-8 locale is assumed, as Qt 6 always does); empty or unset means "/tmp/".
//  2. QDir::cleanPath ([CleanPath]); then QDir drops one trailing slash.
//  3. A path starting with ':' names a Qt resource and is returned as it is (":" becomes
//     ":/"), since no file system lookup happens. (A relative resource path that exists in
//     the Qt program, ":name", would become ":/name"; that cannot be known from outside.)
//  4. realpath(3) as glibc does it, relative paths taken from the current directory:
//     - success: the resolved path;
//     - ENOENT or ENOTDIR (a missing directory, a file in the way): "" — Qt's key files
//     then go to the root directory;
//     - any other error (ELOOP for a symlink loop or more than 40 links, EACCES for a
//     directory the user cannot search, ENAMETOOLONG, …): the cleaned path of step 2
//     unchanged, possibly relative (key files relative to the current directory).
//
// The result is valid UTF-8 and has no trailing slash except for "/" itself.
func TempPathFor(tmpdir string, rules PathRules) string {
	p, lookup := CleanTempDir(tmpdir, rules)
	if !lookup {
		return p
	}
	return ResolveTempDir(p, rules)
}

// ResolveTempDir is step 4 of [TempPathFor]: what QDir::tempPath() returns for p, a path that
// [CleanTempDir] returned with lookup true.
func ResolveTempDir(p string, rules PathRules) string {
	resolved, outcome := resolve(p, rules)
	switch outcome {
	case found:
		resolved = DecodeUTF8(resolved)
		if rules == RulesQt5 {
			resolved = CleanPath(resolved, rules) // a no-op on realpath's output, as in Qt
		}
		return resolved
	case missing:
		return ""
	}
	return p
}

// CleanTempDir is steps 1–3 of [TempPathFor]: the path that Qt hands to realpath(3) for a
// TMPDIR of tmpdir, and lookup true; or, for a Qt resource path or a name holding a NUL, what
// QDir::tempPath() returns without any lookup, and lookup false. When realpath succeeds, the
// kernel's lookup of p + "/" + name reaches the file that [TempPathFor]'s result + "/" + name
// names (both follow the same symbolic links from the same cleaned path), so a caller that
// only needs to know which file a name in the temp directory reaches can skip the realpath.
func CleanTempDir(tmpdir string, rules PathRules) (p string, lookup bool) {
	p = DecodeUTF8(tmpdir)
	if p == "" {
		p = "/tmp/"
	}
	p = CleanPath(p, rules)
	// QDir's constructor: an empty path means "."; one trailing slash is dropped.
	if p == "" {
		p = "."
	}
	if len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	if p[0] == ':' { // QResourceFileEngine's canonical name
		if p == ":" {
			return ":/", false
		}
		return p, false
	}
	if strings.IndexByte(p, 0) >= 0 {
		return p, false // Qt refuses a file name with a NUL and returns it unchanged
	}
	return p, true
}

// DecodeUTF8 is QFile::decodeName in a UTF-8 locale (and QString::fromUtf8): valid UTF-8 is kept, and each byte that is
// not part of a valid sequence (stray continuation bytes, truncated or overlong sequences,
// encoded surrogates, values above U+10FFFF) becomes U+FFFD. Qt 5.15, 6.4 and 6.8 agree.
func DecodeUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
