//go:build unix && !linux

package testenv

import (
	"os/exec"
	"syscall"
)

// ownGroup gives cmd a process group of its own (no parent-death signal on this platform).
func ownGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// killGroup sends SIGKILL to the process group pid leads.
func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }

// isolate reports that this platform has no IPC namespaces.
func isolate(*exec.Cmd) bool { return false }

func privateDevShm() bool { return false }
