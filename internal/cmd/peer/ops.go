package peer

import (
	_ "embed"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/qtshm/qtshm-go/qtshm"
)

// opsFile is the table of operations both peers run from (see the package doc).
//
//go:embed ops.txt
var opsFile string

// The first and last line of ops.txt, which make it a C++ raw string literal.
const (
	opsOpen  = `R"qtshm_ops(`
	opsClose = `)qtshm_ops"`
)

// Arg is one argument of an operation: its name and its type (see the package doc).
type Arg struct{ Name, Type string }

// Op is one operation of the table.
type Op struct {
	Name string
	Args []Arg
}

// String returns the operation as the table spells it: "read OFF:count N:count".
func (o Op) String() string {
	s := o.Name
	for _, a := range o.Args {
		s += " " + a.Name + ":" + a.Type
	}
	return s
}

// argTypes are the argument types and, for the integer ones, their range.
var argTypes = map[string][2]int64{
	"int":     {-1 << 31, 1<<31 - 1},
	"count":   {0, 1<<31 - 1},
	"pos":     {1, 1<<31 - 1},
	"mode":    {},
	"semmode": {},
	"data":    {},
	"text":    {},
}

// ParseOps parses the text of ops.txt: its C++ wrapper lines, then one operation a line
// ("NAME ARG:TYPE …"); blank lines and lines starting with '#' are comments.
func ParseOps(text string) ([]Op, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) < 2 || lines[0] != opsOpen || lines[len(lines)-1] != opsClose {
		return nil, fmt.Errorf("ops table: must start with the line %s and end with the line %s", opsOpen, opsClose)
	}
	var ops []Op
	seen := map[string]bool{}
	for i, line := range lines[1 : len(lines)-1] {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		op := Op{Name: f[0]}
		if seen[op.Name] {
			return nil, fmt.Errorf("ops table line %d: %s listed twice", i+2, op.Name)
		}
		seen[op.Name] = true
		for _, w := range f[1:] {
			name, typ, ok := strings.Cut(w, ":")
			if _, known := argTypes[typ]; !ok || name == "" || !known {
				return nil, fmt.Errorf("ops table line %d: argument %q is not NAME:TYPE with a known type", i+2, w)
			}
			op.Args = append(op.Args, Arg{name, typ})
		}
		ops = append(ops, op)
	}
	return ops, nil
}

var loadOps = sync.OnceValues(func() (map[string]Op, error) {
	ops, err := ParseOps(opsFile)
	if err != nil {
		return nil, err
	}
	m := map[string]Op{}
	for _, o := range ops {
		m[o.Name] = o
	}
	return m, nil
})

// Ops returns the table the Go peer runs from (ops.txt), in the file's order.
func Ops() ([]Op, error) { return ParseOps(opsFile) }

// args are an operation's arguments, checked against their types.
type args struct {
	raw  []string
	ints []int64 // the value of each integer argument (0 for the others)
}

func (a args) int(i int) int    { return int(a.ints[i]) }
func (a args) str(i int) string { return a.raw[i] }
func (a args) mode(i int) qtshm.AccessMode {
	if a.raw[i] == "ro" {
		return qtshm.ReadOnly
	}
	return qtshm.ReadWrite
}
func (a args) semMode(i int) qtshm.SemaphoreMode {
	if a.raw[i] == "create" {
		return qtshm.Create
	}
	return qtshm.Open
}

// bytes decodes a data argument (checked already).
func (a args) bytes(i int) []byte {
	s := a.raw[i]
	if strings.HasPrefix(s, "str:") {
		return []byte(s[4:])
	}
	b, _ := hex.DecodeString(s[4:])
	return b
}

// checkArgs checks each argument against its type; the error is the peer's "bad argument".
func checkArgs(op Op, raw []string) (args, error) {
	a := args{raw: raw, ints: make([]int64, len(raw))}
	for i, spec := range op.Args {
		s := raw[i]
		bad := func(want string) error {
			return peerErr(qtshm.UnknownError, fmt.Sprintf("bad argument %s=\"%s\": want %s", spec.Name, s, want))
		}
		switch spec.Type {
		case "mode":
			if s != "ro" && s != "rw" {
				return a, bad("ro or rw")
			}
		case "semmode":
			if s != "open" && s != "create" {
				return a, bad("open or create")
			}
		case "data":
			if !validData(s) {
				return a, bad("hex:HEX (an even number of hex digits) or str:TEXT")
			}
		case "text":
		default:
			r := argTypes[spec.Type]
			n, ok := parseInt(s)
			if !ok || n < r[0] || n > r[1] {
				return a, bad(fmt.Sprintf("an integer in %d..%d", r[0], r[1]))
			}
			a.ints[i] = n
		}
	}
	return a, nil
}

// parseInt parses an optional '-' and decimal digits, nothing else (no '+', spaces or
// underscores), that fit an int64.
func parseInt(s string) (int64, bool) {
	d := strings.TrimPrefix(s, "-")
	if d == "" || strings.Trim(d, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func validData(s string) bool {
	if strings.HasPrefix(s, "str:") {
		return true
	}
	if !strings.HasPrefix(s, "hex:") {
		return false
	}
	_, err := hex.DecodeString(s[4:])
	return err == nil
}
