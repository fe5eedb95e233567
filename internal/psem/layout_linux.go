//go:build linux && !android

package psem

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// layout64 tells which struct new_sem glibc uses on this architecture: the 64-bit one where
// glibc has 64-bit atomics (__HAVE_64B_ATOMICS: every 64-bit architecture Go runs Linux on),
// the 32-bit one elsewhere (386, arm, mips, mipsle).
const layout64 = unsafe.Sizeof(uintptr(0)) == 8

// semSize is sizeof(sem_t), the size of a semaphore file: 32 bytes on 64-bit, 16 on 32-bit.
const semSize = 16 + 16*int64(unsafe.Sizeof(uintptr(0))/8)

// The struct new_sem offsets.
//
//	64-bit: uint64 data @0 (value: low 32 bits, nwaiters: high 32), int32 private @8, int32 pad @12
//	32-bit: uint32 value @0 (value<<1 | waiters bit), int32 private @4, int32 pad @8, uint32 nwaiters @12
const (
	nwaitersShift = 32 // SEM_NWAITERS_SHIFT (64-bit)
	valueShift    = 1  // SEM_VALUE_SHIFT (32-bit)
	nwaitersBit   = 1  // SEM_NWAITERS_MASK (32-bit)
	oneWaiter     = uint64(1) << nwaitersShift
)

func privateOffset() uintptr {
	if layout64 {
		return 8
	}
	return 4
}

// bigEndian: on a big-endian machine the 64-bit layout's value (the low half of data) is the
// second 32-bit word (glibc's SEM_VALUE_OFFSET).
var bigEndian = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

func (s *Sem) setLayout() {
	if layout64 {
		s.data = (*uint64)(s.pointer(0))
		off := uintptr(0)
		if bigEndian {
			off = 4
		}
		s.word = (*uint32)(s.pointer(off))
		return
	}
	s.word = (*uint32)(s.pointer(0))
	s.nwait = (*uint32)(s.pointer(12))
}

func (s *Sem) private() *int32 { return (*int32)(s.pointer(privateOffset())) }

// initialImage is the content of a new semaphore file, as glibc's __new_sem_open_init writes
// it: the value, no waiters, private = FUTEX_SHARED, pad and the rest of sem_t zero.
func initialImage(value uint32) []byte {
	b := make([]byte, semSize)
	ne := binary.NativeEndian
	if layout64 {
		ne.PutUint64(b[0:], uint64(value))
	} else {
		ne.PutUint32(b[0:], value<<valueShift)
		ne.PutUint32(b[12:], 0)
	}
	ne.PutUint32(b[privateOffset():], futexShared)
	return b
}

func randN(n int) int { return rand.IntN(n) }

// take tries to take a token without blocking (glibc's __new_sem_wait_fast); definitive
// retries a compare-and-swap lost to a concurrent change, as sem_trywait.
func (s *Sem) take(definitive bool) bool {
	if layout64 {
		d := atomic.LoadUint64(s.data)
		for uint32(d) != 0 {
			if atomic.CompareAndSwapUint64(s.data, d, d-1) {
				return true
			}
			if !definitive {
				return false
			}
			d = atomic.LoadUint64(s.data)
		}
		return false
	}
	v := atomic.LoadUint32(s.word)
	for v>>valueShift != 0 {
		if atomic.CompareAndSwapUint32(s.word, v, v-1<<valueShift) {
			return true
		}
		if !definitive {
			return false
		}
		v = atomic.LoadUint32(s.word)
	}
	return false
}

// wait64 is glibc's sem_wait on the 64-bit layout (__new_sem_wait_slow64), with a wait that
// ends (ctx, Close) unregistering exactly as glibc's timeout path does.
func (s *Sem) wait64(ctx context.Context) error {
	if s.take(false) {
		return nil
	}
	d := atomic.AddUint64(s.data, oneWaiter) - oneWaiter
	for {
		if uint32(d) == 0 {
			if err := s.sleep(ctx, 0); err != nil {
				atomic.AddUint64(s.data, ^(oneWaiter - 1)) // -oneWaiter
				return err
			}
			d = atomic.LoadUint64(s.data)
			continue
		}
		// Take a token and stop being a waiter in one step.
		if atomic.CompareAndSwapUint64(s.data, d, d-1-oneWaiter) {
			return nil
		}
		d = atomic.LoadUint64(s.data)
	}
}

// wait32 is glibc's sem_wait on the 32-bit layout, step for step: register in nwaiters, set the
// waiters bit before sleeping, take a token, then __sem_wait_32_finish.
func (s *Sem) wait32(ctx context.Context) error {
	if s.take(false) {
		return nil
	}
	atomic.AddUint32(s.nwait, 1)
	defer s.finish32()
	v := atomic.LoadUint32(s.word)
	for {
		for {
			// About to block: make sure the waiters bit is set. (As in glibc, v keeps the
			// value read before a successful compare-and-swap.)
			for v&nwaitersBit == 0 {
				if atomic.CompareAndSwapUint32(s.word, v, v|nwaitersBit) {
					break
				}
				v = atomic.LoadUint32(s.word)
			}
			if v>>valueShift == 0 {
				if err := s.sleep(ctx, nwaitersBit); err != nil {
					return err
				}
				v = atomic.LoadUint32(s.word)
			}
			if v>>valueShift != 0 {
				break
			}
		}
		if atomic.CompareAndSwapUint32(s.word, v, v-1<<valueShift) {
			return nil
		}
		v = atomic.LoadUint32(s.word)
	}
}

// finish32 is glibc's __sem_wait_32_finish: stop being a waiter, clearing the waiters bit if we
// seem to be the last one, and repair a wrong guess by waking as many waiters as there are
// tokens.
func (s *Sem) finish32() {
	wguess := atomic.LoadUint32(s.nwait)
	if wguess == 1 {
		atomic.AndUint32(s.word, ^uint32(nwaitersBit))
	}
	wfinal := atomic.AddUint32(s.nwait, ^uint32(0)) + 1
	if wfinal > 1 && wguess == 1 {
		v := atomic.OrUint32(s.word, nwaitersBit) >> valueShift
		if v > 0 {
			futexWakeN(s.word, v)
		}
	}
}

// post64 is glibc's sem_post on the 64-bit layout.
func (s *Sem) post64() error {
	d := atomic.LoadUint64(s.data)
	for {
		if uint32(d) == SemValueMax {
			return errOverflow
		}
		if atomic.CompareAndSwapUint64(s.data, d, d+1) {
			break
		}
		d = atomic.LoadUint64(s.data)
	}
	if d>>nwaitersShift > 0 {
		futexWakeN(s.word, 1)
	}
	return nil
}

// post32 is glibc's sem_post on the 32-bit layout.
func (s *Sem) post32() error {
	v := atomic.LoadUint32(s.word)
	for {
		if v>>valueShift == SemValueMax {
			return errOverflow
		}
		if atomic.CompareAndSwapUint32(s.word, v, v+1<<valueShift) {
			break
		}
		v = atomic.LoadUint32(s.word)
	}
	if v&nwaitersBit != 0 {
		futexWakeN(s.word, 1)
	}
	return nil
}
