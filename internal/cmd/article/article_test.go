package article

import (
	"errors"
	"testing"
	"time"
)

func TestMessageRoundTrip(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 8, 7, 6_000_000, time.Local)
	msg := Message(now)
	if msg != "程序1动态消息#2026-11-23 09:08:07.006" {
		t.Fatalf("Message = %q", msg)
	}
	p, err := Parse(msg)
	if err != nil || p.Text != Prefix || !p.Sent.Equal(now) {
		t.Fatalf("Parse = %+v, %v", p, err)
	}
}

func TestParseBadMessages(t *testing.T) {
	if _, err := Parse("no separator"); !errors.Is(err, ErrNoSeparator) {
		t.Fatalf("no '#': %v", err)
	}
	if _, err := Parse("x#not a time"); err == nil || errors.Is(err, ErrNoSeparator) {
		t.Fatalf("bad time: %v", err)
	}
	if _, err := Parse(""); !errors.Is(err, ErrNoSeparator) {
		t.Fatalf("empty: %v", err)
	}
	if p, err := Parse("a#2026-01-02 03:04:05.678#extra"); err != nil || p.Sent.Nanosecond() != 678_000_000 {
		t.Fatalf("second '#': %+v %v", p, err)
	}
	if got := string(CString([]byte("abc\x00def"))); got != "abc" {
		t.Fatalf("CString = %q", got)
	}
	if got := string(CString([]byte("abc"))); got != "abc" {
		t.Fatalf("CString without NUL = %q", got)
	}
}
