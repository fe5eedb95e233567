//go:build linux && !android

package posix

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// waiterSamples and sampleGap: a process is "not waiting" only if none of waiterSamples looks,
// sampleGap apart, found one of its threads in a futex wait on the semaphore. A Go waiter
// (internal/psem) sleeps in bounded slices and is briefly out of the futex between them.
const (
	waiterSamples = 10
	sampleGap     = 5 * time.Millisecond
)

// futex system call numbers: this architecture's futex, and futex_time64 (422 on every 32-bit
// architecture; unused on 64-bit ones), which 32-bit glibc uses for sem_wait.
var futexCalls = []uint64{uint64(unix.SYS_FUTEX), 422}

// FUTEX_WAIT and FUTEX_WAIT_BITSET (glibc's sem_wait), with the private and clock flags masked.
const (
	futexWait       = 0
	futexWaitBitset = 9
	futexCmdMask    = 0x7f
)

// addrRange is one mapping [start, end) of a file in a process.
type addrRange struct{ start, end uint64 }

// procError is why /proc could not tell: the diagnosis is then unknown.
type procError struct{ reason string }

func (e *procError) Error() string { return e.reason }

// gone reports whether err says the process or thread no longer exists.
func gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ESRCH)
}

// checkProcVisible fails when /proc hides other users' processes (hidepid).
func checkProcVisible() error {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return &procError{"cannot read /proc/self/mountinfo: " + err.Error()}
	}
	for _, line := range strings.Split(string(data), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f := strings.Fields(pre)
		g := strings.Fields(post)
		if !ok || len(f) < 5 || f[4] != "/proc" || len(g) < 3 || g[0] != "proc" {
			continue
		}
		for _, o := range strings.Split(g[2], ",") {
			if v, ok := strings.CutPrefix(o, "hidepid="); ok && v != "0" && v != "off" {
				return &procError{"/proc is mounted with hidepid=" + v + ": other users' processes are invisible"}
			}
		}
	}
	return nil
}

// mappers lists the processes other than this one that map file id, with their mappings of
// it. Processes that exit while we look are skipped; any other /proc entry that cannot be
// read is an error (*procError): the caller must then claim nothing.
func mappers(id fileID) (map[int][]addrRange, error) {
	if err := checkProcVisible(); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, &procError{"cannot list /proc: " + err.Error()}
	}
	self := os.Getpid()
	out := map[int][]addrRange{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/maps")
		if err != nil {
			if gone(err) {
				continue
			}
			if cannotSee(pid, id.dev) {
				continue // its mount namespace has no mount of the file's file system
			}
			return nil, &procError{fmt.Sprintf("cannot read /proc/%d/maps (%s): %v", pid, comm(pid), err)}
		}
		if rs := rangesOf(data, id); len(rs) > 0 {
			out[pid] = rs
		}
	}
	return out, nil
}

// cannotSee reports whether process pid, whose maps we may not read, has no mount of the file
// system dev in its mount namespace (its mountinfo is world-readable). Such a process cannot
// have opened the file by name, so it maps it only if it was handed the file descriptor or
// opened it before it changed namespaces; those cases are not covered. Any doubt (mountinfo
// unreadable) answers false.
func cannotSee(pid int, dev uint64) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/mountinfo")
	if err != nil || len(data) == 0 {
		return false
	}
	want := fmt.Sprintf("%d:%d", unix.Major(dev), unix.Minor(dev))
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[2] == want {
			return false
		}
	}
	return true
}

// ownRanges returns this process's mappings of file id.
func ownRanges(id fileID) []addrRange {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil
	}
	return rangesOf(data, id)
}

// rangesOf parses /proc/PID/maps ("start-end perms offset maj:min inode path") for id.
func rangesOf(maps []byte, id fileID) []addrRange {
	var out []addrRange
	maj, min := uint64(unix.Major(id.dev)), uint64(unix.Minor(id.dev))
	sc := bufio.NewScanner(bytes.NewReader(maps))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		if ino, err := strconv.ParseUint(f[4], 10, 64); err != nil || ino != id.ino {
			continue
		}
		a, b, ok := strings.Cut(f[3], ":")
		if !ok {
			continue
		}
		ma, err1 := strconv.ParseUint(a, 16, 32)
		mi, err2 := strconv.ParseUint(b, 16, 32)
		if err1 != nil || err2 != nil || ma != maj || mi != min {
			continue
		}
		s, e, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(s, 16, 64)
		end, err2 := strconv.ParseUint(e, 16, 64)
		if err1 == nil && err2 == nil {
			out = append(out, addrRange{start, end})
		}
	}
	return out
}

// comm is the process's name, or "?".
func comm(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// waitingOnce reports whether a thread of pid is now blocked in a futex wait whose address lies
// in one of rs. A process that is gone is not waiting.
func waitingOnce(pid int, rs []addrRange) (bool, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	ents, err := os.ReadDir(dir)
	if err != nil {
		if gone(err) {
			return false, nil
		}
		return false, &procError{fmt.Sprintf("cannot list %s (%s): %v", dir, comm(pid), err)}
	}
	for _, e := range ents {
		data, err := os.ReadFile(dir + "/" + e.Name() + "/syscall")
		if err != nil {
			if gone(err) {
				continue
			}
			return false, &procError{fmt.Sprintf("cannot read %s/%s/syscall (%s): %v (kernel.yama.ptrace_scope may forbid it)", dir, e.Name(), comm(pid), err)}
		}
		if futexWaitIn(string(data), rs) {
			return true, nil
		}
	}
	return false, nil
}

// futexWaitIn parses /proc/PID/task/TID/syscall ("NR arg1 … arg6 sp pc", or "running", or
// "-1 sp pc") and reports whether it is a futex wait on an address in rs.
func futexWaitIn(line string, rs []addrRange) bool {
	f := strings.Fields(line)
	if len(f) < 3 {
		return false
	}
	nr, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return false
	}
	isFutex := false
	for _, c := range futexCalls {
		isFutex = isFutex || nr == c
	}
	if !isFutex {
		return false
	}
	addr, err1 := strconv.ParseUint(strings.TrimPrefix(f[1], "0x"), 16, 64)
	op, err2 := strconv.ParseUint(strings.TrimPrefix(f[2], "0x"), 16, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	if cmd := op & futexCmdMask; cmd != futexWait && cmd != futexWaitBitset {
		return false
	}
	for _, r := range rs {
		if addr >= r.start && addr < r.end {
			return true
		}
	}
	return false
}

// waitingSet samples every process of ms waiterSamples times, sampleGap apart, and returns
// those that some sample found waiting.
func waitingSet(ms map[int][]addrRange) (map[int]bool, error) {
	out := map[int]bool{}
	for i := 0; i < waiterSamples && len(out) < len(ms); i++ {
		if i > 0 {
			time.Sleep(sampleGap)
		}
		for pid, rs := range ms {
			if out[pid] {
				continue
			}
			w, err := waitingOnce(pid, rs)
			if err != nil {
				return nil, err
			}
			if w {
				out[pid] = true
			}
		}
	}
	return out, nil
}
