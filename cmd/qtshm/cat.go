package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/qtshm/qtshm-go/internal/cmd/article"
	"github.com/qtshm/qtshm-go/qtshm"
)

const catSynopsis = "cat [--hex|--string] [--offset N] [--length N] [--native] [--json] [--tmpdir DIR] [--backend B] [--flavor F] KEY"

// runCat is `qtshm cat KEY`: the segment's bytes, read under the lock.
func runCat(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	c := newCommon("cat")
	asHex := c.fs.Bool("hex", false, "print a hexdump -C style dump")
	asString := c.fs.Bool("string", false, "print the text up to the first NUL, decoded from the local 8-bit encoding (as Qt's fromLocal8Bit)")
	offset := c.fs.Int("offset", 0, "first byte to read")
	length := c.fs.Int("length", -1, "number of bytes to read (default: up to the end)")
	if help, err := c.parse(args, 1, catSynopsis, stdout); help || err != nil {
		return 0, err
	}
	switch {
	case *asHex && *asString:
		return 0, usageError("cat: --hex and --string exclude each other")
	case *offset < 0:
		return 0, usageError(fmt.Sprintf("cat: --offset must not be negative, not %d", *offset))
	case *length < -1:
		return 0, usageError(fmt.Sprintf("cat: --length must not be negative, not %d", *length))
	}
	m, err := c.open(c.fs.Arg(0))
	if err != nil {
		return 0, err
	}
	defer m.Close()
	if err := m.AttachContext(ctx, qtshm.ReadOnly); err != nil {
		return 0, err
	}
	size := m.Size()
	if *offset > size {
		return 0, fmt.Errorf("cat: offset %d is past the end of the segment (%d bytes)", *offset, size)
	}
	n := size - *offset
	if *length >= 0 {
		if *length > size-*offset { // not offset+length: it can wrap
			return 0, fmt.Errorf("cat: %d bytes at offset %d go past the end of the segment (%d bytes)", *length, *offset, size)
		}
		n = *length
	}
	buf := make([]byte, n)
	if err := m.LockContext(ctx); err != nil {
		return 0, err
	}
	var rerr error
	if n > 0 {
		_, rerr = m.ReadAt(buf, int64(*offset))
	}
	if err := m.Unlock(); err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, rerr
	}
	text := ""
	if *asString || c.json {
		if text, err = article.Decode(article.CString(buf)); err != nil && *asString {
			return 0, fmt.Errorf("cat: the text is not in the local 8-bit encoding: %v", err)
		}
	}
	switch {
	case c.json:
		return 0, printJSON(stdout, catResult{Key: m.Key(), NativeKey: m.NativeKey(), Size: size, Offset: *offset, Length: n, Hex: hex.EncodeToString(buf), String: text})
	case *asString:
		_, err = fmt.Fprintln(stdout, text)
	case *asHex:
		_, err = io.WriteString(stdout, hexdump(buf, *offset))
	default:
		_, err = stdout.Write(buf)
	}
	return 0, err
}

// catResult is the JSON line of `qtshm cat --json`.
type catResult struct {
	Key       string `json:"key"`
	NativeKey string `json:"nativeKey"`
	Size      int    `json:"size"`   // the segment's size
	Offset    int    `json:"offset"` // where the bytes start
	Length    int    `json:"length"`
	Hex       string `json:"hex"`    // the bytes, lowercase hex
	String    string `json:"string"` // the bytes up to the first NUL, from local 8-bit
}

// hexdump is `hexdump -C` of b, whose first byte is at offset base: 16 bytes a line in two
// groups of 8, the printable ASCII on the right, repeated lines folded into "*", and the end
// offset on the last line.
func hexdump(b []byte, base int) string {
	var s strings.Builder
	var prev []byte
	folded := false
	for i := 0; i < len(b); i += 16 {
		line := b[i:min(i+16, len(b))]
		if prev != nil && len(line) == 16 && string(line) == string(prev) {
			if !folded {
				s.WriteString("*\n")
				folded = true
			}
			continue
		}
		folded = false
		prev = line
		fmt.Fprintf(&s, "%08x  ", base+i)
		for j := 0; j < 16; j++ {
			if j < len(line) {
				fmt.Fprintf(&s, "%02x ", line[j])
			} else {
				s.WriteString("   ")
			}
			if j == 7 {
				s.WriteByte(' ')
			}
		}
		s.WriteString(" |")
		for _, c := range line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			s.WriteByte(c)
		}
		s.WriteString("|\n")
	}
	if len(b) > 0 {
		fmt.Fprintf(&s, "%08x\n", base+len(b))
	}
	return s.String()
}
