package main

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qtshm/qtshm-go/qtshm"
)

// TestTableFitsWidth: the ls table's lines fit the width asked for, columns stay aligned, and
// the stale flag survives narrowing.
func TestTableFitsWidth(t *testing.T) {
	objs := []qtshm.Object{
		{Kind: qtshm.KindSysVSegment, Role: "sharedmemory", Letters: "MyKey", SHA1: strings.Repeat("ab", 20), ID: 7, SysVKey: 0x5100c1cb,
			Size: 1024, User: "root", Mode: 0o600, Attach: 0, Value: -1, Waiters: -1, CreatorPID: 42, LastPID: 42, Ctime: 1700000000,
			Stale: true, StaleReason: "no process is attached: its creator died while attached"},
		{Kind: qtshm.KindKeyFile, Path: "/tmp/qipc_systemsem_x", ID: -1, User: "root", Attach: -1, Value: -1, Waiters: -1},
	}
	for _, w := range []int{0, 200, 100, 60} {
		var b bytes.Buffer
		if err := printTable(&b, objs, w); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("width %d: %d lines:\n%s", w, len(lines), b.String())
		}
		for _, l := range lines {
			if w > 0 && utf8.RuneCountInString(l) > w {
				t.Errorf("width %d: line of %d: %q", w, utf8.RuneCountInString(l), l)
			}
		}
		if !strings.Contains(lines[1], "STALE") || !strings.HasPrefix(lines[0], "KIND") {
			t.Errorf("width %d:\n%s", w, b.String())
		}
		t.Logf("width %d:\n%s", w, b.String())
	}
}
