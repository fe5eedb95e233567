package qtshm_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesPointOneWay: programs (cmd/, internal/cmd/) may import qtshm; nothing else
// under internal/ may, so that the library's internals never depend on its public face.
func TestDependenciesPointOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "qt6", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/qtshm/qtshm-go/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := f[0]
		if !strings.HasPrefix(pkg, mod+"internal/") || strings.HasPrefix(pkg, mod+"internal/cmd/") {
			continue
		}
		for _, imp := range f[1:] {
			if imp == mod+"qtshm" || strings.HasPrefix(imp, mod+"internal/cmd/") || strings.HasPrefix(imp, mod+"cmd/") {
				t.Errorf("%s imports %s: dependencies must point from programs to qtshm to internal/", pkg, imp)
			}
		}
	}
}
