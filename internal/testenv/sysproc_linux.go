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

// isolate makes cmd run in a new IPC namespace and a new mount namespace (and die with the test
// binary); it reports whether this platform has them. The child mounts a private /dev/shm
// (privateDevShm).
func isolate(cmd *exec.Cmd) bool {
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWIPC | syscall.CLONE_NEWNS, Pdeathsig: syscall.SIGKILL}
	return true
}

// privateDevShm gives the isolated child a /dev/shm of its own (POSIX shared memory and named
// semaphores live there, and it is not part of the IPC namespace): mounts stop propagating to
// the host, then a fresh tmpfs covers /dev/shm. It reports whether that worked.
func privateDevShm() bool {
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		return false
	}
	return syscall.Mount("qtshm-test-shm", "/dev/shm", "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=1777,size=64m") == nil
}
