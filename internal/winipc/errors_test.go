package winipc

import (
	"errors"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// The GetLastError table of qsharedmemory_win.cpp and qsystemsemaphore_win.cpp (5.15.8, 6.4.2,
// 6.8.2): codes, and texts per flavour.
func TestErrorTable(t *testing.T) {
	const f = "QSharedMemory::create"
	cause := errors.New("cause")
	for _, v := range []struct {
		code     uint32
		shm, sem qtipc.ErrorCode
		text     string // shared memory, after "<function>: "
	}{
		{183, qtipc.AlreadyExists, qtipc.UnknownError, "already exists"},
		{2, qtipc.NotFound, qtipc.UnknownError, "doesn't exist"},
		{1455, qtipc.InvalidSize, qtipc.UnknownError, "invalid size"},
		{1450, qtipc.OutOfResources, qtipc.OutOfResources, "out of resources"},
		{8, qtipc.OutOfResources, qtipc.OutOfResources, "out of resources"},
		{5, qtipc.PermissionDenied, qtipc.PermissionDenied, "permission denied"},
		{87, qtipc.UnknownError, qtipc.UnknownError, ""},
		{298, qtipc.UnknownError, qtipc.UnknownError, ""},
	} {
		for _, fl := range []qtipc.Flavor{qtipc.FlavorQt515, qtipc.FlavorQt661} {
			want := v.text
			if want == "" {
				want = unknownText(fl, v.code)
			}
			e := shmError(fl, "create", f, v.code, cause)
			if e.Code != v.shm || e.Msg != f+": "+want || !errors.Is(e, cause) || e.Op != "create" {
				t.Errorf("%v shm %d: %v %q, want %v %q", fl, v.code, e.Code, e.Msg, v.shm, f+": "+want)
			}
			s := semError(fl, "open", "QSystemSemaphore::handle", v.code, cause)
			if s.Code != v.sem {
				t.Errorf("%v sem %d: %v, want %v", fl, v.code, s.Code, v.sem)
			}
			if v.sem == qtipc.UnknownError && s.Msg != "QSystemSemaphore::handle: "+unknownText(fl, v.code) {
				t.Errorf("%v sem %d: %q", fl, v.code, s.Msg)
			}
		}
	}
	// ≤ 6.5: the number; 6.6+: the system's text (qt_error_string).
	if got := unknownText(qtipc.FlavorQt515, 87); got != "unknown error 87" {
		t.Errorf("Qt 5.15 text = %q", got)
	}
	got := unknownText(qtipc.FlavorQt661, 87)
	want := "unknown error: " + systemText(87)
	if got != want || strings.HasSuffix(got, "\n") || len(got) <= len("unknown error: ") {
		t.Errorf("Qt 6.6+ text = %q, want %q", got, want)
	}
	if strings.Contains(systemText(87), "\r\n") {
		t.Errorf("systemText keeps a CR: %q", systemText(87))
	}
	if got := fallbackText(0x1234); got != "Unknown error 0x00001234." {
		t.Errorf("fallbackText = %q", got)
	}
	// initKey: ≤ 6.5 without, 6.6+ with the semaphore's text.
	se := semError(qtipc.FlavorQt661, "create", "QSystemSemaphore::handle", 5, cause)
	if e := initKeyError(qtipc.FlavorQt661, se); e.Code != qtipc.PermissionDenied ||
		e.Msg != "QSharedMemoryPrivate::initKey: unable to set key on lock (QSystemSemaphore::handle: permission denied)" {
		t.Errorf("6.6+ initKey error: %v %q", e.Code, e.Msg)
	}
	if e := initKeyError(qtipc.FlavorQt515, se); e.Msg != "QSharedMemoryPrivate::initKey: unable to set key on lock" {
		t.Errorf("5.15 initKey error: %q", e.Msg)
	}
}
