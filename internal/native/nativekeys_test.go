//go:build (qt5 || qt6) && !(qt5 && qt6)

package native

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/nativekey"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"github.com/qtshm/qtshm-go/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func nativeFactory(t *testing.T) backend.NativeKeyFactory {
	f, ok := Factory.(backend.NativeKeyFactory)
	if !ok {
		t.Fatal("the native factory does not implement backend.NativeKeyFactory")
	}
	return f
}

// With Qt < 6.6 every native-key call fails with ErrUnsupported naming the Qt version; with
// Qt ≥ 6.6 SupportsNativeKeys says so.
func TestSupportsNativeKeys(t *testing.T) {
	runtime, compiled := QtVersion()
	want := compiled >= 0x060600
	if SupportsNativeKeys() != want || Factory.(interface{ SupportsNativeKeys() bool }).SupportsNativeKeys() != want {
		t.Fatalf("SupportsNativeKeys() = %v with QT_VERSION %#x", SupportsNativeKeys(), compiled)
	}
	t.Logf("Qt %s (compiled against %#x): native keys %v", runtime, compiled, want)
	if want {
		return
	}
	k := nativekey.Key{Type: nativekey.SystemV, Native: filepath.Join(t.TempDir(), "k")}
	_, err1 := nativeFactory(t).NewNativeSharedMemory(k, backend.Config{})
	_, err2 := nativeFactory(t).NewNativeSemaphore(k, 1, qtipc.Create, backend.Config{})
	version := fmt.Sprintf("Qt %d.%d,", compiled>>16, compiled>>8&0xff)
	for _, err := range []error{err1, err2} {
		var e *qtipc.Error
		if !errors.As(err, &e) || !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(e.Msg, version) {
			t.Fatalf("got %v, want a *qtipc.Error wrapping ErrUnsupported that names %s", err, version)
		}
		t.Log(err)
	}
}

func requireNativeKeys(t *testing.T) {
	if !SupportsNativeKeys() {
		_, compiled := QtVersion()
		t.Skipf("built against QT_VERSION %#x: no QNativeIpcKey (TestSupportsNativeKeys covers this build)", compiled)
	}
}

// nativeKeyCases are keys whose string form needs percent-encoding, keys that Qt's
// legacyNativeKey makes (the shim then builds them that way) and keys it does not.
func nativeKeyCases(t *testing.T) []nativekey.Key {
	dir := t.TempDir()
	weird := []string{"K", "weird ?#%&=+ é%41 😀", "Ωμέγα", "a=b&legacyKey=c", "%", "#frag"}
	var ks []nativekey.Key
	for _, typ := range []uint16{nativekey.SystemV, 7, 0xff, nativekey.PosixRealtime} {
		natives := []string{filepath.Join(dir, "plain"), filepath.Join(dir, "odd ?#%41&= é"), "//double/slash", "rel"}
		if typ == nativekey.PosixRealtime {
			natives = []string{fmt.Sprintf("/qtshm-native-test-%d", os.Getpid()), "/odd ?#%41&= é", "//double", "noslash"}
		}
		for _, n := range natives {
			ks = append(ks, nativekey.Key{Type: typ, Native: n})
			for _, l := range weird {
				ks = append(ks, nativekey.Key{Type: typ, Native: n, Legacy: l})
			}
		}
		for _, l := range weird {
			ks = append(ks, nativekey.Legacy(l, false, typ)) // Qt's legacyNativeKey(l, typ)
		}
	}
	return ks
}

// The object's nativeIpcKey() is exactly the key it was made from: type, native key and
// legacy key, whatever characters they hold.
func TestNativeSharedMemoryKeyExact(t *testing.T) {
	requireNativeKeys(t)
	t.Setenv("TMPDIR", t.TempDir())
	ks := nativeKeyCases(t)
	for _, k := range ks {
		m, err := nativeFactory(t).NewNativeSharedMemory(k, backend.Config{})
		if err != nil {
			t.Errorf("%+v: %v", k, err)
			continue
		}
		got, ok := NativeIpcKey(m)
		if !ok || got != k || m.Key() != k.Legacy || m.NativeKey() != k.Native {
			t.Errorf("made from %+v: nativeIpcKey %+v (%v), Key %q, NativeKey %q", k, got, ok, m.Key(), m.NativeKey())
		}
		m.Close(context.Background())
	}
	t.Logf("%d keys reproduced exactly", len(ks))
}

// The same for QSystemSemaphore, which opens its semaphore at once: here in a temp directory
// (System V) or under a unique POSIX name, created and removed again.
func TestNativeSemaphoreKeyExact(t *testing.T) {
	requireNativeKeys(t)
	dir := t.TempDir()
	posix := fmt.Sprintf("/qtshm-native-sem-test-%d", os.Getpid())
	ks := []nativekey.Key{
		{Type: nativekey.SystemV, Native: filepath.Join(dir, "sem")},
		{Type: 9, Native: filepath.Join(dir, "sem9"), Legacy: "weird ?#%&=+ é%41"},
		{Type: nativekey.PosixRealtime, Native: posix},
		{Type: nativekey.PosixRealtime, Native: posix + "-l", Legacy: "a=b&c"},
	}
	t.Cleanup(func() {
		os.Remove("/dev/shm/sem." + posix[1:])
		os.Remove("/dev/shm/sem." + posix[1:] + "-l")
	})
	for _, k := range ks {
		s, err := nativeFactory(t).NewNativeSemaphore(k, 1, qtipc.Create, backend.Config{})
		if err != nil {
			t.Errorf("%+v: %v", k, err)
			continue
		}
		got, ok := NativeIpcKey(s)
		if !ok || got != k || s.Key() != k.Legacy || s.NativeKey() != k.Native {
			t.Errorf("made from %+v: nativeIpcKey %+v (%v), Key %q, NativeKey %q", k, got, ok, s.Key(), s.NativeKey())
		}
		if err := s.Acquire(context.Background()); err != nil {
			t.Errorf("%+v: Acquire: %v", k, err)
		}
		if err := s.Release(1); err != nil {
			t.Errorf("%+v: Release: %v", k, err)
		}
		s.Close()
	}
	for _, p := range []string{posix, posix + "-l"} {
		if _, err := os.Stat("/dev/shm/sem." + p[1:]); err == nil {
			t.Errorf("/dev/shm/sem.%s left behind by Qt's QSystemSemaphore(Create) destructor", p[1:])
		}
	}
}

// Key types other than System V (1..0xff) and PosixRealtime fail with ErrUnsupported, before
// anything is made (Qt 6.8.2 itself would take 0 and 0x102.. as System V keys).
func TestNativeKeyUnsupportedTypes(t *testing.T) {
	requireNativeKeys(t)
	for _, typ := range []uint16{nativekey.Invalid, nativekey.Windows, 0x102, 0xffff} {
		k := nativekey.Key{Type: typ, Native: filepath.Join(t.TempDir(), "k")}
		m, err1 := nativeFactory(t).NewNativeSharedMemory(k, backend.Config{})
		s, err2 := nativeFactory(t).NewNativeSemaphore(k, 1, qtipc.Create, backend.Config{})
		if m != nil {
			m.Close(context.Background())
		}
		if s != nil {
			s.Close()
		}
		for _, err := range []error{err1, err2} {
			var e *qtipc.Error
			if !errors.As(err, &e) || e.Code != qtipc.KeyError || !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("type %#x: got %v, want KeyError wrapping ErrUnsupported", typ, err)
			}
		}
	}
}
