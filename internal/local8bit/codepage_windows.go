//go:build windows

package local8bit

import (
	"sync"

	"golang.org/x/sys/windows"
)

// codePage is GetACP(), read once: the ANSI code page cannot change while a process runs.
var codePage = sync.OnceValue(windows.GetACP)
