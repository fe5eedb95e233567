package main

import (
	"bytes"
	"context"
	"flag"
	"slices"
	"strings"
	"testing"
)

// TestHexdump: the layout of hexdump -C (two groups of 8, ASCII column, folded repeats, end
// offset).
func TestHexdump(t *testing.T) {
	b := append([]byte("hello"), make([]byte, 43)...)
	got := hexdump(b, 16)
	want := "00000010  68 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00  |hello...........|\n" +
		"00000020  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n" +
		"*\n" +
		"00000040\n"
	if got != want {
		t.Errorf("hexdump:\n%s\nwant:\n%s", got, want)
	}
	if got := hexdump([]byte("ab"), 0); got != "00000000  61 62                                             |ab|\n00000002\n" {
		t.Errorf("short line: %q", got)
	}
	if hexdump(nil, 0) != "" {
		t.Error("hexdump of nothing is not empty")
	}
}

// TestInterleave: flags may follow KEY; "--" ends them.
func TestInterleave(t *testing.T) {
	c := newCommon("cat")
	c.fs.Bool("hex", false, "")
	c.fs.Int("offset", 0, "")
	got := interleave(c.fs, []string{"my key", "--hex", "--offset", "3", "--", "-odd"})
	want := []string{"--hex", "--offset", "3", "--", "my key", "-odd"}
	if !slices.Equal(got, want) {
		t.Errorf("interleave: %q, want %q", got, want)
	}
	var _ = flag.ErrHelp
}

// TestOperatorUsage: the operator commands' bad usage exits 2 with one line; -h exits 0.
func TestOperatorUsage(t *testing.T) {
	for _, args := range [][]string{
		{"ls", "x"}, {"ls", "--flavor", "qt4"}, {"cat"}, {"cat", "a", "b"}, {"cat", "--length", "-2", "k"},
		{"write", "--create", "0", "--hold", "1s", "k"}, {"write", "--hold", "-1s", "k"}, {"rm", "--stale", "--force"},
		{"lock", "--hold", "0", "k"}, {"key", "--native", "bad"}, {"rm", "a", "b"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != 2 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("qtshm %q: status %d, stderr %q; want 2 and one line", args, code, stderr.String())
		}
	}
	for name := range operatorCommands {
		var stdout bytes.Buffer
		if code := run(context.Background(), []string{name, "-h"}, nil, &stdout, &bytes.Buffer{}); code != 0 || !strings.Contains(stdout.String(), "usage: qtshm "+name) {
			t.Errorf("qtshm %s -h: status %d, %q", name, code, stdout.String())
		}
	}
}
