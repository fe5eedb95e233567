//go:build linux && !android

package psem

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"golang.org/x/sys/unix"
)

// helperStep bounds each wait of a helper process: a wait that takes longer is a lost wake-up.
const helperStep = 30 * time.Second

func init() {
	testenv.RegisterHelper("psem-mutex", helperMutex)
	testenv.RegisterHelper("psem-pingpong", helperPingPong)
}

// envNoSlice, set in a test (and so in its helpers), makes every Wait sleep until woken or until
// its deadline, without the WaitSlice wake-ups that would hide a lost wake-up.
const envNoSlice = "PSEM_TEST_NO_SLICE"

// noSlices makes Wait sleep in one slice in this process and in the helpers the test starts.
func noSlices(t *testing.T) {
	t.Setenv(envNoSlice, "1")
	old := waitSlice
	waitSlice = time.Hour
	t.Cleanup(func() { waitSlice = old })
}

func helperSlices() {
	if os.Getenv(envNoSlice) == "1" {
		waitSlice = time.Hour
	}
}

func helperFail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "helper: "+format+"\n", args...)
	return 1
}

func helperOpen(name string) (*Sem, error) {
	s, _, err := Open(name, 0, 0, 0)
	return s, err
}

func stepWait(s *Sem) error {
	ctx, cancel := context.WithTimeout(context.Background(), helperStep)
	defer cancel()
	return s.Wait(ctx)
}

// helperMutex is the Go twin of semprog's "mutex START LOCK FILE N": after START, N times: take
// LOCK, increment the 8-byte counter at the start of FILE, release LOCK.
func helperMutex(args []string) int {
	if len(args) != 4 {
		return helperFail("usage: START LOCK FILE N")
	}
	helperSlices()
	start, err := helperOpen(args[0])
	if err != nil {
		return helperFail("%v", err)
	}
	lock, err := helperOpen(args[1])
	if err != nil {
		return helperFail("%v", err)
	}
	f, err := os.OpenFile(args[2], os.O_RDWR, 0)
	if err != nil {
		return helperFail("%v", err)
	}
	n, _ := strconv.Atoi(args[3])
	fmt.Println("ready")
	if err := stepWait(start); err != nil {
		return helperFail("wait start: %v", err)
	}
	var b [8]byte
	contended := 0
	for i := range n {
		if lock.TryWait() != nil {
			contended++
			if err := stepWait(lock); err != nil {
				return helperFail("iteration %d: wait lock: %v (value %d, waiters %d)", i, err, lock.Value(), lock.Waiters())
			}
		}
		if _, err := f.ReadAt(b[:], 0); err != nil {
			return helperFail("%v", err)
		}
		binary.NativeEndian.PutUint64(b[:], binary.NativeEndian.Uint64(b[:])+1)
		unix.Syscall(unix.SYS_SCHED_YIELD, 0, 0, 0) // let the others run into the taken lock
		if _, err := f.WriteAt(b[:], 0); err != nil {
			return helperFail("%v", err)
		}
		if err := lock.Post(); err != nil {
			return helperFail("post lock: %v", err)
		}
	}
	fmt.Println("done", n, "contended", contended)
	return 0
}

// helperPingPong is the Go twin of semprog's "pingpong IN OUT N": N times: wait IN, post OUT.
func helperPingPong(args []string) int {
	if len(args) != 3 {
		return helperFail("usage: IN OUT N")
	}
	helperSlices()
	in, err := helperOpen(args[0])
	if err != nil {
		return helperFail("%v", err)
	}
	out, err := helperOpen(args[1])
	if err != nil {
		return helperFail("%v", err)
	}
	n, _ := strconv.Atoi(args[2])
	for i := range n {
		if err := stepWait(in); err != nil {
			return helperFail("round %d: wait: %v", i, err)
		}
		if err := out.Post(); err != nil {
			return helperFail("round %d: post: %v", i, err)
		}
	}
	fmt.Println("done", n)
	return 0
}
