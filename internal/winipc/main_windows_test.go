//go:build windows

package winipc

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// uniqueKey is a key no other test (or test run) uses: Windows object names are shared by every
// process of the session.
func uniqueKey(t *testing.T) string {
	return fmt.Sprintf("winipc-%d-%s-%d", os.Getpid(), t.Name(), time.Now().UnixNano())
}

func init() {
	// lockholder KEY: takes QSharedMemory(KEY)'s lock (creating the lock if needed), says
	// "locked", holds it until a line arrives on stdin, gives it back and says "unlocked".
	testenv.RegisterHelper("lockholder", func(args []string) int {
		m := NewSharedMemory(SegmentName(args[0]), SemaphoreName(args[0]), args[0], qtipc.FlavorQt515)
		defer m.Close(context.Background())
		if e := m.initKey("lock"); e != nil {
			fmt.Println("error", e)
			return 1
		}
		if err := m.Lock(context.Background()); err != nil {
			fmt.Println("error", err)
			return 1
		}
		fmt.Println("locked")
		var s string
		fmt.Scanln(&s)
		if err := m.Unlock(); err != nil {
			fmt.Println("error", err)
			return 1
		}
		fmt.Println("unlocked")
		return 0
	})
	// counter KEY N: attaches to KEY's segment and N times, under the lock, reads the counter in
	// its first 8 bytes, yields, and writes it back incremented. Prints "done".
	testenv.RegisterHelper("counter", func(args []string) int {
		n, _ := strconv.Atoi(args[1])
		m := NewSharedMemory(SegmentName(args[0]), SemaphoreName(args[0]), args[0], qtipc.FlavorQt515)
		defer m.Close(context.Background())
		if err := m.Attach(context.Background(), qtipc.ReadWrite); err != nil {
			fmt.Println("error", err)
			return 1
		}
		for i := 0; i < n; i++ {
			if err := m.Lock(context.Background()); err != nil {
				fmt.Println("error", err)
				return 1
			}
			incr(m.Data())
			if err := m.Unlock(); err != nil {
				fmt.Println("error", err)
				return 1
			}
		}
		fmt.Println("done")
		return 0
	})
}

// incr adds one to the little-endian counter in d[0:8], slowly enough that an unlocked
// interleaving loses updates.
func incr(d []byte) {
	var v uint64
	for i := 0; i < 8; i++ {
		v |= uint64(d[i]) << (8 * i)
	}
	for i := 0; i < 100; i++ {
		_ = d[i%8] // a few loads between read and write
	}
	time.Sleep(0)
	v++
	for i := 0; i < 8; i++ {
		d[i] = byte(v >> (8 * i))
	}
}

func counter(d []byte) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v |= uint64(d[i]) << (8 * i)
	}
	return v
}
