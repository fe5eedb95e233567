//go:build linux

package qtshm_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

func init() {
	// sem-take KEY N UNDO: acquire N units of QSystemSemaphore(KEY) (UNDO "0": without
	// SEM_UNDO, as a doorbell's bells), print "taken", wait for a line, exit.
	testenv.RegisterHelper("sem-take", func(args []string) int {
		n, _ := strconv.Atoi(args[1])
		opts := []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV)}
		if args[2] == "0" {
			opts = append(opts, qtshm.WithoutUndo())
		}
		s, err := qtshm.NewSystemSemaphore(args[0], 0, qtshm.Open, opts...)
		if err != nil {
			fmt.Println(err)
			return 1
		}
		defer s.Close()
		for i := 0; i < n; i++ {
			if err := s.Acquire(); err != nil {
				fmt.Println(err)
				return 1
			}
		}
		fmt.Println("taken")
		fmt.Scanln()
		return 0
	})
}

// TestDoorbellBellsHaveNoUndoBound: a process that only releases a System V semaphore with
// SEM_UNDO (Qt's way) fails after 32767 units in all, even when other processes took every
// unit; the doorbell's bells go without SEM_UNDO, so a Go writer can ring for ever. The
// acquirer is another process (one process's releases and acquires would cancel out). The
// pure backend, which the doorbell always uses.
func TestDoorbellBellsHaveNoUndoBound(t *testing.T) {
	for _, undo := range []bool{true, false} {
		t.Run(fmt.Sprintf("undo=%v", undo), func(t *testing.T) {
			key := uniqueKey(t)
			flag := "0"
			opts := []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithoutUndo()}
			if undo {
				flag, opts = "1", opts[:1]
			}
			s, err := qtshm.NewSystemSemaphore(key, 0, qtshm.Create, opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Release(20000); err != nil {
				t.Fatal(err)
			}
			p := testenv.Helper(t, "sem-take", key, "20000", flag)
			p.Expect("taken")
			err = s.Release(20000) // 40000 released by this process in all
			p.Send("")
			p.MustSucceed()
			if undo {
				wantCode(t, "the 40000th unit with SEM_UNDO", err, qtshm.OutOfResources, qtshm.ErrOutOfResources)
				return
			}
			if err != nil {
				t.Fatalf("without SEM_UNDO, 40000 units in all: %v", err)
			}
			for i := 0; i < 20000; i++ {
				if err := s.Acquire(); err != nil {
					t.Fatalf("unit %d: %v", i, err)
				}
			}
		})
	}
}
