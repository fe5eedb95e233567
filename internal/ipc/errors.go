package ipc

import (
	"errors"
	"fmt"
	"runtime"
)

// ErrUnsupported is what every function returns where this package has no System V IPC
// implementation (any GOOS but Linux, and Android). It wraps [errors.ErrUnsupported].
var ErrUnsupported = fmt.Errorf("qtshm: System V IPC is not implemented on %s/%s: %w",
	runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)
