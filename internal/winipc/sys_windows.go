//go:build windows

package winipc

import (
	"context"
	"errors"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Functions golang.org/x/sys/windows does not wrap.
var (
	kernel32             = windows.NewLazySystemDLL("kernel32.dll")
	procOpenFileMappingW = kernel32.NewProc("OpenFileMappingW")
	procCreateSemaphoreW = kernel32.NewProc("CreateSemaphoreW")
	procReleaseSemaphore = kernel32.NewProc("ReleaseSemaphore")
)

const (
	fileMapAllAccess = 0xF001F    // FILE_MAP_ALL_ACCESS
	maxLong          = 0x7FFFFFFF // MAXLONG
)

// errnoOf returns the Windows error code err carries, 0 if none.
func errnoOf(err error) windows.Errno {
	var e windows.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

func openFileMapping(access uint32, name *uint16) (windows.Handle, error) {
	r, _, e := procOpenFileMappingW.Call(uintptr(access), 0, uintptr(unsafe.Pointer(name)))
	if r == 0 {
		return 0, callErr(e)
	}
	return windows.Handle(r), nil
}

// createSemaphore is CreateSemaphoreW(NULL, initial, max, name). existed reports
// ERROR_ALREADY_EXISTS: the named semaphore existed and was opened as it is.
func createSemaphore(initial, max int32, name *uint16) (h windows.Handle, existed bool, err error) {
	r, _, e := procCreateSemaphoreW.Call(0, uintptr(initial), uintptr(max), uintptr(unsafe.Pointer(name)))
	if r == 0 {
		return 0, false, callErr(e)
	}
	return windows.Handle(r), e == windows.ERROR_ALREADY_EXISTS, nil
}

func releaseSemaphore(h windows.Handle, n int32) error {
	r, _, e := procReleaseSemaphore.Call(uintptr(h), uintptr(n), 0)
	if r == 0 {
		return callErr(e)
	}
	return nil
}

// callErr is the error of a failed LazyProc call: its Errno, or ERROR_GEN_FAILURE if the call
// reported none (so that a failure never reads as success).
func callErr(e error) error {
	if en := errnoOf(e); en != 0 {
		return en
	}
	if e == nil {
		return windows.ERROR_GEN_FAILURE
	}
	return e
}

// utf16Name is name as a NUL-terminated UTF-16 string; ok is false when name holds a NUL.
func utf16Name(name string) (*uint16, bool) {
	p, err := windows.UTF16PtrFromString(name)
	return p, err == nil
}

// waitSem takes one unit of the semaphore h, waiting until ctx is done. It returns ctx's error
// when ctx ended first, or the Errno of a failed wait.
func waitSem(ctx context.Context, h windows.Handle) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Take a free unit without making an event.
	if ev, err := windows.WaitForSingleObject(h, 0); err == nil && ev == windows.WAIT_OBJECT_0 {
		return nil
	} else if err != nil {
		return err
	}
	if ctx.Done() == nil {
		ev, err := windows.WaitForSingleObject(h, windows.INFINITE)
		if err != nil {
			return err
		}
		if ev != windows.WAIT_OBJECT_0 {
			return windows.Errno(ev)
		}
		return nil
	}
	cancel, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(cancel)
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		windows.SetEvent(cancel)
		close(fired)
	})
	ev, err := windows.WaitForMultipleObjects([]windows.Handle{h, cancel}, false, windows.INFINITE)
	if !stop() {
		// The AfterFunc has started: let it finish with the event before the event is closed.
		<-fired
	}
	switch {
	case err != nil:
		return err
	case ev == windows.WAIT_OBJECT_0:
		return nil // got the unit (even if ctx ended at the same time)
	case ev == windows.WAIT_OBJECT_0+1:
		return ctx.Err()
	}
	return windows.Errno(ev)
}

// mapView maps the whole mapping h and returns it as a slice of its region size (VirtualQuery's
// RegionSize: whole pages, as Qt's size() reports).
// sizeFailed reports that the view was mapped but VirtualQuery failed (the view is unmapped
// again then).
func mapView(h windows.Handle, access uint32) (addr uintptr, mem []byte, sizeFailed bool, err error) {
	addr, err = windows.MapViewOfFile(h, access, 0, 0, 0)
	if err != nil {
		return 0, nil, false, err
	}
	var info windows.MemoryBasicInformation
	if err := windows.VirtualQuery(addr, &info, unsafe.Sizeof(info)); err != nil || info.RegionSize == 0 {
		windows.UnmapViewOfFile(addr)
		return 0, nil, true, err
	}
	// addr is a live mapping of info.RegionSize bytes until UnmapViewOfFile.
	p := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
	return addr, unsafe.Slice((*byte)(p), int(info.RegionSize)), false, nil
}
