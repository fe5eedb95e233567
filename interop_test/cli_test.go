//go:build linux

package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// The operator CLI (qtshm key/ls/cat/write/rm/lock) run as a user runs it: the built binary
// (goKinds' pure-backend build of cmd/qtshm), against segments made by real Qt processes.

// cli runs the qtshm binary with args and returns its stdout, stderr and exit status.
func cli(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	bin := goKinds(t)[0].bin
	ctx, cancel := context.WithTimeout(testenv.Context(t, time.Minute), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = peerEnv("COLUMNS=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("qtshm %q: %v", args, err)
	}
	t.Logf("qtshm %s → %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	return out.String(), errb.String(), code
}

// cliOK is cli that fails the test unless qtshm exits 0 with nothing on stderr.
func cliOK(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := cli(t, args...)
	if code != 0 || errs != "" {
		t.Fatalf("qtshm %q: status %d, stderr %q", args, code, errs)
	}
	return out
}

// cliFails checks that qtshm exits with status want and one line on stderr, and returns it.
func cliFails(t *testing.T, want int, args ...string) string {
	t.Helper()
	_, errs, code := cli(t, args...)
	if code != want || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "qtshm: ") {
		t.Fatalf("qtshm %q: status %d, stderr %q; want %d and one line", args, code, errs, want)
	}
	return errs
}

// lsObjects runs `qtshm ls --json` and parses its lines.
func lsObjects(t *testing.T, args ...string) []qtshm.Object {
	t.Helper()
	out := cliOK(t, append([]string{"ls", "--json"}, args...)...)
	var objs []qtshm.Object
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var o qtshm.Object
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("ls --json line %q: %v", line, err)
		}
		objs = append(objs, o)
	}
	return objs
}

// ofKey keeps the objects of the QString key (by the SHA-1 in their names).
func ofKey(objs []qtshm.Object, key string) map[qtshm.ObjectKind]qtshm.Object {
	sha := qtshm.LegacyNativeKey(key)
	sha = sha[len(sha)-40:]
	out := map[qtshm.ObjectKind]qtshm.Object{}
	for _, o := range objs {
		if o.SHA1 == sha {
			k := o.Kind
			if k == qtshm.KindKeyFile {
				k += qtshm.ObjectKind(":" + o.Role)
			}
			out[k] = o
		}
	}
	return out
}

// TestCLIStaleFromKilledQt: a Qt creator is SIGKILLed while attached and holding the lock.
// `qtshm ls` flags its segment (nobody attached) and its lock (lock of a stale segment) as
// stale; `qtshm rm --stale` removes them and their key files; a Qt create() then succeeds.
func TestCLIStaleFromKilledQt(t *testing.T) {
	for _, q := range qtKinds(t) {
		t.Run(q.Name, func(t *testing.T) {
			key := keyFor(t)
			c := q.start(t, key, nil, "create", "64", "rw", "write", "0", "str:stale", "lock", "crash")
			expectOK(t, c, "create")
			expectOK(t, c, "write")
			expectOK(t, c, "lock")
			expectOK(t, c, "crash")
			c.Kill()
			mine := ofKey(lsObjects(t), key)
			seg, lock := mine[qtshm.KindSysVSegment], mine[qtshm.KindSysVSemaphore]
			if !seg.Stale || seg.Attach != 0 || seg.Size != 64 || !strings.Contains(seg.StaleReason, "attached") {
				t.Errorf("segment: %+v; want stale, 0 attached, 64 bytes", seg)
			}
			if !lock.Stale || lock.StaleReason == "" {
				t.Errorf("lock: %+v; want stale", lock)
			}
			for _, k := range []qtshm.ObjectKind{"keyfile:sharedmemory", "keyfile:systemsem"} {
				if o := mine[k]; !o.Stale || o.Letters != "interopTestCLIStaleFromKilledQtQt" {
					t.Errorf("%s: %+v; want stale, letters of the key", k, o)
				}
			}
			if table := cliOK(t, "ls"); !strings.Contains(table, "STALE: no process is attached") {
				t.Errorf("ls table does not flag the segment:\n%s", table)
			}
			out := cliOK(t, "rm", "--stale")
			if !strings.Contains(out, "removed sysv-shm") || !strings.Contains(out, "removed sysv-sem") {
				t.Errorf("rm --stale said:\n%s", out)
			}
			if left := ofKey(lsObjects(t), key); len(left) != 0 {
				t.Fatalf("left after rm --stale: %+v", left)
			}
			p := q.start(t, key, nil, "create", "64", "rw", "close")
			expectOK(t, p, "create")
			p.MustSucceed()
		})
	}
}

