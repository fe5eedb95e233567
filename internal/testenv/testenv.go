// Package testenv is the test harness shared by qtshm-go's multi-process tests: it isolates a
// test binary in its own IPC namespace and temp directory, checks that the run leaves no
// System V object or key file behind, re-executes the test binary as registered helper
// processes, and turns missing prerequisites into failures when CI=true.
//
// Processes a test starts ([Start], [Helper]) are read line by line and checked in order: an
// expectation is about the next line ([Proc.Expect]); passing over lines is explicit and names
// what may be passed over ([Proc.ExpectAfter]). Every wait is bounded by [Bound]: a step
// limit, cut to the test binary's deadline (go test -timeout) less [Grace], so a hang fails the
// test with the output so far instead of ending in go test's panic.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const (
	envHelper = "QTSHM_TEST_HELPER" // name of the helper this process impersonates
	envIsoled = "QTSHM_TEST_IPCNS"  // set in the re-executed child that runs in its own IPC namespace
)

// CI reports whether the run is a CI run (CI=true): missing prerequisites fail instead of skip.
func CI() bool { return os.Getenv("CI") == "true" }

// Require skips the test when ok is false, naming what is missing — or fails it under CI=true.
func Require(t testing.TB, ok bool, format string, args ...any) {
	t.Helper()
	if ok {
		return
	}
	msg := "missing prerequisite: " + fmt.Sprintf(format, args...)
	if CI() {
		t.Fatal(msg + " (CI=true: a missing prerequisite is a failure)")
	}
	t.Skip(msg)
}

var helpers = map[string]func(args []string) int{}

// RegisterHelper registers a helper the test binary can be re-executed as (see Helper). It panics
// on duplicates. Call it from init.
func RegisterHelper(name string, f func(args []string) int) {
	if _, dup := helpers[name]; dup {
		panic("testenv: helper registered twice: " + name)
	}
	helpers[name] = f
}

// Main is the TestMain of a package with multi-process tests:
//   - in a helper process it runs the helper and exits;
//   - as root it re-executes the test binary in a new IPC namespace, so that the leak check
//     below sees only this package's objects even when packages run in parallel;
//   - it points TMPDIR at a fresh directory (Qt's key files go there), runs the tests, and fails
//     the run if any SysV segment or semaphore set created during the run, any key file, or
//     any /dev/shm entry (POSIX shared memory and semaphores; as root /dev/shm is a private
//     tmpfs in the new mount namespace, so the check is exact) is left behind.
func Main(m *testing.M) {
	if name := os.Getenv(envHelper); name != "" {
		f, ok := helpers[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "testenv: unknown helper %q\n", name)
			os.Exit(2)
		}
		os.Exit(f(helperArgs()))
	}
	if os.Getuid() == 0 && os.Getenv(envIsoled) == "" && os.Getenv("QTSHM_TEST_NO_IPCNS") == "" {
		if code, ok := reexecIsolated(); ok {
			os.Exit(code)
		}
	}
	os.Exit(runChecked(m))
}

func helperArgs() []string {
	args := os.Args[1:]
	for i, a := range args {
		if a == "--" {
			return args[i+1:]
		}
	}
	return nil
}

// reexecIsolated runs the test binary again in a new IPC namespace and returns its exit code;
// ok is false when no namespace could be made (a sandbox without CAP_SYS_ADMIN): the caller
// then runs the tests here.
func reexecIsolated() (code int, ok bool) {
	cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envIsoled+"=1")
	if !isolate(cmd) {
		return 0, false
	}
	if err := cmd.Run(); err != nil {
		if ee, isExit := err.(*exec.ExitError); isExit {
			return ee.ExitCode(), true
		}
		fmt.Fprintln(os.Stderr, "testenv: no private IPC namespace (", err, "): running in the host's; run go test -p 1")
		return 0, false
	}
	return 0, true
}

func runChecked(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "qtshm-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	work, err := os.MkdirTemp("", "qtshm-work-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	os.Chmod(work, 0o755)
	workDir = work
	defer os.RemoveAll(work)
	os.Setenv("TMPDIR", tmp)
	if os.Getenv(envIsoled) != "" && !privateDevShm() {
		fmt.Fprintln(os.Stderr, "testenv: no private /dev/shm: the /dev/shm leak check counts other packages' entries too")
	}
	before := Snapshot()
	shmBefore := devShm()
	code := m.Run()
	leaks := Snapshot().Minus(before)
	files, _ := os.ReadDir(tmp)
	var left []string
	for _, f := range files {
		left = append(left, f.Name())
	}
	var shmLeft []string
	for name := range devShm() {
		if !shmBefore[name] {
			shmLeft = append(shmLeft, name)
			os.Remove("/dev/shm/" + name)
		}
	}
	sort.Strings(shmLeft)
	if len(leaks) > 0 || len(left) > 0 || len(shmLeft) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: IPC leak check: the tests left %d SysV object(s) %v, %d file(s) %v in %s and %d /dev/shm entries %v\n",
			len(leaks), leaks, len(left), left, tmp, len(shmLeft), shmLeft)
		if os.Getenv(envIsoled) == "" && len(leaks) > 0 {
			fmt.Fprintln(os.Stderr, "(not root, so not in a private IPC namespace: objects of packages tested in parallel count too; run go test -p 1)")
		}
		for _, l := range leaks {
			l.Remove()
		}
		if code == 0 {
			code = 1
		}
	}
	os.RemoveAll(tmp)
	return code
}

var workDir string

// devShm lists /dev/shm: POSIX shared memory objects and (sem.NAME) named semaphores.
func devShm() map[string]bool {
	out := map[string]bool{}
	entries, _ := os.ReadDir("/dev/shm")
	for _, e := range entries {
		out[e.Name()] = true
	}
	return out
}

// WorkDir is a directory for build products and other files the tests need, outside TMPDIR (so
// the leak check ignores it), readable by other users, removed when the run ends.
func WorkDir() string { return workDir }

// Object is one System V segment or semaphore set, as /proc/sysvipc lists it.
type Object struct {
	Kind string // "shm" or "sem"
	Key  int64
	ID   int
}

func (o Object) String() string {
	return fmt.Sprintf("%s(key=0x%08x id=%d)", o.Kind, uint32(o.Key), o.ID)
}

// Remove deletes the object (ipcrm).
func (o Object) Remove() {
	flag := "-m"
	if o.Kind == "sem" {
		flag = "-s"
	}
	exec.Command("ipcrm", flag, fmt.Sprint(o.ID)).Run()
}

// Objects is a set of System V objects.
type Objects map[Object]bool

// Minus lists the objects of s not in other.
func (s Objects) Minus(other Objects) []Object {
	var out []Object
	for o := range s {
		if !other[o] {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Snapshot reads every segment and semaphore set of this IPC namespace from /proc/sysvipc.
func Snapshot() Objects {
	s := Objects{}
	for _, kind := range []string{"shm", "sem"} {
		data, err := os.ReadFile("/proc/sysvipc/" + kind)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			var key int64
			var id int
			if n, _ := fmt.Sscan(line, &key, &id); n == 2 {
				s[Object{kind, key, id}] = true
			}
		}
	}
	return s
}

// Exists reports whether a segment ("shm") or semaphore set ("sem") with this SysV key exists.
func Exists(kind string, key int) bool {
	for o := range Snapshot() {
		if o.Kind == kind && int32(o.Key) == int32(key) {
			return true
		}
	}
	return false
}
