package qtshm

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
)

// gate excludes the goroutines that share one object from each other: it is held from Lock to
// Unlock, and by Create, Attach, Detach and Close while they run. Unlike a sync.Mutex it can be
// waited for with a bound (take ends with ctx), and it may be given back by another goroutine
// than the one that took it (Unlock may run anywhere). An uncontended take is one
// compare-and-swap, and a give without waiters a store and two loads, where a channel of
// capacity 1 locks the channel twice: after a system call, when caches are cold, that was most
// of the public layer's cost of a Lock+Unlock.
//
// Waiters queue in order, each on a channel of its own. A give with waiters hands the gate to
// the first of them: held stays set, so nobody else can take it meanwhile, not even the giver
// coming back at once. (Letting go instead, so that the next compare-and-swap wins, let a
// goroutine that gives and takes again in a loop keep a woken waiter out for thousands of
// rounds.)
//
// waiters is len(queue), kept beside it for a look without mu. A waiter counts itself (under
// mu) before its last try, and a give clears held before it looks at waiters again (both
// sequentially consistent), so either the waiter's try succeeds or the give sees it and hands
// the gate over. The zero gate is free.
type gate struct {
	held    atomic.Bool
	waiters atomic.Int32
	mu      sync.Mutex
	queue   []chan struct{} // capacity 1 each: a token in one is the gate, handed to its waiter
}

// take waits for the gate until ctx ends (ctx.Err then). A free gate is taken even when ctx
// has ended already.
func (g *gate) take(ctx context.Context) error {
	if g.held.CompareAndSwap(false, true) {
		return nil
	}
	g.mu.Lock()
	g.waiters.Add(1)
	if g.held.CompareAndSwap(false, true) {
		g.waiters.Add(-1)
		g.mu.Unlock()
		return nil
	}
	mine := make(chan struct{}, 1)
	g.queue = append(g.queue, mine)
	g.mu.Unlock()
	select {
	case <-mine:
		return nil // handed over
	case <-ctx.Done():
	}
	g.mu.Lock()
	if i := slices.Index(g.queue, mine); i >= 0 {
		g.queue = slices.Delete(g.queue, i, i+1)
		g.waiters.Add(-1)
		g.mu.Unlock()
		return ctx.Err()
	}
	g.mu.Unlock()
	// Handed over as ctx ended (the token is in mine already): give it on.
	<-mine
	g.give()
	return ctx.Err()
}

// give releases the gate: to the first waiter if there is one, else by letting go.
func (g *gate) give() {
	for {
		if g.waiters.Load() > 0 {
			g.mu.Lock()
			if len(g.queue) > 0 {
				next := g.queue[0]
				g.queue = slices.Delete(g.queue, 0, 1)
				g.waiters.Add(-1)
				next <- struct{}{}
				g.mu.Unlock()
				return
			}
			g.mu.Unlock()
		}
		g.held.Store(false)
		if g.waiters.Load() == 0 || !g.held.CompareAndSwap(false, true) {
			return // nobody waits, or someone took it (and will see the waiters when it gives)
		}
		// A waiter counted itself as we let go, after its try failed: the gate is ours again;
		// hand it over.
	}
}
