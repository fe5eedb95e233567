package qtshm_test

// Helper processes of the adversarial tests (adversarial_test.go). Each runs a loop for a given
// time and prints one JSON line with exact counts; the parent adds them up.

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// stepTimeout bounds every single lock wait of a helper: a wait that takes longer is a hang.
const stepTimeout = 10 * time.Second

// loopReport is the one line every loop helper prints.
type loopReport struct {
	Iters      int      `json:"iters"`
	Incs       uint64   `json:"incs"`
	Removed    int      `json:"removed"`
	Races      int      `json:"races"`      // AlreadyExists then NotFound: the segment went away in between (legitimate)
	Violations []string `json:"violations"` // broken invariants: split brain, a hang, an unexpected error
}

func (r *loopReport) violate(format string, args ...any) {
	if len(r.Violations) < 20 {
		r.Violations = append(r.Violations, fmt.Sprintf(format, args...))
	}
}

func printReport(r loopReport) int {
	json.NewEncoder(os.Stdout).Encode(r)
	return 0
}

// helperArgs: KEY SECONDS [extra...]
func parseLoopArgs(args []string) (key string, until time.Time, extra []string) {
	secs, _ := strconv.ParseFloat(args[1], 64)
	return args[0], time.Now().Add(time.Duration(secs * float64(time.Second))), args[2:]
}

func stepCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), stepTimeout)
}

// createOrAttach is the usual pattern: Create, and on AlreadyExists, Attach. It reports
// race=true when the segment vanished between the two (a legitimate outcome).
func createOrAttach(m *qtshm.SharedMemory, size int) (race bool, err error) {
	ctx, cancel := stepCtx()
	defer cancel()
	err = m.CreateContext(ctx, size, qtshm.ReadWrite)
	if !errors.Is(err, qtshm.ErrAlreadyExists) {
		return false, err
	}
	err = m.AttachContext(ctx, qtshm.ReadWrite)
	if errors.Is(err, qtshm.ErrNotFound) {
		return true, nil
	}
	return false, err
}

// segmentID returns the System V id of the segment mapped at b, from /proc/self/maps (the
// inode column of a SysV mapping is its shmid).
func segmentID(b []byte) (int, error) {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return -1, err
	}
	addr := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, addr) && strings.Contains(line, "/SYSV") {
			f := strings.Fields(line)
			return strconv.Atoi(f[4])
		}
	}
	return -1, fmt.Errorf("no SysV mapping at %s", addr)
}

// newObject returns the object of a loop's key: a QString key on the pure System V backend,
// or, for "nk:STRING", the native key STRING on the pure backend of its type.
func newObject(key string) *qtshm.SharedMemory {
	if s, ok := strings.CutPrefix(key, "nk:"); ok {
		k, err := qtshm.ParseNativeIpcKey(s)
		if err != nil {
			k = qtshm.NativeIpcKey{}
		}
		return qtshm.NewFromNativeKey(k, pureFor(k))
	}
	return qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
}

// pureFor selects the pure backend of k's type (the default may be the native one).
func pureFor(k qtshm.NativeIpcKey) qtshm.Option {
	if k.Type == qtshm.PosixRealtime {
		return qtshm.WithBackend(qtshm.BackendPosix)
	}
	return qtshm.WithBackend(qtshm.BackendSysV)
}

// removeStale is RemoveStaleContext or, for a native key, RemoveStaleNativeContext.
func removeStale(ctx context.Context, key string) (bool, error) {
	if s, ok := strings.CutPrefix(key, "nk:"); ok {
		k, err := qtshm.ParseNativeIpcKey(s)
		if err != nil {
			return false, err
		}
		return qtshm.RemoveStaleNativeContext(ctx, k, pureFor(k))
	}
	return qtshm.RemoveStaleContext(ctx, key)
}

// mappedInode returns the inode column of the mapping at b in /proc/self/maps, and its path.
func mappedInode(b []byte) (uint64, string, error) {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, "", err
	}
	addr := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, addr) {
			f := strings.Fields(line)
			if len(f) < 6 {
				break
			}
			ino, err := strconv.ParseUint(f[4], 10, 64)
			return ino, strings.Join(f[5:], " "), err
		}
	}
	return 0, "", fmt.Errorf("no mapping at %s", addr)
}

