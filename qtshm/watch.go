package qtshm

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"
)

// Default intervals of a [Watcher].
const (
	// DefaultWatchInterval is how often a Watcher without a doorbell compares the segment.
	DefaultWatchInterval = time.Second
	// DefaultWatchFallback is how often a Watcher with a doorbell compares the segment anyway,
	// to see writers that do not ring.
	DefaultWatchFallback = 10 * time.Second
)

// WatchOptions configures a [Watcher].
type WatchOptions struct {
	// Interval is how often the segment's content is compared when there is no doorbell
	// (0: DefaultWatchInterval).
	Interval time.Duration
	// Doorbell is the key of a [Doorbell] that writers ring after each write ("": none, poll
	// only). With it the Watcher wakes as soon as the bell rings.
	Doorbell string
	// Fallback is, with a doorbell, how often the content is compared anyway, so that a writer
	// that does not ring is still seen (0: DefaultWatchFallback).
	Fallback time.Duration
}

// ChangeSource tells how a [Change] was seen.
type ChangeSource string

// The sources of a Change.
const (
	ChangeInitial  ChangeSource = "initial"  // the state when the Watcher started
	ChangePoll     ChangeSource = "poll"     // the content differed at a periodic comparison
	ChangeDoorbell ChangeSource = "doorbell" // the doorbell rang
)

// Change is one change a [Watcher] saw.
type Change struct {
	Time       time.Time    // when it was seen (after the copy was taken)
	Source     ChangeSource // how
	Exists     bool         // whether the segment exists (false: Data is nil)
	Data       []byte       // a copy of the whole segment, taken under its lock
	Generation uint64       // the doorbell's generation when the copy was taken (0 without one)
}

// Watcher reports the changes of a shared memory segment: by comparing its content under its
// lock every Interval, or, with a doorbell, as soon as a writer rings it (comparing only every
// Fallback besides). The first Next returns the state at the start; each later Next returns
// the next change, always with the latest content: changes that happen while the caller is
// busy are seen as one (their Generation tells how many rings there were).
//
// A Watcher is safe for concurrent use; its Next calls run one at a time, so goroutines that
// share a Watcher divide its changes between them (give each goroutine its own Watcher for
// each to see every change).
type Watcher struct {
	key     string
	newShm  func() *SharedMemory // a new object for the watched segment
	opts    []Option
	wo      WatchOptions
	bounded bool // the data segment's waits can be bounded (not the native backend)

	mu      sync.Mutex // held by Next and Close
	shm     *SharedMemory
	bell    *Doorbell
	started bool
	closed  bool
	exists  bool
	last    []byte
	gen     uint64
}

// NewWatcher starts watching the segment of QSharedMemory(key): it opens the doorbell, if
// any, and attaches to the segment ReadOnly if it exists (a segment that does not exist yet is
// looked for again at every comparison). ctx bounds the waits for locks. Options are those of
// [New]; they apply to the doorbell too (except the backend, see [Doorbell]).
func NewWatcher(ctx context.Context, key string, wo WatchOptions, opts ...Option) (*Watcher, error) {
	if key == "" {
		return nil, newError(KeyError, "watch", key, "QSharedMemory::attach: key is empty", nil)
	}
	return newWatcher(ctx, key, func() *SharedMemory { return New(key, opts...) }, wo, opts)
}

// NewWatcherFromNativeKey is [NewWatcher] for the segment of QSharedMemory(k), a Qt 6.6+
// native key (see [NewFromNativeKey]); the doorbell, if any, is still a QString key.
func NewWatcherFromNativeKey(ctx context.Context, k NativeIpcKey, wo WatchOptions, opts ...Option) (*Watcher, error) {
	if !k.IsValid() || k.Native == "" {
		return nil, newError(KeyError, "watch", k.Legacy, "qtshm: watch: the native key is invalid or empty: "+k.String(), nil)
	}
	return newWatcher(ctx, k.String(), func() *SharedMemory { return NewFromNativeKey(k, opts...) }, wo, opts)
}

func newWatcher(ctx context.Context, key string, newShm func() *SharedMemory, wo WatchOptions, opts []Option) (*Watcher, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if wo.Interval < 0 || wo.Fallback < 0 {
		return nil, newError(UnknownError, "watch", key, "qtshm: negative watch interval", nil)
	}
	if wo.Interval == 0 {
		wo.Interval = DefaultWatchInterval
	}
	if wo.Fallback == 0 {
		wo.Fallback = DefaultWatchFallback
	}
	o := getOptions(opts)
	w := &Watcher{key: key, newShm: newShm, opts: opts, wo: wo,
		bounded: !(o.backend == BackendNative || o.backend == "" && nativeFactory != nil)}
	if wo.Doorbell != "" {
		if wo.Doorbell == key {
			return nil, newError(KeyError, "watch", key, "qtshm: the doorbell's key must differ from the watched key", nil)
		}
		bell, err := OpenDoorbellContext(ctx, wo.Doorbell, opts...)
		if err != nil {
			return nil, err
		}
		w.bell = bell
	}
	return w, nil
}

