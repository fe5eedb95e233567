//go:build windows

package local8bit

import (
	"testing"

	"golang.org/x/sys/windows"
)

// ToLocal8Bit against the system's own table: MultiByteToWideChar(CP_ACP) of what we encode
// gives back the text (for characters the code page has).
func TestAgainstSystemACP(t *testing.T) {
	cp := CodePage()
	if _, err := Encoding(cp); err != nil {
		t.Skipf("code page %d: %v", cp, err)
	}
	var text string
	switch cp {
	case 936:
		text = "程序1动态消息#你好€"
	case UTF8:
		text = "程序1动态消息#你好€¢"
	default:
		text = "Message #1: abc"
	}
	b, err := ToLocal8Bit(text)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]uint16, 4*len(b)+4)
	n, err := windows.MultiByteToWideChar(0 /* CP_ACP */, 0, &b[0], int32(len(b)), &buf[0], int32(len(buf)))
	if err != nil {
		t.Fatal(err)
	}
	if got := windows.UTF16ToString(buf[:n]); got != text {
		t.Fatalf("code page %d: the system decodes % X to %q, want %q", cp, b, got, text)
	}
	if got, err := FromLocal8Bit(b); err != nil || got != text {
		t.Fatalf("FromLocal8Bit = %q, %v", got, err)
	}
	t.Logf("code page %d: %q = % X", cp, text, b)
}
