//go:build qt5 || qt6

package qtshm_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/native"
	"github.com/qtshm/qtshm-go/qtshm"
)

// differentialKeys are the keys whose native key the pure backend must derive exactly as the
// real Qt behind the native backend does.
var differentialKeys = []string{
	"SomeKey", "MySharedMemoryKey", "My-Key 42_ÄbcΩz.", "a", "Z", "12345", "0", "_-.", "   ",
	"key with spaces", "tab\tkey", "new\nline", "slash/in/key", "back\\slash", "colon:semi;",
	"quote\"'`", "percent%20", "query?x=1#frag", "程序1动态消息", "Ωμέγα", "Ä", "emoji 😀 key",
	"👩‍👩‍👧", "mixed123abcDEF", strings.Repeat("LongKey", 50), strings.Repeat("é", 320),
	"\x01control", "qipc_sharedmemory_", "MySharedMemoryKey ",
}

func TestDifferentialNativeKeys(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	os.Mkdir(real, 0o755)
	link := filepath.Join(base, "link")
	os.Symlink(real, link)
	t.Chdir(base)
	tmpdirs := []string{"", "/tmp", "/tmp/", real + "/", link, link + "/", "real", "./link/", filepath.Join(base, "missing"), "/"}
	for _, tmpdir := range tmpdirs {
		t.Setenv("TMPDIR", tmpdir)
		for _, key := range differentialKeys {
			pure := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
			qt := qtshm.New(key, qtshm.WithBackend(qtshm.BackendNative))
			if pure.NativeKey() != qt.NativeKey() {
				t.Errorf("TMPDIR=%q key %q:\n pure %q\n Qt   %q", tmpdir, key, pure.NativeKey(), qt.NativeKey())
			}
			if qtshm.LegacyNativeKey(key) != qt.NativeKey() {
				t.Errorf("TMPDIR=%q key %q: LegacyNativeKey %q, Qt %q", tmpdir, key, qtshm.LegacyNativeKey(key), qt.NativeKey())
			}
			pure.Close()
			qt.Close()
		}
	}
	v, _ := native.QtVersion()
	t.Logf("%d keys × %d TMPDIR forms agree with Qt %s", len(differentialKeys), len(tmpdirs), v)
}

type outcome struct {
	Code qtshm.ErrorCode
	Msg  string
}

func outcomeOf(err error) outcome {
	var e *qtshm.Error
	if errors.As(err, &e) {
		return outcome{e.Code, e.Msg}
	}
	if err != nil {
		return outcome{-1, err.Error()}
	}
	return outcome{qtshm.NoError, ""}
}

// badInputScript runs the bad-input cases on one backend and returns each step's outcome.
func badInputScript(t *testing.T, be, key string) []outcome {
	opt := qtshm.WithBackend(be)
	var out []outcome
	step := func(err error) { out = append(out, outcomeOf(err)) }

	empty := qtshm.New("", opt)
	step(empty.Create(1024, qtshm.ReadWrite))
	step(empty.Attach(qtshm.ReadWrite))
	step(empty.Lock())
	empty.Close()

	empty2 := qtshm.New("", opt)
	step(empty2.Attach(qtshm.ReadOnly))
	empty2.Close()

	m := qtshm.New(key, opt)
	step(m.Lock()) // before create/attach
	step(m.Create(0, qtshm.ReadWrite))
	step(m.Create(-5, qtshm.ReadWrite))
	step(m.Attach(qtshm.ReadWrite)) // nothing there
	step(m.Unlock())
	step(m.Detach())
	step(m.Create(100, qtshm.ReadWrite))
	step(m.Attach(qtshm.ReadWrite)) // already attached
	other := qtshm.New(key, opt)
	step(other.Create(100, qtshm.ReadWrite)) // create twice
	step(other.Attach(qtshm.ReadOnly))
	step(other.Lock())
	step(other.Unlock())
	step(other.Detach())
	step(other.Detach())
	other.Close()
	step(m.Lock())
	// Locked already: unlike Qt's lock(), which returns true at once, a second Lock waits for
	// the Unlock (it may come from another goroutine); bounded here, it gives LockError.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	step(m.LockContext(ctx))
	cancel()
	step(m.Unlock())
	step(m.Unlock())
	step(m.Detach())
	m.Close()

	fresh := qtshm.New(key, opt)
	step(fresh.Attach(qtshm.ReadWrite)) // gone after the last detach
	fresh.Close()
	return out
}

func TestDifferentialBadInput(t *testing.T) {
	key := uniqueKey(t)
	pure := badInputScript(t, qtshm.BackendSysV, key)
	qt := badInputScript(t, qtshm.BackendNative, key)
	v, compiled := native.QtVersion()
	sameTexts := compiled < 0x060600 // the default flavour reproduces Qt 5.15–6.5 texts
	for i := range pure {
		if pure[i].Code != qt[i].Code {
			t.Errorf("step %d: pure %v %q, Qt %s %v %q", i, pure[i].Code, pure[i].Msg, v, qt[i].Code, qt[i].Msg)
		} else if sameTexts && pure[i].Msg != qt[i].Msg {
			t.Errorf("step %d: same code %v, texts differ: pure %q, Qt %s %q", i, pure[i].Code, pure[i].Msg, v, qt[i].Msg)
		}
	}
	t.Logf("%d steps agree with Qt %s", len(pure), v)
}
