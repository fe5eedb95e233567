package qtipc

import (
	"context"
	"time"
)

// Backoff sleeps before retry n (0, 1, …) of a lock wait whose lock keeps vanishing or being
// replaced under it: 50 µs more each time, at most MaxBackoff. It returns ctx's error as soon
// as ctx ends. Both backends use it once their quick retries are spent: a lock that another
// process holds and then removes on its way out (Qt's owners do) is contention, not a failure,
// so the wait goes on, like a wait for a held lock, until its context ends.
func Backoff(ctx context.Context, n int) error {
	d := min(time.Duration(n+1)*50*time.Microsecond, MaxBackoff)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// MaxBackoff is the longest pause Backoff makes.
const MaxBackoff = 2 * time.Millisecond
