//go:build linux && !android

package psem

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

// TestMain runs the tests through the harness (helper processes, a private IPC namespace as
// root, TMPDIR leak check). /dev/shm is not namespaced: every test names its semaphores with
// testName and unlinks them.
func TestMain(m *testing.M) { testenv.Main(m) }

// testName returns a semaphore name unique to this process, test and tag.
func testName(t testing.TB, tag string) string {
	r := strings.NewReplacer("/", "_", " ", "_", "#", "_")
	return fmt.Sprintf("/psem-test-%d-%s-%s", os.Getpid(), r.Replace(t.Name()), tag)
}

// cleanupName unlinks name at the end of the test, whoever created it.
func cleanupName(t testing.TB, name string) {
	t.Cleanup(func() {
		if err := Unlink(name); err != nil && !os.IsNotExist(err) {
			t.Errorf("cleanup: %v", err)
		}
	})
}

// mustCreate creates a new semaphore (O_CREAT|O_EXCL) and arranges its unlinking and closing.
func mustCreate(t testing.TB, tag string, perm, value uint32) (*Sem, string) {
	t.Helper()
	name := testName(t, tag)
	cleanupName(t, name)
	s, created, err := Open(name, oCreate|oExcl, perm, value)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatalf("Open(%q, O_CREAT|O_EXCL) succeeded with created=false", name)
	}
	t.Cleanup(func() { s.Close() })
	return s, name
}
