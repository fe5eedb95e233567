//go:build qt5 || qt6

package qtshm_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/native"
	"github.com/qtshm/qtshm-go/qtshm"
)

// The native-key differential tests: the same operations on objects made from one Qt 6.6+
// QNativeIpcKey, once on a pure backend (System V; POSIX realtime once it is built in) and
// once on the native backend, which is Qt itself (the Qt 6.8.2 build of scripts/setup.sh,
// $QTSHM_CACHE/build/qt68/qtshm.test), must give the same error codes step by step. With a
// native backend built against Qt < 6.6 there is nothing to compare: TestNativeKeysNeedQt66
// checks that it says so.

func init() { nativeQt66 = native.SupportsNativeKeys() }

func requireNativeKeyQt(t *testing.T) string {
	v, compiled := native.QtVersion()
	if !native.SupportsNativeKeys() {
		t.Skipf("the native backend is built against QT_VERSION %#x (< 6.6): no native keys; the Qt 6.8 test binary runs this", compiled)
	}
	return v
}

// With Qt < 6.6 the native backend refuses native keys with ErrUnsupported.
func TestNativeKeysNeedQt66(t *testing.T) {
	_, compiled := native.QtVersion()
	if compiled >= 0x060600 {
		t.Skip("built against Qt ≥ 6.6: TestDifferentialNativeKeyObjects covers native keys")
	}
	k := qtshm.NativeIpcKey{Type: qtshm.SystemV, Native: filepath.Join(t.TempDir(), "k")}
	m := qtshm.NewFromNativeKey(k, qtshm.WithBackend(qtshm.BackendNative))
	defer m.Close()
	wantCode(t, "Create", m.Create(8, qtshm.ReadWrite), qtshm.KeyError, errors.ErrUnsupported)
	_, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 1, qtshm.Create, qtshm.WithBackend(qtshm.BackendNative))
	wantCode(t, "NewSystemSemaphoreFromNativeKey", err, qtshm.KeyError, errors.ErrUnsupported)
}

// nativeKeyScript runs a fixed sequence of shared-memory and semaphore operations on objects of
// key k with the options opts and returns each step's outcome. Only unbounded calls are made:
// the native backend cannot honour a cancellable context.
func nativeKeyScript(t *testing.T, k qtshm.NativeIpcKey, opts ...qtshm.Option) []outcome {
	var out []outcome
	step := func(err error) { out = append(out, outcomeOf(err)) }

	m := qtshm.NewFromNativeKey(k, opts...)
	step(m.Lock())                     // before create or attach
	step(m.Attach(qtshm.ReadWrite))    // nothing there yet
	step(m.Create(0, qtshm.ReadWrite)) // bad size
	step(m.Create(100, qtshm.ReadWrite))
	if m.IsAttached() {
		binary.LittleEndian.PutUint64(m.Data(), 0x51746d)
	}
	step(m.Attach(qtshm.ReadWrite)) // already attached
	other := qtshm.NewFromNativeKey(k, opts...)
	step(other.Create(100, qtshm.ReadWrite)) // exists
	step(other.Attach(qtshm.ReadOnly))
	if other.IsAttached() && binary.LittleEndian.Uint64(other.Data()) != 0x51746d {
		out = append(out, outcome{-2, "other sees different data"})
	}
	step(other.Lock())
	step(other.Unlock())
	step(other.Unlock()) // not locked
	step(other.Detach())
	step(other.Detach()) // not attached
	step(other.Close())
	step(m.Lock())
	step(m.Unlock())
	step(m.Detach()) // the last one: the segment goes
	step(m.Close())
	fresh := qtshm.NewFromNativeKey(k, opts...)
	step(fresh.Attach(qtshm.ReadWrite)) // gone
	step(fresh.Close())

	s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 0, qtshm.Create, opts...)
	step(err)
	if err == nil {
		step(s.Release(2))
		step(s.Acquire())
		step(s.Acquire())
		step(s.Release(0))
		step(s.Release(-1))
		o, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 7, qtshm.Open, opts...) // Open keeps the value
		step(err)
		if err == nil {
			step(o.Release(1))
			step(s.Acquire())
			step(o.Close())
		}
		step(s.Close())
	}
	return out
}

type nativeKeyCase struct {
	name string
	key  func(t *testing.T) qtshm.NativeIpcKey
	pure []qtshm.Option
}

