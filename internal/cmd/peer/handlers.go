package peer

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"os"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// handler runs one operation with its checked arguments and returns the result's fields.
type handler func(p *peer, a args) ([]field, error)

// handlers implement the operations of ops.txt; an operation of the table without one
// reports "unimplemented op".
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"nativekey-parse": func(p *peer, a args) ([]field, error) {
			k, _ := qtshm.ParseNativeIpcKey(string(a.bytes(0)))
			return nativeKeyFields(k), nil
		},
		"nativekey-safe": func(p *peer, a args) ([]field, error) {
			return nativeKeyFields(qtshm.PlatformSafeKey(string(a.bytes(0)), qtshm.KeyType(uint16(a.int(1))))), nil
		},
		"nativekey-sem-safe": func(p *peer, a args) ([]field, error) {
			return nativeKeyFields(qtshm.PlatformSafeSemaphoreKey(string(a.bytes(0)), qtshm.KeyType(uint16(a.int(1))))), nil
		},
		"nativekey-legacy": func(p *peer, a args) ([]field, error) {
			return nativeKeyFields(qtshm.LegacyNativeIpcKey(string(a.bytes(0)), qtshm.KeyType(uint16(a.int(1))))), nil
		},
		"nativekey-sem-legacy": func(p *peer, a args) ([]field, error) {
			return nativeKeyFields(qtshm.LegacySemaphoreNativeIpcKey(string(a.bytes(0)), qtshm.KeyType(uint16(a.int(1))))), nil
		},
		"keys": func(p *peer, a args) ([]field, error) {
			return []field{{"key", p.shm.Key()}, {"nativeKey", p.shm.NativeKey()}, {"nativeIpcKey", p.shm.NativeIpcKey().String()}}, nil
		},
		"create": func(p *peer, a args) ([]field, error) {
			return nil, p.shm.CreateContext(p.waitCtx(), a.int(0), a.mode(1))
		},
		"attach": func(p *peer, a args) ([]field, error) { return nil, p.shm.AttachContext(p.waitCtx(), a.mode(0)) },
		"detach": func(p *peer, a args) ([]field, error) { return nil, p.shm.DetachContext(p.waitCtx()) },
		"lock":   func(p *peer, a args) ([]field, error) { return nil, p.shm.LockContext(p.waitCtx()) },
		"unlock": func(p *peer, a args) ([]field, error) { return nil, p.shm.Unlock() },
		"lockfor": func(p *peer, a args) ([]field, error) {
			if err := p.shm.LockContext(p.waitCtx()); err != nil {
				return nil, err
			}
			p.sleep(a.int(0)) // holding the lock
			return nil, p.shm.Unlock()
		},
		"lockwithin": func(p *peer, a args) ([]field, error) {
			ctx, cancel := context.WithTimeout(p.ctx, time.Duration(a.int(0))*time.Millisecond)
			defer cancel()
			return nil, p.shm.LockContext(ctx)
		},
		"size": func(p *peer, a args) ([]field, error) { return []field{{"size", p.shm.Size()}}, nil },
		"write": func(p *peer, a args) ([]field, error) {
			return nil, p.write1(int64(a.int(0)), a.bytes(1))
		},
		"writestr": func(p *peer, a args) ([]field, error) {
			return nil, p.write1(0, append([]byte(a.str(0)), 0))
		},
		"read": func(p *peer, a args) ([]field, error) {
			off, n := int64(a.int(0)), int64(a.int(1))
			if !p.shm.IsAttached() {
				return nil, errNotAttached
			}
			if off+n > int64(p.shm.Size()) {
				return nil, peerErr(qtshm.InvalidSize, "read past the end of the segment")
			}
			b := make([]byte, n)
			if n > 0 {
				if _, err := p.shm.ReadAt(b, off); err != nil {
					return nil, err
				}
			}
			return []field{{"hex", hex.EncodeToString(b)}}, nil
		},
		"readstr": func(p *peer, a args) ([]field, error) {
			d := p.shm.Data()
			if d == nil {
				return nil, errNotAttached
			}
			if i := bytes.IndexByte(d, 0); i >= 0 {
				d = d[:i]
			}
			return []field{{"str", string(d)}}, nil
		},
		"inc": func(p *peer, a args) ([]field, error) {
			v, err := p.inc(p.shm, a.int(0))
			return []field{{"value", v}}, err
		},
		"bench": func(p *peer, a args) ([]field, error) {
			n := a.int(0)
			var err error
			start := time.Now()
			for i := 0; i < n && err == nil; i++ {
				if err = p.shm.LockContext(p.waitCtx()); err == nil {
					err = p.shm.Unlock()
				}
			}
			return []field{{"nsPerOp", float64(time.Since(start).Nanoseconds()) / float64(n)}}, err
		},
		"sleep": func(p *peer, a args) ([]field, error) {
			p.sleep(a.int(0))
			return nil, nil
		},
		"wait": func(p *peer, a args) ([]field, error) {
			p.nextLine()
			return nil, nil
		},
		"crash": func(p *peer, a args) ([]field, error) {
			p.result("crash", nil, nil)
			if self, err := os.FindProcess(os.Getpid()); err == nil {
				self.Kill() // SIGKILL: no deferred cleanup runs, as if the process crashed
			}
			time.Sleep(time.Hour)
			return nil, nil
		},
		"close": func(p *peer, a args) ([]field, error) {
			// Like deleting the QSharedMemory and making a new one with the same key.
			err := p.shm.Close()
			p.shm = p.newShm()
			return nil, err
		},
		"sem-open": func(p *peer, a args) ([]field, error) {
			if p.sem != nil {
				p.sem.Close()
				p.sem = nil
			}
			s, err := qtshm.NewSystemSemaphore(a.str(0), a.int(1), a.semMode(2), p.opts...)
			if err != nil {
				return nil, err
			}
			p.sem = s
			return nil, nil
		},
		"sem-open-native": func(p *peer, a args) ([]field, error) {
			if p.sem != nil {
				p.sem.Close()
				p.sem = nil
			}
			// A string that does not parse is passed on as the zero (invalid) key, as Qt passes
			// QNativeIpcKey::fromString's invalid key to QSystemSemaphore.
			k, _ := qtshm.ParseNativeIpcKey(string(a.bytes(0)))
			s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, a.int(1), a.semMode(2), p.nativeKeyOpts(k)...)
			if err != nil {
				return nil, err
			}
			p.sem = s
			return nil, nil
		},
		"sem-acquire": func(p *peer, a args) ([]field, error) {
			if p.sem == nil {
				return nil, errNoSemaphore
			}
			return nil, p.sem.AcquireContext(p.waitCtx())
		},
		"sem-release": func(p *peer, a args) ([]field, error) {
			if p.sem == nil {
				return nil, errNoSemaphore
			}
			return nil, p.sem.Release(a.int(0))
		},
		"sem-close": func(p *peer, a args) ([]field, error) {
			if p.sem == nil {
				return nil, errNoSemaphore
			}
			err := p.sem.Close()
			p.sem = nil
			return nil, err
		},
		"ops": func(p *peer, a args) ([]field, error) {
			ops, err := Ops()
			var list []string
			for _, o := range ops {
				list = append(list, o.String())
			}
			return []field{{"ops", list}}, err
		},
		"coa":     coa,
		"coainc":  coainc,
		"stale":   stale,
		"threads": threads,
	}
}

