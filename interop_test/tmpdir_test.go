//go:build linux

package interop_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/qtkey"
	"github.com/qtshm/qtshm-go/internal/testenv"
)

// tmpdirHelper prints the native keys qtkey computes for its argument key in this process
// (TMPDIR, current directory, user), by the Qt 5 and the Qt 6.8 rules.
const tmpdirHelper = "tmpdir-keys"

// helperEnv is the variable that makes testenv.Main run a registered helper (testenv.Helper
// sets it; it is repeated here because the helper must run under runuser).
const helperEnv = "QTSHM_TEST_HELPER"

func init() {
	testenv.RegisterHelper(tmpdirHelper, func(args []string) int {
		if len(args) != 1 {
			fmt.Fprintln(os.Stderr, "usage: tmpdir-keys KEY")
			return 2
		}
		tmp := os.Getenv("TMPDIR")
		line, err := json.Marshal(keysLine{
			Op:   "keys",
			OK:   true,
			UID:  os.Getuid(),
			Qt5:  qtkey.SysV(args[0], qtkey.SharedMemoryPrefix, qtkey.TempPathFor(tmp, qtkey.RulesQt5)),
			Qt68: qtkey.SysV(args[0], qtkey.SharedMemoryPrefix, qtkey.TempPathFor(tmp, qtkey.RulesQt68)),
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(string(line))
		return 0
	})
}

// keysLine is the "keys" line of a Qt or Go peer, or of tmpdirHelper.
type keysLine struct {
	Op        string `json:"op"`
	OK        bool   `json:"ok"`
	NativeKey string `json:"nativeKey,omitempty"`
	QtVersion string `json:"qtVersion,omitempty"`
	UID       int    `json:"uid"`
	Qt5       string `json:"qt5,omitempty"`
	Qt68      string `json:"qt68,omitempty"`
}

// tmpdirCase is one TMPDIR value, run from cwd (relative to the fixture) as root or nobody.
type tmpdirCase struct {
	name, tmpdir, cwd string
	nobody            bool
}

// TestTempDirKeys is the differential test of QDir::tempPath(): for TMPDIR values that hit
// every branch of Qt's rule (symlink loops, too many links, missing directories, a file in
// the way, a directory nobody may search, relative paths, "..", "//", trailing slashes,
// resources, bytes that are not UTF-8, a name over NAME_MAX), each real Qt peer's native key
// must equal what qtkey computes by that Qt version's rules in a process with the same TMPDIR,
// current directory and user, and the Go peer (the default, Qt 5 rules) must equal Qt 5.15's.
// Only keys are computed: nothing is created.
func TestTempDirKeys(t *testing.T) {
	testenv.Require(t, os.Getuid() == 0, "root (to run peers as nobody with runuser)")
	_, err := exec.LookPath("runuser")
	testenv.Require(t, err == nil, "runuser (util-linux)")
	// Copies every user can run: the clone may sit in a private directory.
	var qts []peerKind
	for _, q := range qtKinds(t) {
		qts = append(qts, forOthers(t, q))
	}
	goPeer := forOthers(t, goKinds(t)[0])
	if goPeer.backend != "sysv" {
		t.Fatalf("goKinds()[0] is %s, want the pure backend", goPeer.Name)
	}
	base := tmpdirFixture(t)
	helper := filepath.Join(base, "interop.test") // a copy nobody may execute
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := copyExecutable(exe, helper); err != nil {
		t.Fatal(err)
	}

	long := "real/" + strings.Repeat("n", 300)
	loopAbs := base + "/loopA"
	cases := []tmpdirCase{
		{"empty", "", "", false},
		{"root", "/", "", false},
		{"double_slash", "//", "", false},
		{"leading_double_slash", "/" + base, "", false},
		{"absolute", base + "/real", "", false},
		{"trailing_slash", base + "/real/", "", false},
		{"dot_segments", base + "/./real/.", "", false},
		{"relative", "real", "", false},
		{"relative_dot_slash", "./real/", "", false},
		{"symlink", "link", "", false},
		{"dotdot_after_symlink", "link/../w", "", false},
		{"missing", "missing", "", false},
		{"missing_absolute", base + "/missing/deeper", "", false},
		{"dangling_symlink", "dangling", "", false},
		{"regular_file", "file", "", false},
		{"ENOTDIR", "file/x", "", false},
		{"symlink_loop", "loopA", "", false},
		{"symlink_loop_absolute", loopAbs + "/", "", false},
		{"symlink_loop_below", "./loopA//x/", "", false},
		{"symlink_loop_cleaned_away", "loopA/../real", "", false},
		{"40_symlinks", "c39", "", false},
		{"41_symlinks", "c40", "", false},
		{"name_too_long", long, "", false},
		{"not_utf8", "u\xff", "", false},
		{"resource_root", ":", "", false},
		{"resource", ":/res/./x//", "", false},
		{"resource_relative", ":res", "", false},
		{"colon_inside", "ab:cd", "", false},
		{"dotdot", "..", "w/x/y", false},
		{"dotdot_to_fixture", "../../..", "w/x/y", false},
		{"dotdot_above_relative", "a/../..", "w/x/y", false},
		{"dotdot_double_slash", "..//..", "w/x/y", false},
		{"dotdot_double_slash_trailing", "..//", "w/x/y", false},
		{"dotdot_above_root", "/..", "", false},
		{"dotdot_above_root_then_path", "/.." + base + "/real", "", false},
		{"dot_double_slash_loop", "/.//" + loopAbs[1:], "", false},
		{"nobody_unsearchable_parent", "priv", "", true},
		{"nobody_EACCES", "priv/sub", "", true},
		{"nobody_EACCES_spelled_oddly", "./priv//sub/", "", true},
		{"nobody_EACCES_before_ENOENT", "priv/missing", "", true},
		{"nobody_EACCES_absolute", base + "/priv/sub", "", true},
		{"nobody_EACCES_dotdot", "priv/sub/x/..", "", true},
		{"nobody_dotdot_cleaned_away", "priv/../real", "", true},
		{"nobody_relative", "real", "", true},
		{"nobody_symlink_loop", "loopA", "", true},
		{"nobody_missing", "missing", "", true},
		{"nobody_cwd_unsearchable_dot", ".", "priv/sub", true},
		{"nobody_cwd_unsearchable_dotdot", "..", "priv/sub", true},
		{"nobody_cwd_unsearchable_child", "x", "priv/sub", true},
	}
	key := keyFor(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := runKeys(t, c, base, key, []string{helper, "--", key}, helperEnv+"="+tmpdirHelper)
			if c.nobody == (h.UID == 0) {
				t.Fatalf("helper ran as uid %d (nobody=%v)", h.UID, c.nobody)
			}
			dir := func(k string) string { return short(strings.TrimSuffix(k, qtkey.Name(key, qtkey.SharedMemoryPrefix))) }
			var got []string
			for _, q := range qts {
				r := runKeys(t, c, base, key, append(append([]string{}, q.argv...), "--key", key, "keys"))
				rules, err := rulesOf(r.QtVersion)
				if err != nil {
					t.Fatal(err)
				}
				want := h.Qt5
				if rules == qtkey.RulesQt68 {
					want = h.Qt68
				}
				if r.NativeKey != want {
					t.Errorf("TMPDIR=%q cwd=%q nobody=%v: %s native key %q, qtkey (%v rules) %q", c.tmpdir, c.cwd, c.nobody, q.Name, r.NativeKey, rules, want)
				}
				got = append(got, q.Name+" "+dir(r.NativeKey))
			}
			g := runKeys(t, c, base, key, append(append([]string{}, goPeer.argv...), "--key", key, "keys"))
			if g.NativeKey != h.Qt5 {
				t.Errorf("TMPDIR=%q cwd=%q nobody=%v: %s native key %q, want %q (Qt 5 rules)", c.tmpdir, c.cwd, c.nobody, goPeer.Name, g.NativeKey, h.Qt5)
			}
			got = append(got, goPeer.Name+" "+dir(g.NativeKey))
			t.Logf("TMPDIR=%s cwd=%q nobody=%v → key dir: %s", short(c.tmpdir), c.cwd, c.nobody, strings.Join(got, ", "))
		})
	}
}

