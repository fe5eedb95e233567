package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qtshm/qtshm-go/qtshm"
)

// column is one column of `qtshm ls` and `qtshm key`: its header, its cell for an object, and
// its priority (columns of higher drop first when the terminal is too narrow).
type column struct {
	head string
	drop int
	cell func(o qtshm.Object) string
}

var columns = []column{
	{"KIND", 0, func(o qtshm.Object) string { return string(o.Kind) }},
	{"NAME", 0, objectName},
	{"ID", 3, func(o qtshm.Object) string { return num(o.ID) }},
	{"SYSVKEY", 5, func(o qtshm.Object) string {
		if o.SysVKey == 0 {
			return "-"
		}
		return fmt.Sprintf("0x%08x", uint32(o.SysVKey))
	}},
	{"SIZE", 2, func(o qtshm.Object) string { return strconv.FormatInt(o.Size, 10) }},
	{"OWNER", 2, func(o qtshm.Object) string { return o.User }},
	{"MODE", 4, func(o qtshm.Object) string { return fmt.Sprintf("%04o", o.Mode) }},
	{"ATT", 1, func(o qtshm.Object) string { return num(o.Attach) }},
	{"VAL/WAIT", 3, func(o qtshm.Object) string {
		if o.Value < 0 && o.Waiters < 0 {
			return "-"
		}
		return num(o.Value) + "/" + num(o.Waiters)
	}},
	{"CPID", 6, func(o qtshm.Object) string { return pid(o.CreatorPID) }},
	{"LPID", 6, func(o qtshm.Object) string { return pid(o.LastPID) }},
	{"CHANGED", 7, changed},
	{"STALE", 0, func(o qtshm.Object) string {
		switch {
		case o.Stale:
			return "STALE: " + o.StaleReason
		case o.StaleReason != "":
			return "- (" + o.StaleReason + ")"
		}
		return "-"
	}},
}

// objectName is a Qt name's letters and the start of its SHA-1, else the file's name.
func objectName(o qtshm.Object) string {
	if o.Role != "" && o.SHA1 != "" {
		r := "shm"
		if o.Role == "systemsem" {
			r = "sem"
		}
		return r + ":" + o.Letters + "…" + o.SHA1[:8]
	}
	if o.Path != "" {
		return o.Path
	}
	if o.KeyFile != "" {
		return o.KeyFile
	}
	return "(no key file)"
}

func num(n int) string {
	if n < 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func pid(n int) string {
	if n <= 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

// changed is the object's latest time.
func changed(o qtshm.Object) string {
	t := max(o.Atime, o.Dtime, o.Otime, o.Ctime, o.Mtime)
	if t == 0 {
		return "-"
	}
	return time.Unix(t, 0).Format("2006-01-02 15:04:05")
}

// printTable prints objs in aligned columns that fit in width (0: no limit): the columns that
// matter least are dropped first, then the last column is cut.
func printTable(w io.Writer, objs []qtshm.Object, width int) error {
	cols := columns
	cells := func(cs []column) ([][]string, []int) {
		rows := [][]string{}
		widths := make([]int, len(cs))
		head := make([]string, len(cs))
		for i, c := range cs {
			head[i] = c.head
		}
		rows = append(rows, head)
		for _, o := range objs {
			r := make([]string, len(cs))
			for i, c := range cs {
				r[i] = c.cell(o)
			}
			rows = append(rows, r)
		}
		for _, r := range rows {
			for i, s := range r {
				widths[i] = max(widths[i], utf8.RuneCountInString(s))
			}
		}
		return rows, widths
	}
	rows, widths := cells(cols)
	total := func(ws []int) int {
		t := 0
		for _, x := range ws[:len(ws)-1] {
			t += x + 2
		}
		return t
	}
	for level := 7; width > 0 && level > 0 && total(widths)+min(widths[len(widths)-1], 40) > width; level-- {
		var keep []column
		for _, c := range cols {
			if c.drop < level {
				keep = append(keep, c)
			}
		}
		cols = keep
		rows, widths = cells(cols)
	}
	var b strings.Builder
	for _, r := range rows {
		line := ""
		for i, s := range r {
			if i == len(r)-1 {
				line += s
				break
			}
			line += s + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s)+2)
		}
		if width > 0 && utf8.RuneCountInString(line) > width {
			rs := []rune(line)
			line = string(rs[:max(width-1, 0)]) + "…"
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// termWidth is the width to fit the table in: $COLUMNS if set, else the terminal's when stdout
// is one, else 0 (no limit: a pipe or file gets whole lines).
func termWidth(stdout io.Writer) int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if f, ok := stdout.(*os.File); ok {
		return ttyWidth(f)
	}
	return 0
}
