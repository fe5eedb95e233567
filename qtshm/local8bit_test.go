package qtshm_test

import (
	"fmt"
	"log"
	"runtime"
	"testing"

	"github.com/qtshm/qtshm-go/qtshm"
)

// The article's message as a Qt writer stores it: toLocal8Bit() and a terminating NUL.
func ExampleToLocal8Bit() {
	b, err := qtshm.ToLocal8Bit("程序1动态消息#2024-05-01 12:00:00.000")
	if err != nil {
		log.Fatal(err)
	}
	segment := make([]byte, 64) // shm.Data() under the lock, in a real program
	segment[copy(segment[:len(segment)-1], b)] = 0

	msg, err := qtshm.FromLocal8Bit(segment[:len(b)])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(msg)
	// Output: 程序1动态消息#2024-05-01 12:00:00.000
}

// Outside Windows, Qt's local 8-bit encoding is UTF-8: the bytes are the string's own, both ways.
func TestLocal8BitIsUTF8OutsideWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the ANSI code page: internal/local8bit's Windows tests cover it")
	}
	for _, s := range []string{"", "abc", "程序1动态消息#", "x\xffy"} {
		b, err := qtshm.ToLocal8Bit(s)
		if err != nil || string(b) != s {
			t.Errorf("ToLocal8Bit(%q) = % X, %v; want its own bytes", s, b, err)
		}
		got, err := qtshm.FromLocal8Bit([]byte(s))
		if err != nil || got != s {
			t.Errorf("FromLocal8Bit(% X) = %q, %v; want %q", s, got, err, s)
		}
	}
}