// sleep sleeps ms milliseconds, or until the peer is asked to stop.
func (p *peer) sleep(ms int) {
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.ctx.Done():
	}
}

// write1 copies b into the segment at off, after the peer's own checks; the library's WriteAt
// then refuses a ReadOnly attachment with PermissionDenied.
func (p *peer) write1(off int64, b []byte) error {
	if !p.shm.IsAttached() {
		return errNotAttached
	}
	if off+int64(len(b)) > int64(p.shm.Size()) {
		return peerErr(qtshm.InvalidSize, "write past the end of the segment")
	}
	_, err := p.shm.WriteAt(b, off)
	return err
}

// inc does n times: lock m, add 1 to the uint64 at offset 0, unlock. It returns the last value
// written (0 if none).
func (p *peer) inc(m *qtshm.SharedMemory, n int) (uint64, error) {
	if !m.IsAttached() {
		return 0, errNotAttached
	}
	if m.Size() < 8 {
		return 0, errTooSmall
	}
	var v uint64
	for i := 0; i < n; i++ {
		if err := m.LockContext(p.waitCtx()); err != nil {
			return v, err
		}
		d := m.Data()
		v = binary.LittleEndian.Uint64(d) + 1
		binary.LittleEndian.PutUint64(d, v)
		if err := m.Unlock(); err != nil {
			return v, err
		}
	}
	return v, nil
}

// nativeKeyFields are the result fields of the nativekey-* operations.
func nativeKeyFields(k qtshm.NativeIpcKey) []field {
	return []field{{"valid", k.IsValid()}, {"type", int(k.Type)}, {"native", k.Native}, {"legacy", k.Legacy}, {"string", k.String()}}
}
