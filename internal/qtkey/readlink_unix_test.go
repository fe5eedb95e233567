//go:build unix

package qtkey

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadlinkTargetLengths: link targets shorter than, as long as and longer than the first
// (stack) buffer, and longer than the first grown one, read back whole.
func TestReadlinkTargetLengths(t *testing.T) {
	d := t.TempDir()
	for _, n := range []int{1, 254, 255, 256, 257, 511, 1024, 3000} {
		target := strings.Repeat("x", n)
		link := filepath.Join(d, "link")
		os.Remove(link)
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		got, err := readlink(link)
		if err != nil || got != target {
			t.Errorf("readlink of a %d-byte target: %d bytes, %v", n, len(got), err)
		}
	}
	if _, err := readlink(d); errnoOf(err) != syscall.EINVAL { // not a symbolic link
		t.Errorf("readlink of a directory: %v, want EINVAL", err)
	}
}