// checkKeyNamesSegment verifies, while the lock is held, that the key file of m still exists
// and that the kernel's segment for its ftok key is the one m is attached to: the opposite is
// split brain (another process would create or attach a different segment for the same key).
// For a POSIX key: that /dev/shm/NAME is still the file m maps.
func checkKeyNamesSegment(m *qtshm.SharedMemory) error {
	nk := m.NativeIpcKey()
	if nk.Type == qtshm.PosixRealtime {
		mine, path, err := mappedInode(m.Data())
		if err != nil {
			return err
		}
		ino, err := inodeOf("/dev/shm/" + strings.TrimLeft(nk.Native, "/"))
		if err != nil {
			return fmt.Errorf("the segment %s is gone while attached and locked (we map %s): %v", nk.Native, path, err)
		}
		if ino != mine {
			return fmt.Errorf("split brain: we map inode %d (%s), /dev/shm names inode %d", mine, path, ino)
		}
		return nil
	}
	proj := int(ipc.ProjQ)
	if nk.Legacy == "" && nk.Type >= 1 && nk.Type <= 0xff {
		proj = int(nk.Type)
	}
	mine, err := segmentID(m.Data())
	if err != nil {
		return err
	}
	key, err := ipc.Ftok(m.NativeKey(), proj)
	if err != nil {
		return fmt.Errorf("key file %s gone while attached and locked: %v", m.NativeKey(), err)
	}
	id, err := ipc.Shmget(key, 0, 0)
	if err != nil {
		return fmt.Errorf("the key file names no segment while we are attached to %d: %v", mine, err)
	}
	if id != mine {
		return fmt.Errorf("split brain: attached to segment %d, the key file names segment %d", mine, id)
	}
	return nil
}

func init() {
	// coa-loop KEY SECONDS: create-or-attach, lock, check the key names our segment, increment,
	// unlock, close — until the time is up.
	testenv.RegisterHelper("coa-loop", func(args []string) int {
		key, until, _ := parseLoopArgs(args)
		var r loopReport
		for time.Now().Before(until) {
			r.Iters++
			m := newObject(key)
			race, err := createOrAttach(m, 16)
			switch {
			case err != nil:
				r.violate("iteration %d: create-or-attach: %v", r.Iters, err)
			case race:
				r.Races++
			default:
				ctx, cancel := stepCtx()
				if err := m.LockContext(ctx); err != nil {
					r.violate("iteration %d: lock: %v", r.Iters, err)
				} else {
					if err := checkKeyNamesSegment(m); err != nil {
						r.violate("iteration %d at %d: %v", r.Iters, time.Now().UnixMicro(), err)
					}
					d := m.Data()
					binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(d)+1)
					r.Incs++
					m.Unlock()
				}
				cancel()
			}
			ctx, cancel := stepCtx()
			if err := m.CloseContext(ctx); err != nil {
				r.violate("iteration %d: close: %v", r.Iters, err)
			}
			cancel()
		}
		return printReport(r)
	})

	// stale-loop KEY SECONDS: RemoveStale in a loop; nothing it does may be an error.
	testenv.RegisterHelper("stale-loop", func(args []string) int {
		key, until, _ := parseLoopArgs(args)
		var r loopReport
		for time.Now().Before(until) {
			r.Iters++
			ctx, cancel := stepCtx()
			removed, err := removeStale(ctx, key)
			cancel()
			if err != nil {
				r.violate("iteration %d: RemoveStale: %v", r.Iters, err)
			}
			if removed {
				r.Removed++
			}
		}
		return printReport(r)
	})

	// inc-loop KEY SECONDS GOROUTINES: attach, then GOROUTINES goroutines share the one object,
	// each doing lock, increment the uint64 at 0, unlock, until the time is up.
	testenv.RegisterHelper("inc-loop", func(args []string) int {
		key, until, extra := parseLoopArgs(args)
		g, _ := strconv.Atoi(extra[0])
		var r loopReport
		m := newObject(key)
		defer m.Close()
		if err := m.Attach(qtshm.ReadWrite); err != nil {
			r.violate("attach: %v", err)
			return printReport(r)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < g; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var n uint64
				var bad []string
				for time.Now().Before(until) {
					ctx, cancel := stepCtx()
					err := m.LockContext(ctx)
					cancel()
					if err != nil {
						bad = append(bad, "lock: "+err.Error())
						break
					}
					d := m.Data()
					binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(d)+1)
					n++
					if err := m.Unlock(); err != nil {
						bad = append(bad, "unlock: "+err.Error())
						break
					}
				}
				mu.Lock()
				r.Incs += n
				r.Iters++
				for _, b := range bad {
					r.violate("%s", b)
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		return printReport(r)
	})

	// create-loop KEY SECONDS: New + Create of an existing segment (AlreadyExists, which takes
	// the lock's ownership) + Close, in a loop: Qt's create resets the lock each time.
	testenv.RegisterHelper("create-loop", func(args []string) int {
		key, until, _ := parseLoopArgs(args)
		var r loopReport
		for time.Now().Before(until) {
			r.Iters++
			m := newObject(key)
			ctx, cancel := stepCtx()
			if err := m.CreateContext(ctx, 8, qtshm.ReadWrite); !errors.Is(err, qtshm.ErrAlreadyExists) {
				r.violate("iteration %d: create of an existing segment: %v", r.Iters, err)
			}
			if err := m.CloseContext(ctx); err != nil {
				r.violate("iteration %d: close: %v", r.Iters, err)
			}
			cancel()
		}
		return printReport(r)
	})
}
