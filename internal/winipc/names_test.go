package winipc

import (
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/internal/nativekey"
)

// The legacy names are those of the Linux vectors (qtshm's TestLegacyNativeKeyVectors) without
// the temp directory: Qt for Windows uses the bare name (seen under Wine with Qt 5.15.8, 6.4.2
// and 6.8.2: qipc_sharedmemory_SomeKeybf5cd…3849).
func TestLegacyNames(t *testing.T) {
	for _, v := range []struct{ key, want string }{
		{"SomeKey", "qipc_sharedmemory_SomeKeybf5cd77691581e6a59f8e3306703cfeccb6e3849"},
		{"My-Key 42_ÄbcΩz.", "qipc_sharedmemory_MyKeybcza4396a3df21386e86d292a3576b21b963d20abb6"},
		{"MySharedMemoryKey", "qipc_sharedmemory_MySharedMemoryKeyee9effb35995f5f91b675df4a2799b53e86851fa"},
		{"12345", "qipc_sharedmemory_8cb2237d0679ca88db6464eac60da96345513964"},
		{"程序1", "qipc_sharedmemory_f07009666543cb9109d99d3fc72b1275319fbf43"},
		{"emoji 😀 key", "qipc_sharedmemory_emojikeya2c78fe7dfddb6e32083ed1e686e89e18c6d4718"},
		{"with/slash and.dots", "qipc_sharedmemory_withslashanddots406368551c3eb8f8c83bb4622b8c35f58c6a31f1"},
		{strings.Repeat("a", 300), "qipc_sharedmemory_" + strings.Repeat("a", 300) + "003ef1ba9ea9f2f4dab3a2004e505ca8a4e7e5a3"},
		{"", ""},
	} {
		if got := SegmentName(v.key); got != v.want {
			t.Errorf("SegmentName(%q) = %q, want %q", v.key, got, v.want)
		}
		wantSem := strings.Replace(v.want, "qipc_sharedmemory_", "qipc_systemsem_", 1)
		if got := SemaphoreName(v.key); got != wantSem {
			t.Errorf("SemaphoreName(%q) = %q, want %q", v.key, got, wantSem)
		}
	}
}

// Qt 6.8's platformSafeKey for Windows keys and the lock name of a Windows native key (seen
// under Wine: Local\demo → mapping Local\shm_demo, lock Local\shm_demo_sem, semaphore
// Local\sem_demo).
func TestWindowsNativeNames(t *testing.T) {
	for _, v := range []struct{ key, shm, sem string }{
		{`Local\demo`, `Local\shm_demo`, `Local\sem_demo`},
		{`Global\demo`, `Global\shm_demo`, `Global\sem_demo`},
		{`demo`, `shm_demo`, `sem_demo`},
		{`local\demo`, `shm_local\demo`, `sem_local\demo`}, // Qt matches the prefix case-sensitively
		{`Local\`, `Local\shm_`, `Local\sem_`},
		{"", "", ""},
	} {
		if got := nativekey.WindowsSafe(v.key, false); got != v.shm {
			t.Errorf("WindowsSafe(%q, shm) = %q, want %q", v.key, got, v.shm)
		}
		if got := nativekey.WindowsSafe(v.key, true); got != v.sem {
			t.Errorf("WindowsSafe(%q, sem) = %q, want %q", v.key, got, v.sem)
		}
	}
	if got := LockName(nativekey.Key{Type: nativekey.Windows, Native: `Local\shm_demo`}); got != `Local\shm_demo_sem` {
		t.Errorf("LockName = %q", got)
	}
	if got := LockName(nativekey.Key{Type: nativekey.Windows, Native: "x", Legacy: "SomeKey"}); got != SemaphoreName("SomeKey") {
		t.Errorf("LockName of a key with a legacy key = %q", got)
	}
	if got := LockName(nativekey.Key{Type: nativekey.Windows}); got != "" {
		t.Errorf("LockName of an empty key = %q, want none", got)
	}
	// MAX_PATH: the derived name is cut to 260 UTF-16 code units, the lock name to 255 + "_sem".
	long := strings.Repeat("k", 300)
	if got := nativekey.WindowsSafe(long, false); got != "shm_"+strings.Repeat("k", 256) {
		t.Errorf("WindowsSafe(300×k) has %d characters, want 260", len(got))
	}
	if got := LockName(nativekey.Key{Type: nativekey.Windows, Native: long}); got != strings.Repeat("k", 255)+"_sem" {
		t.Errorf("LockName(300×k) = %d characters, want 259", len(got))
	}
	// Code units, not bytes or runes: 😀 is two units; one cut in half becomes U+FFFD.
	if got := nativekey.TruncateUTF16("ab😀c", 3); got != "ab\uFFFD" {
		t.Errorf("TruncateUTF16 cut a pair to %q", got)
	}
	if got := nativekey.TruncateUTF16("ab😀c", 4); got != "ab😀" {
		t.Errorf("TruncateUTF16(4) = %q", got)
	}
	if got := nativekey.TruncateUTF16("日本語", 2); got != "日本" {
		t.Errorf("TruncateUTF16(日本語, 2) = %q", got)
	}
}
