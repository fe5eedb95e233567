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
// starting with '#' and blank lines are comments. In both, $KEY stands for the peer's key; in
// results, $TMPDIR for Qt's temp path. The tests run every script against every peer (the Go
// peer in-process, and every Go and Qt peer binary in interop_test) and compare line by line.
type Script struct {
	Name  string // the file name without .script
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

// Args returns the script's operations as one peer command line (after --key).
func (s Script) Args(key string) []string {
	var out []string
	for _, st := range s.Steps {
		for _, w := range st.Op {
			out = append(out, strings.ReplaceAll(w, "$KEY", key))
		}
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
