package qtshm_test

import (
	"context"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// TestHotPathsDoNotAllocate fails if Lock, Unlock, Data, ReadAt or WriteAt allocate on an
// attached segment, with every backend built in (and LockContext with a deadline, which only
// the pure backend accepts). An allocation count is not a timing: it does not depend on the
// machine's load.
func TestHotPathsDoNotAllocate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		m := qtshm.New(uniqueKey(t), qtshm.WithBackend(be))
		defer m.Close()
		if err := m.Create(4096, qtshm.ReadWrite); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		p := make([]byte, 256)
		cases := []struct {
			name string
			f    func() error
		}{
			{"Lock+Unlock", func() error {
				if err := m.Lock(); err != nil {
					return err
				}
				return m.Unlock()
			}},
			{"Data", func() error {
				if m.Data() == nil {
					t.Fatal("Data is nil")
				}
				return nil
			}},
			{"ReadAt", func() error { _, err := m.ReadAt(p, 128); return err }},
			{"WriteAt", func() error { _, err := m.WriteAt(p, 128); return err }},
			{"Lock+copy+Unlock", func() error {
				if err := m.Lock(); err != nil {
					return err
				}
				copy(m.Data(), p)
				return m.Unlock()
			}},
		}
		if be == qtshm.BackendSysV {
			cases = append(cases, struct {
				name string
				f    func() error
			}{"LockContext+Unlock", func() error {
				if err := m.LockContext(ctx); err != nil {
					return err
				}
				return m.Unlock()
			}})
		}
		for _, c := range cases {
			var err error
			n := testing.AllocsPerRun(200, func() {
				if e := c.f(); e != nil && err == nil {
					err = e
				}
			})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if n != 0 {
				t.Errorf("%s: %v allocations per call, want 0", c.name, n)
			}
		}
	})
}
