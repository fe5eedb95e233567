package testenv

import (
	"os/exec"
	"syscall"
)

// ownGroup gives cmd a process group of its own and SIGKILL when the test binary dies.
func ownGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	cmd.SysProcAttr.Setpgid = true
}

// killGroup sends SIGKILL to the process group pid leads.
func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }

// isolate makes cmd run in a new IPC namespace (and die with the test binary); it reports
// whether this platform has them.
func isolate(cmd *exec.Cmd) bool {
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWIPC, Pdeathsig: syscall.SIGKILL}
	return true
}
