package qtkey

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzName(f *testing.F) {
	for _, s := range []string{"", "SomeKey", "My-Key 42_ÄbcΩz.", "程序1动态消息", "😀", "\xff\xfe", strings.Repeat("x", 400)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		got := Name(key, SharedMemoryPrefix)
		if got != Name(key, SharedMemoryPrefix) {
			t.Fatal("not stable")
		}
		if key == "" {
			if got != "" {
				t.Fatalf("empty key gave %q", got)
			}
			return
		}
		if !strings.HasPrefix(got, SharedMemoryPrefix) {
			t.Fatalf("%q lacks the prefix", got)
		}
		rest := got[len(SharedMemoryPrefix):]
		if len(rest) < 40 {
			t.Fatalf("%q too short", got)
		}
		letters, hash := rest[:len(rest)-40], rest[len(rest)-40:]
		sum := sha1.Sum([]byte(key))
		if hash != hex.EncodeToString(sum[:]) {
			t.Fatalf("hash part %q is not sha1(%q)", hash, key)
		}
		var want strings.Builder
		for _, r := range key {
			if r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
				want.WriteRune(r)
			}
		}
		if letters != want.String() {
			t.Fatalf("letters %q, want %q", letters, want.String())
		}
		if p := Posix(key, SemaphorePrefix); p != "/"+Name(key, SemaphorePrefix) {
			t.Fatalf("Posix = %q", p)
		}
	})
}
