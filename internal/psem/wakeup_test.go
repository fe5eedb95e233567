//go:build linux && !android

package psem

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"golang.org/x/sys/unix"
)

// pingPongRounds is how many round trips a ping-pong test makes.
const pingPongRounds = 2000

// pingPong: the test posts ping and waits for pong pingPongRounds times while the other
// process waits for ping and posts pong; every wake-up crosses the process boundary, both
// ways. Waits sleep without slices here, so a lost wake-up stalls a wait, which the step
// bound turns into a failure.
func pingPong(t *testing.T, start func(ping, pong string) *testenv.Proc) {
	noSlices(t)
	ping, pingName := mustCreate(t, "ping", 0o600, 0)
	pong, pongName := mustCreate(t, "pong", 0o600, 0)
	p := start(pingName, pongName)
	ctx := testenv.Context(t, 60*time.Second)
	for i := range pingPongRounds {
		if err := ping.Post(); err != nil {
			t.Fatal(err)
		}
		if err := pong.Wait(ctx); err != nil {
			t.Fatalf("round %d: %v (ping value %d waiters %d, pong value %d waiters %d)",
				i, err, ping.Value(), ping.Waiters(), pong.Value(), pong.Waiters())
		}
	}
	p.Expect(fmt.Sprintf("done %d", pingPongRounds))
	p.MustSucceed()
	for _, s := range []*Sem{ping, pong} {
		if v, w := s.Value(), s.Waiters(); v != 0 || w != 0 {
			t.Errorf("%s ends with value %d, waiters %d; want 0, 0", s.Name(), v, w)
		}
	}
}

// TestPingPongC: Go and a C process wake each other pingPongRounds times.
func TestPingPongC(t *testing.T) {
	forEachGlibc(t, func(t *testing.T, c glibc) {
		pingPong(t, func(ping, pong string) *testenv.Proc {
			return c.start(t, "pingpong", ping, pong, strconv.Itoa(pingPongRounds))
		})
	})
}

// TestPingPongGo: the same with another Go process.
func TestPingPongGo(t *testing.T) {
	pingPong(t, func(ping, pong string) *testenv.Proc {
		return testenv.Helper(t, "psem-pingpong", ping, pong, strconv.Itoa(pingPongRounds))
	})
}

// waitFor polls cond until it holds, failing the test after the step limit.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx := testenv.Context(t, testenv.StepLimit)
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(time.Millisecond):
		}
	}
}

// TestWakeCWaiter: a C process blocked in sem_wait counts as a waiter and a Go Post wakes it.
func TestWakeCWaiter(t *testing.T) {
	forEachGlibc(t, func(t *testing.T, c glibc) {
		s, name := mustCreate(t, "w", 0o600, 0)
		p := c.start(t, "wait", name)
		p.Expect("waiting")
		waitFor(t, "the C process to register as a waiter", func() bool { return s.Waiters() == 1 })
		if err := s.Post(); err != nil {
			t.Fatal(err)
		}
		p.Expect("woken")
		p.MustSucceed()
		if v, w := s.Value(), s.Waiters(); v != 0 || w != 0 {
			t.Errorf("value %d, waiters %d after the wake-up; want 0, 0", v, w)
		}
	})
}

// TestWaitDeadline: a Wait that reaches its deadline returns context.DeadlineExceeded, not
// before the deadline, and unregisters: glibc then sees no waiter, and a C sem_post followed
// by a C sem_trywait succeeds.
func TestWaitDeadline(t *testing.T) {
	check := func(t *testing.T, c *glibc) {
		s, name := mustCreate(t, "d", 0o600, 0)
		for _, d := range []time.Duration{0, time.Millisecond, 30 * time.Millisecond, 3 * WaitSlice / 2} {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			deadline, _ := ctx.Deadline()
			err := s.Wait(ctx)
			now := time.Now()
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Wait with a %v timeout: %v, want DeadlineExceeded", d, err)
			}
			if now.Before(deadline) {
				t.Errorf("Wait with a %v timeout returned %v before its deadline", d, deadline.Sub(now))
			}
			if v, w := s.Value(), s.Waiters(); v != 0 || w != 0 {
				t.Fatalf("after a timed-out Wait: value %d, waiters %d; want 0, 0", v, w)
			}
		}
		if c == nil {
			return
		}
		if got := c.run(t, "post", name); got != "ok" {
			t.Fatal(got)
		}
		if got := c.run(t, "trywait", name); got != "ok" {
			t.Fatalf("C sem_trywait after a C sem_post: %q", got)
		}
		if got := c.run(t, "trywait", name); got != "EAGAIN" {
			t.Fatalf("second C sem_trywait: %q, want EAGAIN", got)
		}
		if v, w := s.Value(), s.Waiters(); v != 0 || w != 0 {
			t.Errorf("at the end: value %d, waiters %d; want 0, 0", v, w)
		}
	}
	t.Run("go", func(t *testing.T) { check(t, nil) })
	forEachGlibc(t, func(t *testing.T, c glibc) { check(t, &c) })
}

// TestWaitCancel: cancelling the context ends a sleeping Wait with context.Canceled, and the
// waiter count goes back to 0.
func TestWaitCancel(t *testing.T) {
	s, _ := mustCreate(t, "c", 0o600, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Wait(ctx) }()
	waitFor(t, "the Wait to register", func() bool { return s.Waiters() == 1 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait: %v, want Canceled", err)
		}
	case <-testenv.Context(t, testenv.StepLimit).Done():
		t.Fatal("Wait did not return after its context was cancelled")
	}
	if v, w := s.Value(), s.Waiters(); v != 0 || w != 0 {
		t.Errorf("value %d, waiters %d; want 0, 0", v, w)
	}
	// A token is taken even from an ended context, as sem_timedwait does with a past time.
	s.Post()
	if err := s.Wait(ctx); err != nil {
		t.Errorf("Wait with a cancelled context and a token: %v", err)
	}
	if err := s.TryWait(); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("TryWait on 0: %v, want EAGAIN", err)
	}
}

// TestPostOverflow: Post at SEM_VALUE_MAX fails with EOVERFLOW and changes nothing.
func TestPostOverflow(t *testing.T) {
	s, _ := mustCreate(t, "o", 0o600, SemValueMax)
	if err := s.Post(); !errors.Is(err, unix.EOVERFLOW) {
		t.Fatalf("Post at SEM_VALUE_MAX: %v, want EOVERFLOW", err)
	}
	if v := s.Value(); v != SemValueMax {
		t.Errorf("value %d, want %d", v, SemValueMax)
	}
}
