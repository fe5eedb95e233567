//go:build linux && !android

package ipc

import (
	"os"
	"strconv"
	"strings"
	"syscall"
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

// Ids the objects of the Semstat and ShmStat tests are created with when the tests run as
// root: distinct and non-zero, so that a misread field shows.
const (
	testUid = 65534
	testGid = 65533
)

// asOwner runs create with the effective uid and gid the object should belong to and returns
// them: testUid/testGid as root (restored afterwards), the process's own ids otherwise.
func asOwner(t *testing.T, create func()) (uid, gid uint32) {
	t.Helper()
	if os.Geteuid() != 0 {
		create()
		return uint32(os.Geteuid()), uint32(os.Getegid())
	}
	if err := syscall.Setegid(testGid); err != nil {
		t.Fatalf("setegid: %v", err)
	}
	if err := syscall.Seteuid(testUid); err != nil {
		syscall.Setegid(0)
		t.Fatalf("seteuid: %v", err)
	}
	defer func() {
		if err := syscall.Seteuid(0); err != nil {
			t.Fatalf("seteuid back to root: %v", err)
		}
		if err := syscall.Setegid(0); err != nil {
			t.Fatalf("setegid back to root: %v", err)
		}
	}()
	create()
	return testUid, testGid
}
