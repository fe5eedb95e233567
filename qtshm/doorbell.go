package qtshm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"time"
)

// DoorbellControlSize is the size of a doorbell's control segment: bytes 0–7 hold the
// generation (uint64, little-endian), bytes 8–11 the number of registered waiters (uint32,
// little-endian), bytes 12–15 are reserved (zero). See docs/doorbell.md.
const DoorbellControlSize = 16

// DoorbellBellSuffix, followed by "0" or "1", is appended to a doorbell's key to name its two
// bells: QSystemSemaphore(key + "-bell0") and QSystemSemaphore(key + "-bell1"); the waiters of
// an even generation wait on the first, those of an odd one on the second. A bell cannot use
// the key itself: QSystemSemaphore(key) is the very semaphore that locks QSharedMemory(key)
// (both use the key file qipc_systemsem_…), so releasing it would break the segment's lock.
const DoorbellBellSuffix = "-bell"

// doorbellDeregisterBound bounds the waits of a waiter that gives up: taking the control
// segment's lock to withdraw its registration, or consuming the unit a writer released for it.
const doorbellDeregisterBound = 2 * time.Second

// Doorbell is a change notification shared with Qt processes: a writer rings it after each
// write, and every process waiting on it wakes once. Its key D names three Qt objects, so that
// a Qt program implements its side with QSharedMemory and QSystemSemaphore alone:
//
//   - the control segment QSharedMemory(D) of [DoorbellControlSize] bytes: the generation
//     (how many times the doorbell rang) and the number of registered waiters, read and
//     changed only under the segment's lock;
//   - two bells, QSystemSemaphore(D + "-bell0", 0, Open) and (D + "-bell1", 0, Open): the
//     waiters of generation g wait on bell g%2.
//
// Ring adds one to the generation g, takes the waiter count and sets it to zero, all under the
// lock, then releases bell g%2 that many times: each registered waiter gets one unit. Wait
// returns at once when the generation differs from the one the caller has seen; otherwise it
// registers (waiters+1, under the same lock) and acquires bell seen%2 until the generation
// moved (a unit that finds it unchanged was a stray one: the waiter is still registered and
// acquires again). A waiter that has been woken and registers for the next generation waits on
// the other bell, so it cannot take a unit released for a waiter that has not woken yet.
//
// What is guaranteed: every waiter registered when the bell rings wakes, and each Wait returns
// the latest generation, so a waiter that was busy sees at its next Wait that the generation
// moved on and never misses the latest state (it sees several rings as one). A waiter
// registered for generation g wakes at that ring, unless it is not scheduled before the
// generation reaches g+2 and another waiter registers for it: the two then share bell g%2 and
// it wakes at the following ring instead, still with the latest generation.
// docs/doorbell.md has the protocol and its Qt side in C++.
//
// A Doorbell is safe for concurrent use: goroutines that Wait on one Doorbell each register
// and each get a unit. Its objects always use the platform's pure backend (System V on Linux,
// Windows objects on Windows; the same objects Qt uses), whatever [WithBackend] says, because
// every wait must be bounded by a context, which the native backend cannot do.
//
// Limits. The bells of a Doorbell go without SEM_UNDO (on System V; other systems have no
// undo), unlike QSystemSemaphore's: a Go process can ring and wake for ever, and the units it
// released stay when it exits. A Qt process keeps Qt's SEM_UNDO: the kernel bounds its undo
// count to ±32767 units per semaphore, so a Qt writer that released more than 32767 units on
// one bell in all (a ring to four waiters is four) fails to release, and a Qt reader woken more
// than 32767 times by one bell fails to acquire; when a Qt ringer exits, the kernel takes back
// the units it released that nobody has acquired yet (a waiter then sleeps until the next ring
// or, in [Watch], its fallback comparison); when a Qt waiter exits, it gives back the units it
// acquired. A waiter killed while registered leaves a unit unclaimed. Such stray units each
// wake a waiter once, which finds the generation unchanged and waits on (absorbing the unit).
type Doorbell struct {
	key   string
	ctrl  *SharedMemory
	bells [2]*SystemSemaphore
}

// OpenDoorbell is OpenDoorbellContext without a bound.
func OpenDoorbell(key string, opts ...Option) (*Doorbell, error) {
	return OpenDoorbellContext(context.Background(), key, opts...)
}

