package qtkey

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is a directory tree with the things TMPDIR can run into:
//
//	real/            a directory
//	link -> real     a symlink to it
//	loopA <-> loopB  a symlink loop
//	file             a regular file
//	dangling         a symlink to nothing
//	c0 -> real, c1 -> c0, … c40 -> c39   a chain of symlinks
//	u\uFFFD/         a directory whose name holds U+FFFD
//	w/x/y/           for relative paths with ".."
type fixture struct{ dir string }

func newFixture(t *testing.T, base string) fixture {
	t.Helper()
	d := base
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(d, "real"), 0o755))
	must(os.MkdirAll(filepath.Join(d, "w", "x", "y"), 0o755))
	must(os.MkdirAll(filepath.Join(d, "u\uFFFD"), 0o755))
	must(os.Symlink("real", filepath.Join(d, "link")))
	must(os.Symlink("loopB", filepath.Join(d, "loopA")))
	must(os.Symlink("loopA", filepath.Join(d, "loopB")))
	must(os.Symlink("missing", filepath.Join(d, "dangling")))
	must(os.WriteFile(filepath.Join(d, "file"), nil, 0o644))
	must(os.Symlink("real", filepath.Join(d, "c0")))
	for i := 1; i <= 40; i++ {
		must(os.Symlink(fmt.Sprintf("c%d", i-1), filepath.Join(d, fmt.Sprintf("c%d", i))))
	}
	return fixture{d}
}

func (f fixture) path(rel string) string { return f.dir + "/" + rel }

// TestTempPathEdgeCases: what QDir::tempPath() gives for each kind of TMPDIR, run from the
// fixture directory. The expectations follow Qt 5.15, 6.4 and 6.8 (interop_test proves them
// against the real programs).
func TestTempPathEdgeCases(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir()) // the fixture's real name
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, dir)
	t.Chdir(dir)
	long := "real/" + strings.Repeat("n", 300) // a component longer than NAME_MAX
	tmp, err := filepath.EvalSymlinks("/tmp")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, tmpdir, want string }{
		{"empty_is_tmp", "", tmp},
		{"root", "/", "/"},
		{"double_slash", "//", "/"},
		{"leading_double_slash", "/" + f.dir, f.dir},
		{"absolute", f.path("real"), f.path("real")},
		{"trailing_slash", f.path("real") + "/", f.path("real")},
		{"dot_segments", f.dir + "/./real/.", f.path("real")},
		{"relative", "real", f.path("real")},
		{"relative_dot", "./real/", f.path("real")},
		{"symlink", "link", f.path("real")},
		{"symlink_absolute", f.path("link"), f.path("real")},
		{"dotdot_through_symlink", "link/../w", f.path("w")},              // cleanPath first: "w"
		{"missing", "missing", ""},                                        // ENOENT
		{"missing_absolute", f.path("missing/deeper"), ""},                // ENOENT
		{"dangling_symlink", "dangling", ""},                              // ENOENT
		{"regular_file", "file", f.path("file")},                          // realpath does not ask for a directory
		{"through_a_file", "file/x", ""},                                  // ENOTDIR
		{"symlink_loop", "loopA", "loopA"},                                // ELOOP: unchanged, relative
		{"symlink_loop_absolute", f.path("loopA") + "/", f.path("loopA")}, // ELOOP: unchanged, cleaned
		{"symlink_loop_below", "./loopA//x/", "loopA/x"},
		{"symlink_loop_cleaned_away", "loopA/../real", f.path("real")},
		{"40_symlinks", "c39", f.path("real")},
		{"41_symlinks", "c40", "c40"}, // glibc stops after 40: ELOOP
		{"name_too_long", long, long}, // ENAMETOOLONG: unchanged
		{"dotdot_relative", "w/x/y/../..", f.path("w")},
		{"dotdot_above_relative", "w/../..", filepath.Dir(f.dir)},
		{"dotdot_above_root", "/..", "/"},
		{"dotdot_above_root_then_path", "/.." + f.dir + "/real", f.path("real")},
		{"invalid_utf8", "u\xff", f.path("u\uFFFD")}, // decoded to U+FFFD, as Qt does
		{"resource_root", ":", ":/"},
		{"resource", ":/res/./x//", ":/res/x"},
		{"resource_relative", ":res", ":res"},
		{"colon_not_first", "ab:cd", ""}, // an ordinary relative path
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []PathRules{RulesQt5, RulesQt68} {
				if got := TempPathFor(c.tmpdir, r); got != c.want {
					t.Errorf("TempPathFor(%q, %v) = %q, want %q", c.tmpdir, r, got, c.want)
				}
			}
			if got := TempPathFrom(c.tmpdir); got != c.want {
				t.Errorf("TempPathFrom(%q) = %q, want %q", c.tmpdir, got, c.want)
			}
		})
	}
}

// TestTempPathRulesDiffer: TMPDIR values for which Qt 6.8 and Qt 5 compute different paths.
func TestTempPathRulesDiffer(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, dir)
	t.Chdir(f.path("w/x/y"))
	for _, c := range []struct{ tmpdir, qt5, qt68 string }{
		// Qt 5 cleans "..//.." to "../.."; Qt 6.8 to "..": different directories.
		{"..//..", f.path("w"), f.path("w/x")},
		// Qt 6.8 keeps the "//" after a removed "/.", and the loop leaves the path as it is.
		{"/.//" + f.path("loopA")[1:], f.path("loopA"), "/" + f.path("loopA")},
	} {
		if got := TempPathFor(c.tmpdir, RulesQt5); got != c.qt5 {
			t.Errorf("TempPathFor(%q, Qt5) = %q, want %q", c.tmpdir, got, c.qt5)
		}
		if got := TempPathFor(c.tmpdir, RulesQt68); got != c.qt68 {
			t.Errorf("TempPathFor(%q, Qt6.8) = %q, want %q", c.tmpdir, got, c.qt68)
		}
	}
}

// TestTempPathEnv: TempPath reads $TMPDIR now, and SysV of an empty temp path is a key file in
// the root directory, as in Qt.
func TestTempPathEnv(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", dir+"//")
	if got := TempPath(); got != dir {
		t.Fatalf("TempPath() with TMPDIR=%q: %q", dir+"//", got)
	}
	t.Setenv("TMPDIR", dir+"/missing")
	if got := SysV("K", SharedMemoryPrefix, TempPath()); got != "/"+Name("K", SharedMemoryPrefix) {
		t.Fatalf("SysV with a missing TMPDIR: %q", got)
	}
}

// TestQtDecode: byte sequences that are not UTF-8 become one U+FFFD per byte, as QFile::
// decodeName does (the expectations were recorded from Qt 5.15.8, 6.4.2 and 6.8.2).
func TestQtDecode(t *testing.T) {
	const r = "\uFFFD"
	for in, want := range map[string]string{
		"\xff": r, "a\xffb": "a" + r + "b", "\xe4\xb8": r + r, "\xe4\xb8a": r + r + "a",
		"\xf0\x9f\x98": r + r + r, "\xc0\x80": r + r, "\xed\xa0\x80": r + r + r,
		"\xf4\x90\x80\x80": r + r + r + r, "\x80\x80": r + r, "\xe4\xb8\xff": r + r + r,
		"\xef\xbb\xbfx": "\ufeffx", "\xef\xbf\xbe": "\ufffe", "\xc2\x80": "\u0080", "ok": "ok",
	} {
		if got := DecodeUTF8(in); got != want {
			t.Errorf("DecodeUTF8(%q) = %q, want %q", in, got, want)
		}
	}
}