// TestCLICatArticle: `qtshm cat --string` prints the Qt article writer's current message.
func TestCLICatArticle(t *testing.T) {
	for _, q := range qtKinds(t) {
		t.Run(q.Name, func(t *testing.T) {
			key := keyFor(t)
			w := qtWriter(t, q, key)
			expectWriterStarted(t, w)
			out := cliOK(t, "cat", "--string", key)
			if !strings.HasPrefix(out, "程序1动态消息#") || !strings.Contains(w.Output(), strings.TrimSpace(out)) {
				t.Errorf("cat --string printed %q; the writer wrote:\n%s", out, w.Output())
			}
			var r struct {
				Size, Offset, Length int
				Hex, String          string
			}
			if err := json.Unmarshal([]byte(cliOK(t, "cat", "--json", "--offset", "0", "--length", "16", key)), &r); err != nil || r.Size != 1024 || r.Length != 16 || len(r.Hex) != 32 {
				t.Errorf("cat --json: %+v, %v", r, err)
			}
			w.MustSucceed()
		})
	}
}

// TestCLIWriteSeenByQt: `qtshm write --string` into a Qt creator's segment; the Qt process
// reads it back (readstr), and a Qt reader attached meanwhile too.
func TestCLIWriteSeenByQt(t *testing.T) {
	for _, q := range qtKinds(t) {
		t.Run(q.Name, func(t *testing.T) {
			key := keyFor(t)
			c := q.start(t, key, nil, "create", "64", "rw", "wait", "readstr", "close")
			expectOK(t, c, "create")
			cliOK(t, "write", "--string", "héllo from the CLI", key)
			cliOK(t, "write", "--offset", "60", key) // empty stdin: writes nothing
			c.Send("go")
			expectOK(t, c, "wait")
			if r := expectOK(t, c, "readstr"); r.Str != "héllo from the CLI" {
				t.Errorf("Qt read %q", r.Str)
			}
			expectOK(t, c, "close")
			c.MustSucceed()
		})
	}
}

// TestCLIJSON: the --json outputs parse and have the documented fields, for a live Qt segment.
func TestCLIJSON(t *testing.T) {
	q := qtKinds(t)[0]
	key := keyFor(t)
	c := q.start(t, key, nil, "create", "128", "rw", "wait", "close")
	expectOK(t, c, "create")
	var ki map[string]any
	if err := json.Unmarshal([]byte(cliOK(t, "key", "--json", key)), &ki); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"key", "type", "nativeKey", "lockNativeKey", "segmentExists", "lockExists", "stale", "objects"} {
		if _, ok := ki[f]; !ok {
			t.Errorf("key --json has no %q: %v", f, ki)
		}
	}
	if ki["segmentExists"] != true || ki["stale"] != false || ki["nativeKey"] != qtshm.LegacyNativeKey(key) {
		t.Errorf("key --json: %v", ki)
	}
	out := cliOK(t, "ls", "--json")
	fields := []string{"kind", "role", "letters", "sha1", "path", "keyFile", "sysvKey", "id", "size", "uid", "user", "cuid",
		"mode", "attach", "value", "waiters", "cpid", "lpid", "atime", "dtime", "otime", "ctime", "mtime", "stale", "staleReason"}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("ls --json line %q: %v", line, err)
		}
		for _, f := range fields {
			if _, ok := o[f]; !ok {
				t.Errorf("ls --json line has no %q: %s", f, line)
			}
		}
	}
	seg := ofKey(lsObjects(t), key)[qtshm.KindSysVSegment]
	if seg.Attach != 1 || seg.Stale || seg.Size != 128 || seg.User != "root" && seg.UID == 0 {
		t.Errorf("live segment: %+v", seg)
	}
	c.Send("go")
	expectOK(t, c, "wait")
	expectOK(t, c, "close")
	c.MustSucceed()
}

