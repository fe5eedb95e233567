//go:build linux

package qtshm_test

// Another local user plants key files, a 0666 segment and a 0666 lock for our key first
// (issue 7, defect 4). Qt uses them: its create says AlreadyExists, the usual fallback attach
// succeeds, and the other user reads everything written. We refuse them with PermissionDenied
// naming the owner, in both directions (root meeting nobody's objects, nobody meeting root's),
// unless WithForeignOwner is given.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// plantObjects creates, as the calling user, what a Qt process would have made for key in dir,
// but with mode 0666: both key files, the segment and the lock set (value 1). It returns a
// function that removes them.
func plantObjects(dir, key string) (remove func(), err error) {
	shmFile := qtkey.SysV(key, qtkey.SharedMemoryPrefix, dir)
	semFile := qtkey.SysV(key, qtkey.SemaphorePrefix, dir)
	var undo []func()
	remove = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	for _, f := range []string{shmFile, semFile} {
		if err := os.WriteFile(f, nil, 0o666); err != nil && !os.IsExist(err) {
			return remove, err
		}
		os.Chmod(f, 0o666)
		undo = append(undo, func() { os.Remove(f) })
	}
	shmKey, err := ipc.Ftok(shmFile, ipc.ProjQ)
	if err != nil {
		return remove, err
	}
	semKey, err := ipc.Ftok(semFile, ipc.ProjQ)
	if err != nil {
		return remove, err
	}
	if id, err := ipc.Shmget(shmKey, 64, 0o666|ipc.IPC_CREAT); err == nil {
		undo = append(undo, func() { ipc.ShmRemove(id) })
	} else {
		return remove, err
	}
	id, err := ipc.Semget(semKey, 1, 0o666|ipc.IPC_CREAT)
	if err != nil {
		return remove, err
	}
	undo = append(undo, func() { ipc.Semctl(id, 0, ipc.IPC_RMID, 0) })
	_, err = ipc.Semctl(id, 0, ipc.SETVAL, 1)
	return remove, err
}

// foreignReport is what one victim loop saw.
type foreignReport struct {
	Attempts, Refused int
	Violations        []string
}

// victimLoop tries, for d, what a careless program does with key in dir (Create, on
// AlreadyExists Attach; a standalone semaphore) and expects PermissionDenied naming owner each
// time.
func victimLoop(dir, key, owner string, d time.Duration) foreignReport {
	var r foreignReport
	bad := func(format string, args ...any) {
		if len(r.Violations) < 10 {
			r.Violations = append(r.Violations, strings.TrimSpace(sprintf(format, args...)))
		}
	}
	check := func(what string, err error) {
		r.Attempts++
		var e *qtshm.Error
		switch {
		case err == nil:
			bad("%s succeeded on another user's objects", what)
		case !errors.As(err, &e) || e.Code != qtshm.PermissionDenied:
			bad("%s: %v, want PermissionDenied", what, err)
		case !strings.Contains(e.Msg, owner):
			bad("%s: %q does not name the owner %s", what, e.Msg, owner)
		default:
			r.Refused++
		}
	}
	for end := time.Now().Add(d); time.Now().Before(end); {
		m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithTempDir(dir))
		err := m.Create(64, qtshm.ReadWrite)
		check("Create", err)
		if errors.Is(err, qtshm.ErrAlreadyExists) {
			check("Attach after AlreadyExists", m.Attach(qtshm.ReadWrite))
		}
		check("Attach", m.Attach(qtshm.ReadOnly))
		m.Close()
		s, err := qtshm.NewSystemSemaphore(key, 1, qtshm.Open, qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithTempDir(dir))
		check("NewSystemSemaphore", err)
		if s != nil {
			s.Close()
		}
	}
	return r
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func init() {
	// victim DIR KEY OWNER SECONDS: victimLoop as this process's user; prints a foreignReport.
	testenv.RegisterHelper("victim", func(args []string) int {
		secs, _ := strconv.ParseFloat(args[3], 64)
		r := victimLoop(args[0], args[1], args[2], time.Duration(secs*float64(time.Second)))
		json.NewEncoder(os.Stdout).Encode(r)
		return 0
	})
	// plant DIR KEY: plant the objects as this process's user, print "planted", keep them
	// until stdin closes, then remove them.
	testenv.RegisterHelper("plant", func(args []string) int {
		remove, err := plantObjects(args[0], args[1])
		defer remove()
		if err != nil {
			json.NewEncoder(os.Stdout).Encode(map[string]string{"error": err.Error()})
			return 1
		}
		os.Stdout.WriteString("planted\n")
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		return 0
	})
}

