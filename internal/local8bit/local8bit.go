// Package local8bit is Qt's QString::toLocal8Bit and fromLocal8Bit: UTF-8 everywhere except on
// Windows, where Qt's local 8-bit encoding is the ANSI code page (GetACP): Qt 6 uses UTF-8 when
// that is 65001, and Qt 5's CP_ACP conversions amount to the same. Code page 936 (Simplified
// Chinese) is GBK (golang.org/x/text/encoding/simplifiedchinese), the Windows single-byte code
// pages come from golang.org/x/text/encoding/charmap, and any other code page gives an error
// wrapping errors.ErrUnsupported.
//
// Where Windows and x/text differ: Windows' WideCharToMultiByte substitutes "best fit"
// characters for some it cannot encode (in code page 936, '¢' becomes A1 E9) and '?' for the
// rest; ToLocal8Bit writes '?' for every character the code page lacks. For the characters the
// code page has, GBK here and Windows' 936 agree (checked over the whole BMP under Wine).
// Windows decodes some unassigned byte pairs to private-use characters; FromLocal8Bit decodes
// them to U+FFFD.
package local8bit

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// UTF8 is the code page number of UTF-8 (CP_UTF8).
const UTF8 = 65001

// CodePage is the code page Qt's local 8-bit conversions use in this process: GetACP() on
// Windows, UTF8 elsewhere.
func CodePage() uint32 { return codePage() }

// Encoding returns the x/text encoding of code page cp; nil for UTF-8.
func Encoding(cp uint32) (encoding.Encoding, error) {
	switch cp {
	case UTF8:
		return nil, nil
	case 936:
		return simplifiedchinese.GBK, nil
	}
	if e, ok := charmaps[cp]; ok {
		return e, nil
	}
	return nil, fmt.Errorf("local8bit: code page %d: %w", cp, errors.ErrUnsupported)
}

// charmaps are the Windows code pages charmap has.
var charmaps = map[uint32]*charmap.Charmap{
	437: charmap.CodePage437, 850: charmap.CodePage850, 852: charmap.CodePage852,
	855: charmap.CodePage855, 858: charmap.CodePage858, 860: charmap.CodePage860,
	862: charmap.CodePage862, 863: charmap.CodePage863, 865: charmap.CodePage865,
	866: charmap.CodePage866, 874: charmap.Windows874,
	1250: charmap.Windows1250, 1251: charmap.Windows1251, 1252: charmap.Windows1252,
	1253: charmap.Windows1253, 1254: charmap.Windows1254, 1255: charmap.Windows1255,
	1256: charmap.Windows1256, 1257: charmap.Windows1257, 1258: charmap.Windows1258,
	20866: charmap.KOI8R, 21866: charmap.KOI8U,
	28591: charmap.ISO8859_1, 28592: charmap.ISO8859_2, 28593: charmap.ISO8859_3,
	28594: charmap.ISO8859_4, 28595: charmap.ISO8859_5, 28596: charmap.ISO8859_6,
	28597: charmap.ISO8859_7, 28598: charmap.ISO8859_8, 28599: charmap.ISO8859_9,
	28603: charmap.ISO8859_13, 28605: charmap.ISO8859_15,
}

// ToLocal8Bit is QString::toLocal8Bit for this process's code page.
func ToLocal8Bit(s string) ([]byte, error) { return Encode(CodePage(), s) }

// FromLocal8Bit is QString::fromLocal8Bit for this process's code page.
func FromLocal8Bit(b []byte) (string, error) { return Decode(CodePage(), b) }

// Encode converts s to code page cp. UTF-8 is s's own bytes; a character cp lacks becomes '?'.
func Encode(cp uint32, s string) ([]byte, error) {
	enc, err := Encoding(cp)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return []byte(s), nil
	}
	e := enc.NewEncoder()
	out := make([]byte, 0, len(s))
	var buf [utf8.UTFMax]byte
	for _, r := range s {
		n := utf8.EncodeRune(buf[:], r)
		b, err := e.Bytes(buf[:n])
		if err != nil {
			out = append(out, '?')
			continue
		}
		out = append(out, b...)
	}
	return out, nil
}

// Decode converts b from code page cp. UTF-8 is b as it is; a byte sequence cp does not assign
// becomes U+FFFD.
func Decode(cp uint32, b []byte) (string, error) {
	enc, err := Encoding(cp)
	if err != nil {
		return "", err
	}
	if enc == nil {
		return string(b), nil
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return "", fmt.Errorf("local8bit: code page %d: %w", cp, err)
	}
	return string(out), nil
}
