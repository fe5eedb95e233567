//go:build linux && !android

package ipc

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// procRow reads the row of object id from /proc/sysvipc/{sem,shm}: the kernel's own account,
// independent of the structure layouts this package decodes. Columns are named by the header.
func procRow(t *testing.T, kind string, id int) map[string]int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/sysvipc/" + kind)
	if err != nil {
		t.Fatalf("/proc/sysvipc/%s: %v", kind, err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	head := strings.Fields(lines[0])
	idCol := kind + "id"
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) != len(head) {
			continue
		}
		row := map[string]int64{}
		for i, name := range head {
			base := 10
			if name == "perms" {
				base = 8
			}
			v, err := strconv.ParseInt(f[i], base, 64)
			if err != nil {
				t.Fatalf("/proc/sysvipc/%s: column %s: %q: %v", kind, name, f[i], err)
			}
			row[name] = v
		}
		if row[idCol] == int64(id) {
			return row
		}
	}
	t.Fatalf("/proc/sysvipc/%s has no row for id %d", kind, id)
	return nil
}
