package qtshm

import (
	"context"
	"sync/atomic"
)

// gate excludes the goroutines that share one object from each other: it is held from Lock to
// Unlock, and by Create, Attach, Detach and Close while they run. Unlike a sync.Mutex it can be
// waited for with a bound (take ends with ctx), and it may be given back by another goroutine
// than the one that took it (Unlock may run anywhere). An uncontended take is one
// compare-and-swap and a give one store and one load, where a channel of capacity 1 locks the
// channel twice: after a system call, when caches are cold, that was most of the public
// layer's cost of a Lock+Unlock.
//
// A waiter counts itself in waiters before it tries, and a give clears held before it looks
// at waiters (both sequentially consistent), so one of them always sees the other: either the
// waiter's try succeeds, or the give leaves a token in wake for it. A token nobody takes at
// once stays for the next waiter, who at worst tries once in vain.
type gate struct {
	held    atomic.Bool
	waiters atomic.Int32
	wake    chan struct{} // capacity 1
}

func newGate() gate { return gate{wake: make(chan struct{}, 1)} }

// take waits for the gate until ctx ends (ctx.Err then). A free gate is taken even when ctx
// has ended already.
func (g *gate) take(ctx context.Context) error {
	if g.held.CompareAndSwap(false, true) {
		return nil
	}
	g.waiters.Add(1)
	defer g.waiters.Add(-1)
	for {
		if g.held.CompareAndSwap(false, true) {
			return nil
		}
		select {
		case <-g.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// give releases the gate and wakes a waiter, if any.
func (g *gate) give() {
	g.held.Store(false)
	if g.waiters.Load() > 0 {
		select {
		case g.wake <- struct{}{}:
		default: // a token is waiting already
		}
	}
}
