package peer

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var update = flag.Bool("update", false, "rewrite the expected results of testdata/*.script from the Go peer's output (review the diff!)")

// runPeer runs the Go peer in this process (pure backend) and returns its exit status and
// stdout lines.
func runPeer(t *testing.T, args []string, stdin string) (int, []string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := RunContext(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if out.Len() == 0 {
		lines = nil
	}
	return code, lines, errOut.String()
}

// knownGaps are the scripts the Go peer (pure backend) cannot run yet, each with the result
// that shows it (interop_test/protocol_test.go lists the same gap for its Go peers): while the
// peer prints it, the script is not compared (nor rewritten by -update).
var knownGaps = map[string]string{}

// TestScripts runs every script (except crash, which would kill the test) against the Go peer
// in-process and compares each result line with the script's.
func TestScripts(t *testing.T) {
	scripts, err := LoadScripts("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no scripts in testdata")
	}
	for _, s := range scripts {
		if s.Uses("crash") {
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			key := s.Key()
			removeLeftovers(t, s, key)
			_, got, _ := runPeer(t, append([]string{"--backend", qtshm.BackendSysV}, s.Args(key, qtshm.TempPath())...), "") // the pure backend, whatever the tags
			if gap, ok := knownGaps[s.Name]; ok {
				for _, l := range got {
					if SameResult(l, gap) {
						t.Logf("not compared, a documented gap: the Go peer printed %s", gap)
						return
					}
				}
			}
			if *update {
				rewrite(t, s, got, key)
				return
			}
			want, steps := s.Expected(key, qtshm.TempPath())
			for i := 0; i < len(got) || i < len(want); i++ {
				switch {
				case i >= len(got):
					t.Errorf("line %d (%s): no result, want %s", steps[i].Line, strings.Join(steps[i].Op, " "), want[i])
				case i >= len(want):
					t.Errorf("extra result %s", got[i])
				case !SameResult(got[i], want[i]):
					t.Errorf("line %d (%s):\n got %s\nwant %s", steps[i].Line, strings.Join(steps[i].Op, " "), got[i], want[i])
				}
			}
		})
	}
}

// removeLeftovers removes what a script with a native key left (/dev/shm, key files) now and
// when the test ends.
func removeLeftovers(t *testing.T, s Script, key string) {
	t.Helper()
	rm := func() {
		for _, f := range s.Leftovers(key, qtshm.TempPath()) {
			if err := os.Remove(f); err != nil {
				t.Errorf("removing a leftover: %v", err)
			}
		}
	}
	rm()
	t.Cleanup(rm)
}

// rewrite replaces a script's result lines with got (one line per operation, none for stdin).
func rewrite(t *testing.T, s Script, got []string, key string) {
	path := filepath.Join("testdata", s.Name+".script")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := strings.NewReplacer(qtshm.TempPath(), "$TMPDIR", key, "$KEY")
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		tl := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(tl, "{"):
			continue
		case tl == "" || strings.HasPrefix(tl, "#") || strings.HasPrefix(tl, "--"):
			out = append(out, line)
		default:
			out = append(out, line)
			if strings.Fields(tl)[0] != "stdin" && len(got) > 0 {
				out = append(out, r.Replace(got[0]))
				got = got[1:]
			}
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEveryOpImplemented: every operation of the table has a handler (the Go side of "an
// operation listed without a case reports ok"; interop_test checks every Qt peer).
func TestEveryOpImplemented(t *testing.T) {
	ops, err := Ops()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		if _, ok := handlers[o.Name]; !ok && o.Name != "stdin" {
			t.Errorf("operation %q of ops.txt has no handler in the Go peer", o.Name)
		}
	}
	for name := range handlers {
		if _, ok := (func() (Op, bool) { m, _ := loadOps(); o, ok := m[name]; return o, ok })(); !ok {
			t.Errorf("handler %q is not in ops.txt (so no peer can run it)", name)
		}
	}
}

// TestUnimplementedOp: an operation in the table without a handler reports ok:false
// "unimplemented op" — it does not pass as ok.
func TestUnimplementedOp(t *testing.T) {
	var out bytes.Buffer
	p := &peer{ctx: context.Background(), stdout: &out, table: map[string]Op{"frobnicate": {Name: "frobnicate", Args: []Arg{{"N", "count"}}}}}
	p.shm = qtshm.New("unimplemented")
	defer p.shm.Close()
	p.runOps([]string{"frobnicate", "1"})
	want := `{"op":"frobnicate","ok":false,"error":8,"errorString":"unimplemented op"}`
	if got := strings.TrimSpace(out.String()); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if p.status != 1 {
		t.Fatalf("status %d after an unimplemented op, want 1", p.status)
	}
}

// TestBadArguments gives every argument of every operation values that are not numbers, are
// negative, or are huge: each must give a result line with ok:false and a "bad argument"
// text naming the argument — no panic (a negative read length used to panic), no usage error.
func TestBadArguments(t *testing.T) {
	ops, err := Ops()
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]string{"int": "1", "count": "1", "pos": "1", "mode": "rw", "semmode": "open", "data": "hex:00", "text": "x"}
	bad := map[string][]string{
		"int":     {"x", "", "1.5", "+1", " 1", "0x10", "2147483648", "-2147483649", "99999999999999999999999"},
		"count":   {"x", "-1", "2147483648", "-9223372036854775808", "1e3"},
		"pos":     {"0", "-1", "x", "2147483648"},
		"mode":    {"RW", "", "r"},
		"semmode": {"Open", ""},
		"data":    {"hex:0", "hex:zz", "00", "raw:00", ""},
	}
	for _, o := range ops {
		for i, a := range o.Args {
			for _, v := range bad[a.Type] {
				args := []string{"--key", "bad-args", o.Name}
				for j, b := range o.Args {
					if j == i {
						args = append(args, v)
					} else {
						args = append(args, good[b.Type])
					}
				}
				code, lines, _ := runPeer(t, args, "")
				want := fmt.Sprintf(`{"op":%q,"ok":false,"error":8,"errorString":%s}`, o.Name,
					jsonText(fmt.Sprintf("bad argument %s=\"%s\": want ", a.Name, v)))
				want = strings.TrimSuffix(want, `"}`)
				if code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
					t.Errorf("%v: status %d, output %q; want status 1 and a line starting %s", args[2:], code, lines, want)
				}
			}
		}
	}
}

