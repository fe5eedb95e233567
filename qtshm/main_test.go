package qtshm_test

import (
	"errors"
	"os"
	"testing"

	"github.com/qtshm/qtshm-go/internal/cmd/peer"
	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

func init() {
	// The test binary doubles as a Go peer process (internal/cmd/peer protocol).
	testenv.RegisterHelper("peer", func(args []string) int { return peer.Run(args, os.Stdin, os.Stdout) })
}

func TestMain(m *testing.M) { testenv.Main(m) }

// forEachBackend runs f once per backend built into the test binary: always the pure "sysv"
// backend, and "native" when built with -tags qt5 or qt6.
func forEachBackend(t *testing.T, f func(t *testing.T, be string)) {
	for _, be := range qtshm.Backends() {
		t.Run(be, func(t *testing.T) { f(t, be) })
	}
}

// uniqueKey returns a key no other test uses.
func uniqueKey(t *testing.T) string {
	return "qtshm test " + t.Name()
}

// wantCode fails the test unless err is an *qtshm.Error with code that matches sentinel.
func wantCode(t *testing.T, what string, err error, code qtshm.ErrorCode, sentinel error) {
	t.Helper()
	var e *qtshm.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: got %v (%T), want *qtshm.Error with code %v", what, err, err, code)
	}
	if e.Code != code || !errors.Is(err, sentinel) {
		t.Fatalf("%s: got code %v (%v), want %v", what, e.Code, err, code)
	}
	if e.Msg == "" {
		t.Fatalf("%s: empty message", what)
	}
	t.Logf("%s: %v", what, err)
}
