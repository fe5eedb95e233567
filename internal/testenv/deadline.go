package testenv

import (
	"context"
	"testing"
	"time"
)

// StepLimit is how long one wait of the harness may take by default: a line from a process, a
// process's exit, a lock (see [Proc.SetStepLimit] for a step known to take longer). It bounds a
// hang; it does not measure speed.
const StepLimit = 60 * time.Second

// Grace is kept free before the test binary's deadline (go test -timeout): no wait of the
// harness runs into it, so a hang fails the test with the output so far, and the remaining
// tests and cleanups still get to run, before go test panics and prints only goroutines.
const Grace = 15 * time.Second

// deadliner is the part of *testing.T that knows the test binary's deadline (testing.TB lacks
// it: a benchmark has none).
type deadliner interface {
	Deadline() (time.Time, bool)
}

// Bound returns how long a wait of at most limit may last in t: limit, cut to the time left
// before t's deadline less [Grace]. It returns 0 when that time is already used up (a wait then
// fails at once), and why it is as long as it is, for failure messages.
func Bound(t testing.TB, limit time.Duration) (time.Duration, string) {
	d, ok := t.(deadliner)
	if !ok {
		return limit, "the step limit"
	}
	deadline, ok := d.Deadline()
	if !ok {
		return limit, "the step limit"
	}
	left := time.Until(deadline) - Grace
	if left >= limit {
		return limit, "the step limit"
	}
	if left < 0 {
		left = 0
	}
	return left, "the test deadline (go test -timeout) less " + Grace.String()
}

// Context returns a context that ends after Bound(t, limit), cancelled at t's cleanup.
func Context(t testing.TB, limit time.Duration) context.Context {
	d, _ := Bound(t, limit)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
