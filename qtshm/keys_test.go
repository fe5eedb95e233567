package qtshm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/qtshm"
)

func TestLegacyNativeKeyVectors(t *testing.T) {
	t.Setenv("TMPDIR", "")
	for _, v := range []struct{ key, want string }{
		{"SomeKey", "/tmp/qipc_sharedmemory_SomeKeybf5cd77691581e6a59f8e3306703cfeccb6e3849"},
		{"My-Key 42_ÄbcΩz.", "/tmp/qipc_sharedmemory_MyKeybcza4396a3df21386e86d292a3576b21b963d20abb6"},
		{"MySharedMemoryKey", "/tmp/qipc_sharedmemory_MySharedMemoryKeyee9effb35995f5f91b675df4a2799b53e86851fa"},
		{"12345", "/tmp/qipc_sharedmemory_8cb2237d0679ca88db6464eac60da96345513964"},
		{"程序1", "/tmp/qipc_sharedmemory_f07009666543cb9109d99d3fc72b1275319fbf43"},
		{"emoji 😀 key", "/tmp/qipc_sharedmemory_emojikeya2c78fe7dfddb6e32083ed1e686e89e18c6d4718"},
		{"with/slash and.dots", "/tmp/qipc_sharedmemory_withslashanddots406368551c3eb8f8c83bb4622b8c35f58c6a31f1"},
		{strings.Repeat("a", 300), "/tmp/qipc_sharedmemory_" + strings.Repeat("a", 300) + "003ef1ba9ea9f2f4dab3a2004e505ca8a4e7e5a3"},
		{"", ""},
	} {
		if got := qtshm.LegacyNativeKey(v.key); got != v.want {
			t.Errorf("LegacyNativeKey(%q) = %q, want %q", v.key, got, v.want)
		}
		if got := qtshm.New(v.key).NativeKey(); got != v.want {
			t.Errorf("New(%q).NativeKey() = %q, want %q", v.key, got, v.want)
		}
	}
	if got, want := qtshm.LegacySemaphoreNativeKey("SomeKey"), "/tmp/qipc_systemsem_SomeKeybf5cd77691581e6a59f8e3306703cfeccb6e3849"; got != want {
		t.Errorf("LegacySemaphoreNativeKey = %q, want %q", got, want)
	}
}

func TestTempPathRules(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	realResolved, _ := filepath.EvalSymlinks(real)
	t.Chdir(base)
	for _, c := range []struct{ tmpdir, want string }{
		{"", "/tmp"},
		{"/tmp/", "/tmp"},
		{"/tmp//", "/tmp"},
		{real + "/", realResolved},
		{real + "/./", realResolved},
		{real + "/../real", realResolved},
		{link, realResolved},
		{link + "/", realResolved},
		{"real", realResolved},    // relative: from the current directory
		{"./link/", realResolved}, // relative through a symlink
		{"/", "/"},
		{filepath.Join(base, "missing"), ""},
	} {
		t.Setenv("TMPDIR", c.tmpdir)
		if got := qtshm.TempPath(); got != c.want {
			t.Errorf("TMPDIR=%q: TempPath() = %q, want %q", c.tmpdir, got, c.want)
		}
	}
	// Qt's consequences for the native key: a missing dir puts the key at the root, "/" doubles the slash.
	t.Setenv("TMPDIR", filepath.Join(base, "missing"))
	if got := qtshm.LegacyNativeKey("SomeKey"); got != "/qipc_sharedmemory_SomeKeybf5cd77691581e6a59f8e3306703cfeccb6e3849" {
		t.Errorf("missing TMPDIR: %q", got)
	}
	t.Setenv("TMPDIR", "/")
	if got := qtshm.LegacyNativeKey("SomeKey"); got != "//qipc_sharedmemory_SomeKeybf5cd77691581e6a59f8e3306703cfeccb6e3849" {
		t.Errorf("TMPDIR=/: %q", got)
	}
}