// asNobody starts the test binary as user nobody running helper name. The binary is copied to a
// world-readable directory first (go test's own directory is private).
func asNobody(t *testing.T, name string, args ...string) *testenv.Proc {
	t.Helper()
	u, err := user.Lookup("nobody")
	testenv.Require(t, err == nil && os.Getuid() == 0, "root and a user nobody (%v)", err)
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(testenv.WorkDir(), "qtshm.test-nobody")
	if _, err := os.Stat(copyPath); err != nil {
		data, err := os.ReadFile(exe)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(copyPath, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(copyPath, append([]string{"--"}, args...)...)
	cmd.Env = append(os.Environ(), "QTSHM_TEST_HELPER="+name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return testenv.Start(t, cmd)
}

// stickyDir makes a world-writable sticky directory like /tmp, for key files of two users.
func stickyDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(testenv.WorkDir(), "shared-tmp-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o1777)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func reportOf(t *testing.T, p *testenv.Proc) foreignReport {
	t.Helper()
	var r foreignReport
	line := p.NextLine()
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("bad report %q: %v", line, err)
	}
	p.MustSucceed()
	return r
}

// TestForeignObjectsRefused: user nobody plants 0666 objects for our key; for 5 s we (root) try
// Create/Attach/NewSystemSemaphore on them, and each attempt must be refused. With
// WithForeignOwner the same segment is usable, as in Qt.
func TestForeignObjectsRefused(t *testing.T) {
	dir := stickyDir(t)
	key := uniqueKey(t)
	planter := asNobody(t, "plant", dir, key)
	if line := planter.NextLine(); line != "planted" {
		t.Fatalf("planter: %s", line)
	}
	r := victimLoop(dir, key, "nobody", adversarialRun)
	for _, v := range r.Violations {
		t.Error(v)
	}
	if r.Attempts == 0 || r.Refused != r.Attempts {
		t.Errorf("%d of %d attempts refused", r.Refused, r.Attempts)
	}
	t.Logf("root against nobody's objects: %d of %d attempts refused", r.Refused, r.Attempts)

	m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithTempDir(dir), qtshm.WithForeignOwner())
	if err := m.Attach(qtshm.ReadOnly); err != nil {
		t.Errorf("Attach with WithForeignOwner: %v", err)
	}
	m.Close()
	planter.MustSucceed()
}

// TestForeignObjectsRefusedAsNobody is the other direction: root plants, nobody is refused.
func TestForeignObjectsRefusedAsNobody(t *testing.T) {
	dir := stickyDir(t)
	key := uniqueKey(t)
	testenv.Require(t, os.Getuid() == 0, "root")
	remove, err := plantObjects(dir, key)
	defer remove()
	if err != nil {
		t.Fatal(err)
	}
	p := asNobody(t, "victim", dir, key, "root", strconv.FormatFloat(adversarialRun.Seconds(), 'f', -1, 64))
	r := reportOf(t, p)
	for _, v := range r.Violations {
		t.Error(v)
	}
	if r.Attempts == 0 || r.Refused != r.Attempts {
		t.Errorf("%d of %d attempts refused", r.Refused, r.Attempts)
	}
	t.Logf("nobody against root's objects: %d of %d attempts refused", r.Refused, r.Attempts)
}
