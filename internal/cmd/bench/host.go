//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// hostInfo says where the figures come from.
type hostInfo struct {
	CPUs       int    `json:"cpus"`
	Model      string `json:"model"`
	Kernel     string `json:"kernel"`
	Go         string `json:"go"`
	LoadBefore string `json:"loadBefore"`
	LoadAfter  string `json:"loadAfter"`
	Virtual    string `json:"virtual,omitempty"`
	TempFS     string `json:"tempFS,omitempty"` // the file system of the run's temp directory (Qt's key files)
}

// fsType names the file system dir is on: tmpfs, ext4, … (a magic number when unknown).
func fsType(dir string) string {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return ""
	}
	switch uint32(st.Type) {
	case 0x01021994:
		return "tmpfs"
	case 0xef53:
		return "ext4"
	case 0x9123683e:
		return "btrfs"
	case 0x58465342:
		return "xfs"
	case 0x794c7630:
		return "overlayfs"
	}
	return fmt.Sprintf("file system 0x%x", uint32(st.Type))
}

func readHost() hostInfo {
	h := hostInfo{CPUs: runtime.NumCPU(), Go: runtime.Version(), LoadBefore: loadAverage()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				h.Model = strings.TrimSpace(v)
				break
			}
		}
		if strings.Contains(string(b), " hypervisor") {
			h.Virtual = "VM"
		}
	}
	var u syscall.Utsname
	if syscall.Uname(&u) == nil {
		var b strings.Builder
		for _, c := range u.Release {
			if c == 0 {
				break
			}
			b.WriteByte(byte(c))
		}
		h.Kernel = b.String()
	}
	return h
}

// loadAverage is the 1, 5 and 15 minute load averages ("" when unknown).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// leftovers describes the IPC objects and key files the run left behind ("" for none): key
// files in its temp directory and, when scripts/bench.sh gave it a private IPC namespace
// (QTSHM_BENCH_PRIVATE_IPC=1), every System V object in it.
func leftovers(tmp string) string {
	var out []string
	if m, _ := filepath.Glob(filepath.Join(tmp, "qipc_*")); len(m) > 0 {
		out = append(out, fmt.Sprintf("%d key file(s) in the temp directory", len(m)))
	}
	if os.Getenv("QTSHM_BENCH_PRIVATE_IPC") == "1" {
		for _, t := range []string{"shm", "sem"} {
			b, err := os.ReadFile("/proc/sysvipc/" + t)
			if err != nil {
				continue
			}
			if n := len(strings.Split(strings.TrimSpace(string(b)), "\n")) - 1; n > 0 {
				out = append(out, fmt.Sprintf("%d System V %s object(s)", n, t))
			}
		}
	}
	return strings.Join(out, ", ")
}
