package local8bit

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
)

func TestEncodeDecode(t *testing.T) {
	for _, v := range []struct {
		cp   uint32
		s    string
		want []byte
	}{
		// Qt 5.15/6.4 under ACP 936 (Wine) turn 你好€ into C4 E3 BA C3 80.
		{936, "你好€", []byte{0xC4, 0xE3, 0xBA, 0xC3, 0x80}},
		{936, "程序1动态消息#", []byte{0xB3, 0xCC, 0xD0, 0xF2, '1', 0xB6, 0xAF, 0xCC, 0xAC, 0xCF, 0xFB, 0xCF, 0xA2, '#'}},
		// '¢' is not in 936: Windows writes its best fit A1 E9, we write '?'.
		{936, "a¢", []byte{'a', '?'}},
		{1252, "é€", []byte{0xE9, 0x80}},
		{1251, "Ж", []byte{0xC6}},
		{UTF8, "你好\xff", []byte("你好\xff")},
	} {
		got, err := Encode(v.cp, v.s)
		if err != nil || !bytes.Equal(got, v.want) {
			t.Errorf("Encode(%d, %q) = % X, %v; want % X", v.cp, v.s, got, err, v.want)
		}
	}
	for _, v := range []struct {
		cp   uint32
		b    []byte
		want string
	}{
		{936, []byte{0xC4, 0xE3, 0xBA, 0xC3, 0x80}, "你好€"},
		{1252, []byte{0xE9}, "é"},
		{UTF8, []byte("x\xffy"), "x\xffy"}, // as it is, as the Linux reader always did
	} {
		got, err := Decode(v.cp, v.b)
		if err != nil || got != v.want {
			t.Errorf("Decode(%d, % X) = %q, %v; want %q", v.cp, v.b, got, err, v.want)
		}
	}
	if _, err := Encode(12345, "x"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("unknown code page: %v, want ErrUnsupported", err)
	}
	if _, err := Decode(932, []byte("x")); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("code page 932: %v, want ErrUnsupported", err)
	}
}

func TestCodePage(t *testing.T) {
	cp := CodePage()
	t.Logf("code page %d", cp)
	if runtime.GOOS != "windows" && cp != UTF8 {
		t.Fatalf("CodePage() = %d outside Windows, want UTF-8", cp)
	}
	b, err := ToLocal8Bit("程序1动态消息")
	if err != nil {
		if _, e := Encoding(cp); e == nil {
			t.Fatal(err)
		}
		t.Skipf("code page %d is not supported: %v", cp, err)
	}
	s, err := FromLocal8Bit(b)
	if err != nil || (cp == UTF8 || cp == 936) && s != "程序1动态消息" {
		t.Fatalf("round trip in code page %d: %q, %v", cp, s, err)
	}
}
