package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestUsage: bad command lines exit 2 with one line on stderr, without running anything.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		nil, {"bogus"}, {"key"}, {"key", ""}, {"key", "a", "b"}, {"backends", "x"},
		{"writer", "stray", "-ticks", "1"}, {"writer", "-ticks", "1", "stray"}, {"writer", "-key", ""},
		{"writer", "-key"}, {"writer", "-bogus"}, {"writer", "-interval", "0"}, {"writer", "-interval", "-1s"},
		{"writer", "-interval", "x"}, {"writer", "-ticks", "-1"}, {"writer", "-ticks", "x"}, {"writer", "-backend", "nope"},
		{"reader", "stray"}, {"reader", "-key", ""},
		{"peer"}, {"peer", "keys"}, {"peer", "--key", "k"}, {"peer", "--key", "k", "bogus"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		if code != 2 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("qtshm %q: status %d, stderr %q; want 2 and one line", args, code, stderr.String())
		}
	}
	var stdout bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, nil, &stdout, &bytes.Buffer{}); code != 0 || !strings.Contains(stdout.String(), "usage") {
		t.Errorf("qtshm -h: status %d, %q", code, stdout.String())
	}
}
