//go:build linux && !android

package ipc

import (
	"runtime"
	"testing"
	"unsafe"
)

// TestLayoutSizes pins the sizes of the kernel structures this package declares itself, from
// the kernel's uapi headers: struct ipc64_perm and struct semid64_ds.
func TestLayoutSizes(t *testing.T) {
	perm, semid := map[string]uintptr{
		"386": 36, "arm": 36, "mips": 36, "mipsle": 36,
	}, map[string]uintptr{
		"amd64": 104, "386": 64, "arm": 64, "mips": 56, "mipsle": 56,
	}
	wantPerm, ok := perm[runtime.GOARCH]
	if !ok {
		wantPerm = 48
	}
	wantSemid, ok := semid[runtime.GOARCH]
	if !ok {
		wantSemid = 88
	}
	if got := unsafe.Sizeof(ipc64perm{}); got != wantPerm {
		t.Errorf("sizeof(struct ipc64_perm) = %d, want %d", got, wantPerm)
	}
	if got := unsafe.Sizeof(semid64ds{}); got != wantSemid {
		t.Errorf("sizeof(struct semid64_ds) = %d, want %d", got, wantSemid)
	}
	if got := unsafe.Offsetof(ipc64perm{}.mode); got != 20 {
		t.Errorf("offsetof(ipc64_perm.mode) = %d, want 20", got)
	}
}
