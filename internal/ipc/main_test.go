//go:build linux && !android

package ipc

import (
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

// TestMain runs the tests in a private IPC namespace (as root) and fails the run if a test
// leaves a segment or semaphore set behind.
func TestMain(m *testing.M) { testenv.Main(m) }
