package qtshm_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/qtshm"
)

// Parsing a key string another process printed, and printing one for it. The expectations of
// the interop test come from Qt 6.8 itself; these are a few of its answers.
func ExampleParseNativeIpcKey() {
	k, err := qtshm.ParseNativeIpcKey("SystemV:/tmp/qipc_sharedmemory_k?legacyKey=my%20key")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Type == qtshm.SystemV, k.Native, k.Legacy)
	fmt.Println(k)

	p := qtshm.NativeIpcKey{Type: qtshm.PosixRealtime, Native: "/50% off"}
	fmt.Println(p)

	_, err = qtshm.ParseNativeIpcKey("systemv-0:/k")
	fmt.Println(errors.Is(err, qtshm.ErrKeyError))
	// Output:
	// true /tmp/qipc_sharedmemory_k my key
	// systemv:/tmp/qipc_sharedmemory_k?legacyKey=my key
	// posix:/50%25 off
	// true
}

func ExampleLegacyNativeIpcKey() {
	k := qtshm.LegacyNativeIpcKey("k", qtshm.PosixRealtime)
	fmt.Println(k)
	// Output: posix:/qipc_sharedmemory_k13fbd79c3d390e5d6585a21e11ff5ec1970cff0c?legacyKey=k
}

// TestParseNativeIpcKeyError: an invalid string is an *Error with Code KeyError.
func TestParseNativeIpcKeyError(t *testing.T) {
	for _, s := range []string{"", "k", "systemv-256:/k", "posix:/x?x=1", "posix://host/x"} {
		k, err := qtshm.ParseNativeIpcKey(s)
		var e *qtshm.Error
		if !errors.As(err, &e) || e.Code != qtshm.KeyError || k.IsValid() {
			t.Errorf("ParseNativeIpcKey(%q) = %+v, %v; want an invalid key and a KeyError", s, k, err)
		}
	}
}

// TestLegacyKeysMatchNew: the System V legacy native key is the one New uses.
func TestLegacyKeysMatchNew(t *testing.T) {
	for _, key := range []string{"k", "a b", "日本"} {
		shm := qtshm.New(key)
		if got := qtshm.LegacyNativeIpcKey(key, qtshm.SystemV); got.Native != shm.NativeKey() || got.Legacy != key {
			t.Errorf("LegacyNativeIpcKey(%q) = %+v; New gives %q", key, got, shm.NativeKey())
		}
		sem := qtshm.LegacySemaphoreNativeIpcKey(key, qtshm.SystemV)
		if !strings.Contains(sem.Native, "/qipc_systemsem_") {
			t.Errorf("LegacySemaphoreNativeIpcKey(%q) = %+v", key, sem)
		}
		shm.Close()
	}
}

// FuzzParseNativeIpcKey: parsing never panics, and the string of a parsed key parses back to
// the same key.
func FuzzParseNativeIpcKey(f *testing.F) {
	for _, s := range []string{"posix:/x", "systemv-7:/a%2Fb?legacyKey=a%26b", "SystemV:////k#f", "posix:/a%zz?legacyKey=%41%",
		"windows:Local\\x", "posix:/x?legacyKey=1&legacyKey=2&", "posix:/%FF%C3", "systemv-081:/k?legacy%4Bey=k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := qtshm.ParseNativeIpcKey(s)
		if err != nil {
			return
		}
		str := k.String()
		k2, err := qtshm.ParseNativeIpcKey(str)
		if err != nil || k2 != k {
			t.Fatalf("%q parsed to %+v, printed %q, which parses to %+v (%v)", s, k, str, k2, err)
		}
	})
}
