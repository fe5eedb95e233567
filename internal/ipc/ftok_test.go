//go:build linux && !android

package ipc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFtokMatchesStat checks Ftok against the device and inode numbers stat(1) reports.
func TestFtokMatchesStat(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 5; i++ {
		p := filepath.Join(dir, "k"+strconv.Itoa(i))
		if err := os.WriteFile(p, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("stat", "-c", "%d %i", p).Output()
		if err != nil {
			t.Fatalf("stat(1): %v", err)
		}
		f := strings.Fields(string(out))
		dev, _ := strconv.ParseUint(f[0], 10, 64)
		ino, _ := strconv.ParseUint(f[1], 10, 64)
		want := int(int32(uint32('Q')<<24 | uint32(dev&0xff)<<16 | uint32(ino&0xffff)))
		got, err := Ftok(p, ProjQ)
		if err != nil || got != want {
			t.Fatalf("Ftok(%s) = %#x, %v; want %#x (dev %d ino %d)", p, got, err, want, dev, ino)
		}
	}
	if _, err := Ftok(filepath.Join(dir, "missing"), ProjQ); err == nil {
		t.Fatal("Ftok of a missing file succeeded")
	}
}
