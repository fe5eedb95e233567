package peer

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"

	"github.com/qtshm/qtshm-go/qtshm"
)

// createOrAttach is the usual pattern: create size bytes ReadWrite, and on AlreadyExists
// attach ReadWrite. created reports which of the two succeeded.
func createOrAttach(ctx context.Context, m *qtshm.SharedMemory, size int) (created bool, err error) {
	err = m.CreateContext(ctx, size, qtshm.ReadWrite)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, qtshm.ErrAlreadyExists) {
		return false, err
	}
	return false, m.AttachContext(ctx, qtshm.ReadWrite)
}

// coaLoop runs n iterations of: a fresh object for the key, create-or-attach, step (if not
// nil), Close. It stops at the first failure.
func (p *peer) coaLoop(n, size int, step func(m *qtshm.SharedMemory) error) (count, created int, err error) {
	for count < n && !p.stopped() {
		m := p.newShm()
		c, err := createOrAttach(p.waitCtx(), m, size)
		if err == nil && step != nil {
			err = step(m)
		}
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return count, created, err
		}
		count++
		if c {
			created++
		}
	}
	return count, created, nil
}

func coa(p *peer, a args) ([]field, error) {
	count, created, err := p.coaLoop(a.int(0), a.int(1), nil)
	return []field{{"count", count}, {"created", created}}, err
}

func coainc(p *peer, a args) ([]field, error) {
	var v uint64
	count, created, err := p.coaLoop(a.int(0), a.int(1), func(m *qtshm.SharedMemory) error {
		var err error
		v, err = p.inc(m, 1)
		return err
	})
	return []field{{"count", count}, {"created", created}, {"value", v}}, err
}

func stale(p *peer, a args) ([]field, error) {
	count, removed := 0, 0
	if p.haveNKey { // RemoveStale takes a legacy key
		return []field{{"count", count}, {"removed", removed}}, errUnsupported
	}
	for count < a.int(0) && !p.stopped() {
		r, err := qtshm.RemoveStaleContext(p.ctx, p.key, p.opts...)
		if err != nil {
			return []field{{"count", count}, {"removed", removed}}, err
		}
		count++
		if r {
			removed++
		}
	}
	return []field{{"count", count}, {"removed", removed}}, nil
}

// threads runs G goroutines on the peer's one object, each doing N locked increments; all stop
// at the first failure, which is the one reported.
func threads(p *peer, a args) ([]field, error) {
	g, n := a.int(0), a.int(1)
	m := p.shm
	if !m.IsAttached() {
		return []field{{"value", uint64(0)}}, errNotAttached
	}
	if m.Size() < 8 {
		return []field{{"value", uint64(0)}}, errTooSmall
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return first != nil }
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n && !failed() && !p.stopped(); i++ {
				if _, err := p.inc(m, 1); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return []field{{"value", uint64(0)}}, first
	}
	if err := m.LockContext(p.waitCtx()); err != nil {
		return []field{{"value", uint64(0)}}, err
	}
	v := binary.LittleEndian.Uint64(m.Data())
	return []field{{"value", v}}, m.Unlock()
}
