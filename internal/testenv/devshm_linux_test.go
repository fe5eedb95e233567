package testenv

import (
	"os"
	"strings"
	"testing"
)

// As root the package runs with a /dev/shm of its own, so that POSIX objects the tests leak are
// seen (and none of the host's are touched).
func TestPrivateDevShm(t *testing.T) {
	Require(t, os.Getuid() == 0, "root (for a private mount namespace)")
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(info), "\n") {
		f := strings.Fields(line)
		if len(f) > 9 && f[4] == "/dev/shm" && strings.Contains(line, " - tmpfs qtshm-test-shm ") {
			return
		}
	}
	t.Fatalf("/dev/shm is not the private tmpfs; mountinfo:\n%s", info)
}