// TestUsage: bad command lines exit 2, with one usage line on stdout and one line on stderr,
// and run nothing.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"keys"},
		{"--key"},
		{"--key", "k"},
		{"--key", "k", "bogus"},
		{"--key", "k", "read", "0"},
		{"--key", "k", "create", "64", "rw", "read"},
		{"--bogus", "x", "--key", "k", "keys"},
		{"--backend", "nope", "--key", "k", "keys"},
		{"--flavor", "qt999", "--key", "k", "keys"},
		{"--nkey"},
		{"--nkey", "posix:/k"},
		{"--key", "k", "--nkey", "posix:/k", "keys"},
		{"--nkey", "posix:/k", "--key", "k", "keys"},
	} {
		code, lines, stderr := runPeer(t, args, "")
		if code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], `{"op":"usage","ok":false,"errorString":`) ||
			strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want 2, one usage line, one stderr line", args, code, lines, stderr)
		}
	}
	// A bad line on stdin stops the peer with a usage error; the lines before it ran.
	code, lines, _ := runPeer(t, []string{"--key", "k", "stdin"}, "size\nbogus 1\nsize\n")
	if code != 2 || len(lines) != 2 || !strings.Contains(lines[1], `"op":"usage"`) {
		t.Errorf("stdin with a bad line: status %d, %q", code, lines)
	}
}

// TestStopsOnClosedOutput: a write to stdout that fails stops the peer (and it cleans up):
// the operations after it do not run.
func TestStopsOnClosedOutput(t *testing.T) {
	w := &failingWriter{after: 1}
	code := RunContext(context.Background(), []string{"--key", "closed-out", "create", "64", "rw", "size", "sleep", "600000", "size"}, strings.NewReader(""), w, &bytes.Buffer{})
	if code != 0 || w.writes != 2 {
		t.Fatalf("status %d after %d writes; want 0 after 2 (the failed one is the last)", code, w.writes)
	}
}

// TestStopsOnContext: a cancelled context ends sleep and wait at once and stops the peer.
func TestStopsOnContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	code := RunContext(ctx, []string{"--key", "ctx", "sleep", "600000", "wait", "keys"}, strings.NewReader(""), &out, &bytes.Buffer{})
	if code != 0 || out.Len() != 0 {
		t.Fatalf("status %d, output %q; want 0 and nothing run", code, out.String())
	}
}

type failingWriter struct{ after, writes int }

func (w *failingWriter) Write(b []byte) (int, error) {
	w.writes++
	if w.writes > w.after {
		return 0, os.ErrClosed
	}
	return len(b), nil
}

// TestDocListsEveryOp: the package doc (the protocol's documentation) lists exactly the
// operations of ops.txt, each with its arguments' names.
func TestDocListsEveryOp(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := Ops()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{}
	re := regexp.MustCompile(`(?m)^//\t([a-z][a-z-]*)((?: [A-Z]+)*)\s{2,}\S`)
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		documented[m[1]] = strings.TrimSpace(m[2])
	}
	for _, o := range ops {
		var names []string
		for _, a := range o.Args {
			names = append(names, a.Name)
		}
		switch got, ok := documented[o.Name]; {
		case !ok:
			t.Errorf("doc.go does not document operation %q", o.Name)
		case got != strings.Join(names, " "):
			t.Errorf("doc.go documents %q with arguments %q, ops.txt has %q", o.Name, got, strings.Join(names, " "))
		}
		delete(documented, o.Name)
	}
	for name := range documented {
		if _, isType := argTypes[name]; !isType && name != "qtshm" {
			t.Errorf("doc.go documents %q, which ops.txt does not have", name)
		}
	}
}

// TestParseOps: the table's format is checked.
func TestParseOps(t *testing.T) {
	for _, bad := range []string{
		"keys\n",
		opsOpen + "\nkeys\n",
		opsOpen + "\nread OFF:count N\n" + opsClose,
		opsOpen + "\nread OFF:float\n" + opsClose,
		opsOpen + "\nkeys\nkeys\n" + opsClose,
	} {
		if _, err := ParseOps(bad); err == nil {
			t.Errorf("ParseOps(%q) accepted it", bad)
		}
	}
}