// OpenDoorbellContext opens the doorbell of key, creating its control segment (zeroed) and its
// bells if they do not exist yet, as a Qt process does: attach(), and on NotFound create(16)
// (and on AlreadyExists attach again). ctx bounds the waits for the control segment's lock. Options are those of [New]
// (WithTempDir, WithFlavor, WithForeignOwner); the backend is always the pure one.
//
// As with any QSharedMemory, the last process to close its doorbell removes the control
// segment (the generation starts again at 0 next time), and the process that created the bell
// removes it when it closes (others recreate it on their next call, as Qt does).
func OpenDoorbellContext(ctx context.Context, key string, opts ...Option) (*Doorbell, error) {
	if key == "" {
		return nil, newError(KeyError, "doorbell", key, "QSharedMemory::create: key is empty", nil)
	}
	opts = append(append([]Option{}, opts...), WithBackend(pureBackend()))
	ctrl := New(key, opts...)
	if err := attachOrCreate(ctx, ctrl, DoorbellControlSize); err != nil {
		ctrl.Close()
		return nil, err
	}
	if size, ok := doorbellControl(ctrl.Data()); !ok {
		ctrl.Close()
		return nil, newError(InvalidSize, "doorbell", key,
			fmt.Sprintf("qtshm: %q is not a doorbell's control segment (%d bytes, want %d with bytes 12–15 zero): a data segment? A doorbell would write into it", key, size, DoorbellControlSize), nil)
	}
	d := &Doorbell{key: key, ctrl: ctrl}
	for i := range d.bells {
		b, err := NewSystemSemaphore(fmt.Sprintf("%s%s%d", key, DoorbellBellSuffix, i), 0, Open, append(opts, withoutUndo())...)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.bells[i] = b
	}
	return d, nil
}

// doorbellControl reports whether b looks like a doorbell's control segment: exactly
// DoorbellControlSize bytes (Windows rounds a mapping to whole pages, so there: at least that),
// with the reserved bytes, and on Windows the rest of the page, zero. Without this check a
// doorbell key that names a data segment would have its bytes 0–11 overwritten by every ring.
func doorbellControl(b []byte) (size int, ok bool) {
	if len(b) < DoorbellControlSize || runtime.GOOS != "windows" && len(b) != DoorbellControlSize {
		return len(b), false
	}
	for _, c := range b[12:] {
		if c != 0 {
			return len(b), false
		}
	}
	return len(b), true
}

// pureBackend is the backend that can bound every wait on this platform.
func pureBackend() string {
	if windowsFactory != nil {
		return BackendWindows
	}
	return BackendSysV
}

// attachOrCreate attaches to the segment of m, or creates it with size bytes when there is
// none; one that appears or vanishes in between is tried again. It attaches first: a Create
// that fails with AlreadyExists still makes the object an owner of the key's lock (as in Qt),
// and an owner removes that lock when it closes, even while others still use the segment; the
// others then recreate the lock, and nobody owns (or removes) the new one.
func attachOrCreate(ctx context.Context, m *SharedMemory, size int) error {
	var err error
	for attempt := 0; attempt < 10; attempt++ {
		if err = m.AttachContext(ctx, ReadWrite); !errors.Is(err, ErrNotFound) {
			return err
		}
		if err = m.CreateContext(ctx, size, ReadWrite); !errors.Is(err, ErrAlreadyExists) {
			return err
		}
	}
	return err
}

// Key returns the doorbell's key.
func (d *Doorbell) Key() string { return d.key }

// control reads the generation and the waiter count; the caller holds the lock.
func (d *Doorbell) control() (gen uint64, waiters uint32, err error) {
	var b [12]byte
	if _, err := d.ctrl.ReadAt(b[:], 0); err != nil {
		return 0, 0, err
	}
	return binary.LittleEndian.Uint64(b[0:8]), binary.LittleEndian.Uint32(b[8:12]), nil
}

// setControl writes the generation and the waiter count; the caller holds the lock.
func (d *Doorbell) setControl(gen uint64, waiters uint32) error {
	var b [12]byte
	binary.LittleEndian.PutUint64(b[0:8], gen)
	binary.LittleEndian.PutUint32(b[8:12], waiters)
	_, err := d.ctrl.WriteAt(b[:], 0)
	return err
}

// locked runs f under the control segment's lock, taken within ctx.
func (d *Doorbell) locked(ctx context.Context, f func() error) error {
	if err := d.ctrl.LockContext(ctx); err != nil {
		return err
	}
	err := f()
	if uerr := d.ctrl.Unlock(); err == nil {
		err = uerr
	}
	return err
}

