package peer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

// A Script is a transcript of the protocol (testdata/*.script): operation lines, each followed
// by the result line(s) it must print. Lines starting with '{' are expected results, lines
// starting with '#' and blank lines are comments. A line starting with "--", before the first
// operation, gives the peer's key flag instead of the default "--key $KEY" (e.g.
// "--nkey posix:/$KEY"). In operations, results and that line, $KEY stands for the peer's key
// and $TMPDIR for Qt's temp path. The tests run every script against every peer (the Go peer
// in-process, and every Go and Qt peer binary in interop_test) and compare line by line.
//
// A script with a flags line (a native key) runs with a key unique to the test process (see
// [Script.Key]), because the objects of a POSIX key live in /dev/shm, which IPC namespaces do not
// separate, and Qt never removes them; it names every object after $KEY, so that [Script.Leftovers]
// finds what it leaves behind.
type Script struct {
	Name  string   // the file name without .script
	Flags []string // the flags line, split into words; nil for the default --key $KEY
	Steps []Step
}

// Step is one operation line of a script and the result lines it expects.
type Step struct {
	Line int      // line number in the file
	Op   []string // the operation and its arguments
	Want []string // the expected result lines (JSON)
}

// LoadScripts reads every *.script file in dir, sorted by name.
func LoadScripts(dir string) ([]Script, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.script"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Script
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		s, err := ParseScript(strings.TrimSuffix(filepath.Base(f), ".script"), string(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// ParseScript parses the text of a script.
func ParseScript(name, text string) (Script, error) {
	s := Script{Name: name}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "--"):
			if len(s.Steps) > 0 || s.Flags != nil {
				return s, fmt.Errorf("line %d: a flags line must be the only one and come before the first operation", i+1)
			}
			s.Flags = strings.Fields(line)
		case strings.HasPrefix(line, "{"):
			if len(s.Steps) == 0 {
				return s, fmt.Errorf("line %d: a result before any operation", i+1)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				return s, fmt.Errorf("line %d: %v", i+1, err)
			}
			last := &s.Steps[len(s.Steps)-1]
			last.Want = append(last.Want, line)
		default:
			s.Steps = append(s.Steps, Step{Line: i + 1, Op: strings.Fields(line)})
		}
	}
	return s, nil
}

// Key returns the key the script runs with: "peer-NAME", and for a script with a flags line
// "peer-NAME-PID", unique to this process.
func (s Script) Key() string {
	if s.Flags != nil {
		return fmt.Sprintf("peer-%s-%d", s.Name, os.Getpid())
	}
	return "peer-" + s.Name
}

// Args returns the peer's command line for the script: its key flag (--key key unless the
// script has a flags line), then its operations.
func (s Script) Args(key, tmpdir string) []string {
	r := strings.NewReplacer("$KEY", key, "$TMPDIR", tmpdir)
	out := []string{"--key", key}
	if s.Flags != nil {
		out = out[:0]
		for _, w := range s.Flags {
			out = append(out, r.Replace(w))
		}
	}
	for _, st := range s.Steps {
		for _, w := range st.Op {
			out = append(out, r.Replace(w))
		}
	}
	return out
}

// Leftovers returns the files that a script with a flags line may have left for key: the
// entries of /dev/shm and of tmpdir whose names contain key (POSIX segments and semaphores,
// which Qt never removes, and System V key files). A script without one returns nil: its
// System V objects are the IPC namespace's (internal/testenv), its key files Qt's.
func (s Script) Leftovers(key, tmpdir string) []string {
	if s.Flags == nil {
		return nil
	}
	var out []string
	for _, dir := range []string{"/dev/shm", tmpdir} {
		m, _ := filepath.Glob(filepath.Join(dir, "*"+key+"*"))
		out = append(out, m...)
	}
	return out
}

// Uses reports whether the script runs the operation op.
func (s Script) Uses(op string) bool {
	for _, st := range s.Steps {
		if st.Op[0] == op {
			return true
		}
	}
	return false
}

// Expected returns the result lines, with $KEY and $TMPDIR replaced, and for each the step it
// belongs to.
func (s Script) Expected(key, tmpdir string) (lines []string, steps []Step) {
	r := strings.NewReplacer("$KEY", key, "$TMPDIR", tmpdir)
	for _, st := range s.Steps {
		for _, w := range st.Want {
			lines = append(lines, r.Replace(w))
			steps = append(steps, st)
		}
	}
	return lines, steps
}

// Volatile are the result fields that legitimately differ from run to run or peer to peer and
// that SameResult ignores: a timing, and the Qt version only the Qt peer reports.
var Volatile = []string{"nsPerOp", "qtVersion"}

// SameResult reports whether two result lines are equal as JSON objects, ignoring the Volatile
// fields.
func SameResult(got, want string) bool {
	var g, w map[string]any
	if json.Unmarshal([]byte(got), &g) != nil || json.Unmarshal([]byte(want), &w) != nil {
		return false
	}
	for _, f := range Volatile {
		delete(g, f)
		delete(w, f)
	}
	return reflect.DeepEqual(g, w)
}
