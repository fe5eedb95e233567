package qtshm

import "github.com/qtshm/qtshm-go/internal/local8bit"

// ToLocal8Bit is QString::toLocal8Bit: the bytes a Qt program in this environment writes for
// s when it stores text with toLocal8Bit(), as the article's writer does. On Linux (and every
// system but Windows) that is UTF-8, s's own bytes. On Windows it is the ANSI code page
// (GetACP): GBK under code page 936, the Windows single-byte code pages, UTF-8 under 65001; a
// character the code page lacks becomes '?' (where Windows may pick a "best fit" character).
// Another code page gives an error wrapping [errors.ErrUnsupported].
func ToLocal8Bit(s string) ([]byte, error) { return local8bit.ToLocal8Bit(s) }

// FromLocal8Bit is QString::fromLocal8Bit, the inverse of [ToLocal8Bit]: the text of bytes a Qt
// program wrote with toLocal8Bit(). Outside Windows the bytes are taken as they are (UTF-8;
// invalid sequences are kept, not replaced). On Windows bytes the code page does not assign
// decode to U+FFFD; an unsupported code page gives an error wrapping [errors.ErrUnsupported].
func FromLocal8Bit(b []byte) (string, error) { return local8bit.FromLocal8Bit(b) }