// Key returns the watched key (a native key: its string form).
func (w *Watcher) Key() string { return w.key }

// Next returns the next change (the first call: the state at the start). It waits until there
// is one or ctx is done (then it returns an *Error wrapping ctx.Err()).
func (w *Watcher) Next(ctx context.Context) (Change, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return Change{}, newError(NotFound, "watch", w.key, "qtshm: the watcher is closed", ErrClosed)
	}
	if !w.started {
		if w.bell != nil {
			// The generation first: a write after this point rings, and is reported.
			g, _, err := w.bell.Generation(ctx)
			if err != nil {
				return Change{}, err
			}
			w.gen = g
		}
		c, err := w.snapshot(ctx, ChangeInitial)
		if err != nil {
			return Change{}, err
		}
		w.started = true
		return c, nil
	}
	for {
		if w.bell != nil {
			wctx, cancel := context.WithTimeout(ctx, w.wo.Fallback)
			g, err := w.bell.Wait(wctx, w.gen)
			cancel()
			if err == nil {
				w.gen = g
				return w.snapshot(ctx, ChangeDoorbell)
			}
			if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
				return Change{}, err
			}
		} else {
			t := time.NewTimer(w.wo.Interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return Change{}, newError(LockError, "watch", w.key, "qtshm: watching", ctx.Err())
			case <-t.C:
			}
		}
		prev, existed := w.last, w.exists
		c, err := w.snapshot(ctx, ChangePoll)
		if err != nil {
			return Change{}, err
		}
		if c.Exists != existed || !bytes.Equal(c.Data, prev) {
			return c, nil
		}
	}
}

// snapshot copies the segment under its lock (attaching first if need be) and records it.
func (w *Watcher) snapshot(ctx context.Context, src ChangeSource) (Change, error) {
	wctx := ctx
	if !w.bounded {
		wctx = context.Background() // the native backend cannot bound a wait (Qt's cannot)
	}
	if w.shm == nil {
		m := w.newShm()
		err := m.AttachContext(wctx, ReadOnly)
		switch {
		case errors.Is(err, ErrNotFound):
			m.Close()
			w.exists, w.last = false, nil
			return Change{Time: time.Now(), Source: src, Generation: w.gen}, nil
		case err != nil:
			m.Close()
			return Change{}, err
		}
		w.shm = m
	}
	data := make([]byte, w.shm.Size())
	if err := w.shm.LockContext(wctx); err != nil {
		return Change{}, err
	}
	_, err := w.shm.ReadAt(data, 0)
	if uerr := w.shm.Unlock(); err == nil {
		err = uerr
	}
	if err != nil {
		return Change{}, err
	}
	w.exists, w.last = true, data
	return Change{Time: time.Now(), Source: src, Exists: true, Data: bytes.Clone(data), Generation: w.gen}, nil
}

// Close detaches from the segment and closes the doorbell. It waits for a Next in progress:
// end that Next's context first.
func (w *Watcher) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	var err error
	if w.shm != nil {
		err = w.shm.Close()
	}
	if w.bell != nil {
		if berr := w.bell.Close(); err == nil {
			err = berr
		}
	}
	return err
}

// Watch calls fn with the state of the segment of QSharedMemory(key) at the start and then
// with every change a [Watcher] sees, until ctx is done (Watch then returns nil) or fn or the
// Watcher fails (Watch returns that error).
func Watch(ctx context.Context, key string, wo WatchOptions, fn func(Change) error, opts ...Option) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, err := NewWatcher(ctx, key, wo, opts...)
	return runWatch(ctx, w, err, fn)
}

// WatchNativeKey is [Watch] for the segment of QSharedMemory(k), a Qt 6.6+ native key.
func WatchNativeKey(ctx context.Context, k NativeIpcKey, wo WatchOptions, fn func(Change) error, opts ...Option) error {
	if ctx == nil {
		ctx = context.Background()
	}
	w, err := NewWatcherFromNativeKey(ctx, k, wo, opts...)
	return runWatch(ctx, w, err, fn)
}

// runWatch is the loop of Watch and WatchNativeKey over w (or the error that made it).
func runWatch(ctx context.Context, w *Watcher, err error, fn func(Change) error) error {
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer w.Close()
	for {
		c, err := w.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
}
