package inventory

import "testing"

func TestSplitQtNameAndPartner(t *testing.T) {
	const sha = "ee9effb35995f5f91b675df4a2799b53e86851fa"
	for _, c := range []struct {
		name, role, letters, partner string
		ok                           bool
	}{
		{"/tmp/qipc_sharedmemory_MySharedMemoryKey" + sha, RoleSharedMemory, "MySharedMemoryKey", "/tmp/qipc_systemsem_MySharedMemoryKey" + sha, true},
		{"qipc_systemsem_" + sha, RoleSystemSem, "", "qipc_sharedmemory_" + sha, true},
		{"/qipc_sharedmemory_ab" + sha, RoleSharedMemory, "ab", "/qipc_systemsem_ab" + sha, true},
		{"qipc_sharedmemory_xy" + sha[:39], "", "", "", false},      // hash too short ('y' is no hex digit)
		{"qipc_sharedmemory_a1" + sha, "", "", "", false},           // a digit is not a letter
		{"qipc_sharedmemory_ab" + "X" + sha[1:], "", "", "", false}, // not hex
		{"qipc_other_ab" + sha, "", "", "", false},
		{"", "", "", "", false},
	} {
		role, letters, h, ok := SplitQtName(basename(c.name))
		if ok != c.ok || role != c.role || letters != c.letters || (ok && h != sha) {
			t.Errorf("SplitQtName(%q) = %q %q %q %v; want %q %q %v", c.name, role, letters, h, ok, c.role, c.letters, c.ok)
		}
		if got := Partner(c.name); got != c.partner {
			t.Errorf("Partner(%q) = %q, want %q", c.name, got, c.partner)
		}
	}
}

func basename(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

func TestUserName(t *testing.T) {
	if got := UserName(0); got != "root" {
		t.Errorf("UserName(0) = %q, want root", got)
	}
	if got := UserName(4294967200); got != "4294967200" {
		t.Errorf("UserName of a uid without a name = %q, want the number", got)
	}
}