// short quotes s, eliding the middle of a long one.
func short(s string) string {
	if len(s) > 60 {
		s = s[:25] + "…" + s[len(s)-25:]
	}
	return strconv.Quote(s)
}

// runKeys runs argv (as nobody for a nobody case) in the case's directory with its TMPDIR and
// returns the "keys" line.
func runKeys(t *testing.T, c tmpdirCase, base, key string, argv []string, env ...string) keysLine {
	t.Helper()
	if c.nobody {
		argv = append([]string{"runuser", "-u", "nobody", "--"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = peerEnv(append(env, "TMPDIR="+c.tmpdir)...)
	cmd.Dir = filepath.Join(base, c.cwd)
	p := testenv.Start(t, cmd)
	line := p.Expect(`"op":"keys"`)
	p.MustSucceed()
	var r keysLine
	if err := json.Unmarshal([]byte(line), &r); err != nil || !r.OK {
		t.Fatalf("%v: bad keys line %q (%v)", argv, line, err)
	}
	return r
}

// rulesOf maps a Qt version ("6.8.2") to qtkey's path rules, by its numbers.
func rulesOf(version string) (qtkey.PathRules, error) {
	v, err := testenv.ParseVersion(version)
	if err != nil {
		return 0, err
	}
	return qtkey.RulesFor(v.Major, v.Minor), nil
}

// tmpdirFixture makes, in a fresh 0755 directory under testenv.WorkDir() (removed at cleanup),
// the things a TMPDIR can run into:
//
//	real/ link->real loopA<->loopB file dangling->missing u\uFFFD/ w/x/y/
//	c0->real, c1->c0, … c40->c39    (c39 takes 40 links, c40 41)
//	priv/sub/ with priv root's and 0700: nobody may not search it
func tmpdirFixture(t *testing.T) string {
	t.Helper()
	base, err := os.MkdirTemp(testenv.WorkDir(), "tmpdir-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if base, err = filepath.EvalSymlinks(base); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Chmod(base, 0o755))
	for _, d := range []string{"real", "w/x/y", "u\uFFFD", "priv/sub"} {
		must(os.MkdirAll(filepath.Join(base, d), 0o755))
	}
	must(os.Chmod(filepath.Join(base, "priv"), 0o700))
	for link, target := range map[string]string{"link": "real", "loopA": "loopB", "loopB": "loopA", "dangling": "missing", "c0": "real"} {
		must(os.Symlink(target, filepath.Join(base, link)))
	}
	for i := 1; i <= 40; i++ {
		must(os.Symlink(fmt.Sprintf("c%d", i-1), filepath.Join(base, fmt.Sprintf("c%d", i))))
	}
	must(os.WriteFile(filepath.Join(base, "file"), nil, 0o644))
	return base
}
