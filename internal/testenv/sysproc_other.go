//go:build !unix

package testenv

import "os/exec"

// ownGroup does nothing on this platform: no process groups.
func ownGroup(*exec.Cmd) {}

// killGroup does nothing on this platform (the process itself is killed).
func killGroup(int) {}

// isolate reports that this platform has no IPC namespaces.
func isolate(*exec.Cmd) bool { return false }

func privateDevShm() bool { return false }
