//go:build unix

package main

import (
	"bytes"
	"strings"
	"syscall"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

// epipe fails every write like a pipe nobody reads.
type epipe struct{}

func (epipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// TestClosedStdoutIsAStop: a writer whose stdout is closed stops cleanly: status 0.
func TestClosedStdoutIsAStop(t *testing.T) {
	var stderr bytes.Buffer
	code := run(testenv.Context(t, 60e9), []string{"writer", "-key", "closed stdout", "-interval", "1ms"}, strings.NewReader(""), epipe{}, &stderr)
	if code != 0 {
		t.Fatalf("status %d (%s), want 0", code, stderr.String())
	}
}