func nativeKeyDifferentialCases() []nativeKeyCase {
	sysv := []qtshm.Option{qtshm.WithBackend(qtshm.BackendSysV), qtshm.WithFlavor(qtshm.FlavorQt661)}
	file := func(typ qtshm.KeyType, legacy string) func(t *testing.T) qtshm.NativeIpcKey {
		return func(t *testing.T) qtshm.NativeIpcKey {
			return qtshm.NativeIpcKey{Type: typ, Native: filepath.Join(t.TempDir(), "native key"), Legacy: legacy}
		}
	}
	posix := func(legacy bool) func(t *testing.T) qtshm.NativeIpcKey {
		return func(t *testing.T) qtshm.NativeIpcKey {
			name := fmt.Sprintf("qtshm-native68-%d-%s", os.Getpid(), filepath.Base(t.Name()))
			t.Cleanup(func() {
				for _, p := range []string{name, "sem." + name} {
					os.Remove("/dev/shm/" + p)
				}
			})
			k := qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: "/" + name}
			if legacy {
				k = qtshm.LegacyNativeIpcKey(name, qtshm.PosixRealtime)
				t.Cleanup(func() {
					for _, n := range []string{qtshm.LegacyNativeIpcKey(name, qtshm.PosixRealtime).Native, qtshm.LegacySemaphoreNativeIpcKey(name, qtshm.PosixRealtime).Native} {
						os.Remove("/dev/shm/" + n[1:])
						os.Remove("/dev/shm/sem." + n[1:])
					}
				})
			}
			return k
		}
	}
	return []nativeKeyCase{
		{"systemv plain", file(qtshm.SystemV, ""), sysv},
		{"systemv with legacy key", file(qtshm.SystemV, "native68 legacy"), sysv},
		{"systemv-7 plain", file(7, ""), sysv},
		{"systemv-127 with legacy key", file(0x7f, "native68 legacy 127"), sysv}, // 0x80..0xff: see TestQtSharedMemoryRefusesProjectIDsFrom0x80
		{"systemv legacyNativeKey", func(t *testing.T) qtshm.NativeIpcKey {
			return qtshm.LegacyNativeIpcKey(fmt.Sprintf("native68 %d %s", os.Getpid(), t.Name()), qtshm.SystemV)
		}, sysv},
		{"posix plain", posix(false), []qtshm.Option{qtshm.WithBackend(qtshm.BackendPosix)}},
		{"posix legacyNativeKey", posix(true), []qtshm.Option{qtshm.WithBackend(qtshm.BackendPosix)}},
	}
}

func TestDifferentialNativeKeyObjects(t *testing.T) {
	v := requireNativeKeyQt(t)
	for _, c := range nativeKeyDifferentialCases() {
		t.Run(c.name, func(t *testing.T) {
			k := c.key(t)
			if k.Type == qtshm.PosixRealtime {
				probe := qtshm.NewFromNativeKey(k, c.pure...)
				err := probe.Attach(qtshm.ReadOnly)
				probe.Close()
				if errors.Is(err, errors.ErrUnsupported) {
					t.Skipf("no pure POSIX backend in this build (%v)", err)
				}
			}
			pure := nativeKeyScript(t, k, c.pure...)
			if k.Type == qtshm.PosixRealtime {
				// A POSIX segment outlives its last detach (in Qt as here): remove what the pure
				// run left, so that Qt starts from the same state.
				if _, err := qtshm.RemoveStaleNative(k); err != nil {
					t.Fatalf("RemoveStaleNative after the pure run: %v", err)
				}
			}
			qt := nativeKeyScript(t, k, qtshm.WithBackend(qtshm.BackendNative))
			if len(pure) != len(qt) {
				t.Fatalf("pure ran %d steps, Qt %s %d:\n pure %v\n Qt   %v", len(pure), v, len(qt), pure, qt)
			}
			texts := 0
			for i := range pure {
				if pure[i].Code != qt[i].Code {
					t.Errorf("%s step %d: pure %v %q, Qt %s %v %q", k, i, pure[i].Code, pure[i].Msg, v, qt[i].Code, qt[i].Msg)
				} else if pure[i].Msg != qt[i].Msg {
					texts++
					t.Logf("step %d: same code %v, texts differ: pure %q, Qt %q", i, pure[i].Code, pure[i].Msg, qt[i].Msg)
				}
			}
			t.Logf("%s: %d steps, same codes as Qt %s (%d texts differ)", k, len(pure), v, texts)
		})
	}
}

// Qt 6.8.2's QSharedMemory cannot use System V key types 0x80..0xff: ftok puts the project id
// in the top byte, the key is then negative, and QSharedMemorySystemV::handle takes any
// negative key for a failed ftok (an error made from whatever errno was left). Its
// QSystemSemaphore checks for -1 only and works. The pure backend takes such keys; no Qt
// process can meet it there, so nothing is lost.
func TestQtSharedMemoryRefusesProjectIDsFrom0x80(t *testing.T) {
	requireNativeKeyQt(t)
	for _, typ := range []qtshm.KeyType{0x80, 200, 0xff} {
		k := qtshm.NativeIpcKey{Type: typ, Native: filepath.Join(t.TempDir(), "k")}
		m := qtshm.NewFromNativeKey(k, qtshm.WithBackend(qtshm.BackendNative))
		err := m.Create(8, qtshm.ReadWrite)
		m.Close()
		// The code is whatever the errno left over from an earlier call maps to (UnknownError,
		// AlreadyExists, …): only the failure in handle() is certain.
		var e *qtshm.Error
		if !errors.As(err, &e) || !strings.HasPrefix(e.Msg, "QSharedMemory::handle: ") {
			t.Errorf("%s: Create = %v, want a failure in QSharedMemory::handle (Qt 6.8.2 refuses negative ftok keys)", k, err)
		}
		t.Logf("%s: %v", k, err)
		s, err := qtshm.NewSystemSemaphoreFromNativeKey(k, 1, qtshm.Create, qtshm.WithBackend(qtshm.BackendNative))
		if err != nil {
			t.Errorf("%s: QSystemSemaphore: %v", k, err)
			continue
		}
		if err := s.Acquire(); err != nil {
			t.Errorf("%s: Acquire: %v", k, err)
		}
		s.Close()
	}
}