// Ring is RingContext without a bound.
func (d *Doorbell) Ring() (uint64, error) { return d.RingContext(context.Background()) }

// RingContext rings the bell after a write: under the control segment's lock it adds one to
// the generation g and takes the waiter count (setting it to zero), then releases bell g%2
// once per waiter, so that each wakes once. Call it after the data is written and its segment
// unlocked. It returns the new generation. ctx bounds the wait for the lock.
func (d *Doorbell) RingContext(ctx context.Context) (uint64, error) {
	var old uint64
	var n uint32
	err := d.locked(ctx, func() error {
		var err error
		if old, n, err = d.control(); err != nil {
			return err
		}
		return d.setControl(old+1, 0)
	})
	gen := old + 1
	if err != nil {
		return 0, err
	}
	if n > MaxSemaphoreValue { // Wait never registers past it; a foreign waiter might
		n = MaxSemaphoreValue
	}
	if n > 0 {
		if err := d.bells[old%2].Release(int(n)); err != nil {
			return gen, err
		}
	}
	return gen, nil
}

// Generation returns the current generation (how many times the bell rang since the control
// segment was created) and the number of registered waiters. ctx bounds the wait for the lock.
func (d *Doorbell) Generation(ctx context.Context) (gen uint64, waiters int, err error) {
	err = d.locked(ctx, func() error {
		g, n, err := d.control()
		gen, waiters = g, int(n)
		return err
	})
	return gen, waiters, err
}

// Wait returns the generation as soon as it differs from seen: at once if the bell rang since
// the caller saw seen, else when it rings next. Pass the generation the previous Wait (or
// Generation) returned. When ctx ends first, Wait withdraws its registration and returns the
// context's error (an *Error with Code LockError wrapping ctx.Err()) — unless the bell rang
// meanwhile, when it returns the new generation. A stray unit (see [Doorbell]) makes Wait
// check the generation and wait on; it never returns an unchanged generation.
func (d *Doorbell) Wait(ctx context.Context, seen uint64) (uint64, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	bell := d.bells[seen%2]
	registered := false
	for {
		var gen uint64
		err := d.locked(ctx, func() error {
			g, n, err := d.control()
			if err != nil || g != seen || registered {
				gen = g
				return err
			}
			if n >= MaxSemaphoreValue { // a release could not wake one more: poll instead
				return nil
			}
			registered = true
			gen = g
			return d.setControl(g, n+1)
		})
		switch {
		case err != nil:
			if registered {
				if g, ok := d.withdraw(seen); ok && g != seen {
					return g, nil
				}
			}
			return 0, err
		case gen != seen:
			return gen, nil
		case !registered:
			select {
			case <-ctx.Done():
				return 0, newError(LockError, "doorbell", d.key, "qtshm: waiting for the doorbell", ctx.Err())
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		if err := bell.AcquireContext(ctx); err != nil {
			if g, ok := d.withdraw(seen); ok && g != seen {
				return g, nil
			}
			return 0, err
		}
	}
}

// withdraw undoes a registration made when the generation was seen, after a wait gave up. If
// the bell rang since, the writer counted this waiter and released a unit for it, which is
// consumed here so that no other waiter wakes for it. It reports the generation and whether it
// could tell.
func (d *Doorbell) withdraw(seen uint64) (uint64, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), doorbellDeregisterBound)
	defer cancel()
	var gen uint64
	err := d.locked(ctx, func() error {
		g, n, err := d.control()
		if err != nil {
			return err
		}
		gen = g
		if g == seen && n > 0 {
			return d.setControl(g, n-1)
		}
		return nil
	})
	if err != nil {
		return 0, false // the registration stays: one stray unit at the next ring
	}
	if gen != seen {
		d.bells[seen%2].AcquireContext(ctx) // ours; if it never comes (its ringer died), none is owed
	}
	return gen, true
}

// Close detaches the control segment (the last process removes it) and closes the bells (their
// creator removes them, as Qt's destructor does). Do not call it while a Wait on this Doorbell
// is in progress in another goroutine: end the Wait's context first.
func (d *Doorbell) Close() error {
	var err error
	for _, b := range d.bells {
		if b != nil {
			if berr := b.Close(); err == nil {
				err = berr
			}
		}
	}
	if cerr := d.ctrl.Close(); err == nil {
		err = cerr
	}
	return err
}