// TestCLIErrors: bad usage (status 2), a missing key, a segment in use and a segment of
// another user (status 1): one line on stderr each, and nothing attached is removed.
func TestCLIErrors(t *testing.T) {
	for _, args := range [][]string{
		{"ls", "extra"}, {"cat"}, {"cat", ""}, {"cat", "--hex", "--string", "k"}, {"cat", "--offset", "-1", "k"},
		{"write", "--create", "64", "k"}, {"rm"}, {"rm", "--stale", "k"}, {"lock", "k"}, {"key", "--native", "nokind"},
		{"ls", "--flavor", "qt4"}, {"cat", "--backend", "nope", "k"}, {"ls", "--bogus"},
	} {
		cliFails(t, 2, args...)
	}
	cliFails(t, 1, "cat", "no such key "+t.Name())
	cliFails(t, 1, "rm", "no such key "+t.Name())

	q := qtKinds(t)[0]
	key := keyFor(t)
	c := q.start(t, key, nil, "create", "64", "rw", "wait", "close")
	expectOK(t, c, "create")
	if e := cliFails(t, 1, "rm", key); !strings.Contains(e, "in use") {
		t.Errorf("rm of a segment in use: %q", e)
	}
	cliOK(t, "rm", "--stale")
	cliFails(t, 1, "cat", "--offset", "65", key)
	if seg := ofKey(lsObjects(t), key)[qtshm.KindSysVSegment]; seg.Attach != 1 {
		t.Fatalf("the attached segment is gone or changed after rm: %+v", seg)
	}
	c.Send("go")
	expectOK(t, c, "wait")
	expectOK(t, c, "close")
	c.MustSucceed()
}

// TestCLIOtherUser: a segment that nobody (the user) created and holds: cat and rm refuse it
// with one line naming the owner, and rm removes nothing.
func TestCLIOtherUser(t *testing.T) {
	requireNobody(t)
	q := qtKinds(t)[0]
	shared := sharedTempDir(t)
	env := []string{"TMPDIR=" + shared}
	key := keyFor(t)
	c := asNobody(t, q).start(t, key, env, "create", "64", "rw", "wait", "close")
	expectOK(t, c, "create")
	if e := cliFails(t, 1, "cat", "--tmpdir", shared, key); !strings.Contains(e, "nobody") {
		t.Errorf("cat of nobody's segment: %q; want it to name the owner", e)
	}
	if e := cliFails(t, 1, "rm", "--force", "--tmpdir", shared, key); !strings.Contains(e, "nobody") {
		t.Errorf("rm of nobody's segment: %q; want it to name the owner", e)
	}
	seg := ofKey(lsObjects(t, "--tmpdir", shared), key)[qtshm.KindSysVSegment]
	if seg.Attach != 1 || seg.User != "nobody" {
		t.Fatalf("nobody's segment after rm: %+v", seg)
	}
	c.Send("go")
	expectOK(t, c, "wait")
	expectOK(t, c, "close")
	c.MustSucceed()
}

// TestCLILockHoldsQtOut: while `qtshm lock KEY --hold` holds the lock, a Qt process's lock()
// does not return; SIGINT ends the hold cleanly (status 0, "unlocked"), and then Qt gets it.
func TestCLILockHoldsQtOut(t *testing.T) {
	for _, q := range qtKinds(t) {
		t.Run(q.Name, func(t *testing.T) {
			key := keyFor(t)
			c := q.start(t, key, nil, "create", "64", "rw", "wait", "lock", "unlock", "close")
			expectOK(t, c, "create")
			cmd := exec.Command(goKinds(t)[0].bin, "lock", "--hold", "10m", key)
			cmd.Env = peerEnv()
			l := testenv.Start(t, cmd)
			l.Expect("locked ")
			c.Send("go")
			expectOK(t, c, "wait")
			time.Sleep(300 * time.Millisecond) // give Qt's lock() a chance to (wrongly) succeed
			if strings.Contains(c.Output(), `"op":"lock"`) {
				t.Fatalf("Qt locked while qtshm lock held the lock:\n%s", c.Output())
			}
			l.Cmd.Process.Signal(os.Interrupt)
			l.Expect("unlocked ")
			l.MustSucceed()
			expectOK(t, c, "lock")
			expectOK(t, c, "unlock")
			expectOK(t, c, "close")
			c.MustSucceed()
		})
	}
}
