package qdatastream

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"math"
	"reflect"
)

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// ReadImage reads a QImage as Qt writes it from stream version 5 on: a qint32 marker, 0 for
// QImage() (returned as nil) and 1 otherwise, followed by the image as a PNG file. The PNG is
// found by its chunks, so the offset after it is exact and the values that follow read
// correctly. Before anything is decoded, the PNG's header is checked against MaxImageBytes
// (what image/png will allocate for it: the pixel format it decodes to, twice that for an
// interlaced PNG) and against its compressed data (deflate expands at most 1032 times, so a PNG
// of a few bytes cannot claim gigapixels).
func (r *Reader) ReadImage() (image.Image, error) {
	return value(r, func() (image.Image, error) {
		marker, err := r.ReadInt32()
		if err != nil {
			return nil, renamed(err, "QImage marker")
		}
		if marker == 0 {
			return nil, nil
		}
		start := r.off
		p, err := scanPNG(r.buf[start:])
		if err != nil {
			return nil, imageError(start, errorKind(err), "%v", err)
		}
		limit := r.MaxImageBytes
		if limit <= 0 {
			limit = DefaultMaxImageBytes
		}
		if need := p.decodedBytes(); need > int64(limit) {
			return nil, imageError(start, ErrSizeLimitExceeded, "a %d×%d PNG needs %d bytes decoded, more than the limit of %d", p.width, p.height, need, limit)
		}
		if raw := p.rawBytes(); raw > maxDeflateRatio*p.idatBytes+64<<10 {
			return nil, imageError(start, ErrReadCorruptData, "a %d×%d PNG cannot come from %d bytes of compressed data", p.width, p.height, p.idatBytes)
		}
		img, err := png.Decode(bytes.NewReader(r.buf[start : start+p.length]))
		if err != nil {
			return nil, imageError(start, ErrReadCorruptData, "PNG: %v", err)
		}
		r.off = start + p.length
		return img, nil
	})
}

// WriteImage appends img as Qt writes a QImage: the marker 1 and the image as PNG (encoded by
// image/png, so the bytes differ from Qt's own encoder's, but the pixels do not). A nil image (a
// nil pointer in the interface too), or one without pixels (Qt's null image is 0×0), is written
// as QImage(): the marker 0.
func (w *Writer) WriteImage(img image.Image) error {
	if err := w.ready("QImage"); err != nil {
		return err
	}
	if isNil(img) || img.Bounds().Empty() {
		return w.WriteInt32(0)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return newError("QImage", len(w.buf), ErrWriteFailed, "PNG: %v", err)
	}
	_ = w.WriteInt32(1)
	w.buf = append(w.buf, b.Bytes()...)
	return nil
}

// isNil reports whether img is nil or holds a nil pointer (whose Bounds would panic).
func isNil(img image.Image) bool {
	if img == nil {
		return true
	}
	v := reflect.ValueOf(img)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// maxDeflateRatio is the most deflate can expand: 258 bytes from a little over 2 bits.
const maxDeflateRatio = 1032

// pngInfo is what scanPNG learns from a PNG's chunks.
type pngInfo struct {
	length              int   // the signature and every chunk up to and including IEND
	width, height       int64 // from IHDR
	bitDepth, colorType byte
	interlaced, hasTRNS bool
	idatBytes           int64 // compressed image data
}

// scanPNG walks the PNG file at the start of b: the signature, IHDR first, and every chunk up to
// and including IEND. Chunk lengths are checked against the bytes left.
func scanPNG(b []byte) (pngInfo, error) {
	var p pngInfo
	if len(b) < len(pngSignature) {
		return p, errPNG{ErrReadPastEnd, "the PNG signature is cut short"}
	}
	if !bytes.Equal(b[:len(pngSignature)], pngSignature) {
		return p, errPNG{ErrReadCorruptData, "no PNG signature"}
	}
	off := len(pngSignature)
	for first := true; ; first = false {
		if len(b)-off < 12 {
			return p, errPNG{ErrReadPastEnd, "the PNG ends before its IEND chunk"}
		}
		n := binary.BigEndian.Uint32(b[off:])
		if n > 0x7fffffff || int64(n) > int64(len(b)-off-12) {
			return p, errPNG{ErrReadPastEnd, "a PNG chunk is longer than the bytes left"}
		}
		typ, data := string(b[off+4:off+8]), b[off+8:off+8+int(n)]
		switch {
		case first && (typ != "IHDR" || n != 13):
			return p, errPNG{ErrReadCorruptData, "the PNG does not start with its header (IHDR)"}
		case first:
			p.width, p.height = int64(binary.BigEndian.Uint32(data)), int64(binary.BigEndian.Uint32(data[4:]))
			p.bitDepth, p.colorType, p.interlaced = data[8], data[9], data[12] == 1
			if p.width > math.MaxInt32 || p.height > math.MaxInt32 || p.bitDepth > 16 {
				return p, errPNG{ErrReadCorruptData, "the PNG header is out of range"}
			}
		case typ == "tRNS":
			p.hasTRNS = true
		case typ == "IDAT":
			p.idatBytes += int64(n)
		}
		off += 12 + int(n)
		if typ == "IEND" {
			p.length = off
			return p, nil
		}
	}
}

// decodedBytes is what image/png allocates for the image: its pixel type's size (a gray or RGB
// image with a tRNS chunk decodes to NRGBA), twice for an interlaced one (each pass is decoded
// into an image of its own, then copied).
func (p pngInfo) decodedBytes() int64 {
	wide := p.bitDepth == 16
	var per int64
	switch {
	case p.colorType == 3: // palette
		per = 1
	case p.colorType == 0 && !p.hasTRNS: // gray
		per = 1
		if wide {
			per = 2
		}
	default: // RGB, gray or RGB with tRNS, gray+alpha, RGBA
		per = 4
		if wide {
			per = 8
		}
	}
	if p.interlaced {
		per *= 2
	}
	return saturatingMul(p.width*p.height, per) // width and height are at most 2³¹−1
}

// rawBytes is the size of the image data before compression: a filter byte and the packed
// pixels of each row.
func (p pngInfo) rawBytes() int64 {
	channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[p.colorType]
	bits := p.width * channels * int64(p.bitDepth)
	return saturatingMul(p.height, 1+(bits+7)/8)
}

// saturatingMul is a × b for non-negative a and b, or math.MaxInt64 where that overflows.
func saturatingMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

type errPNG struct {
	kind error
	msg  string
}

func (e errPNG) Error() string { return e.msg }

func errorKind(err error) error {
	if e, ok := err.(errPNG); ok {
		return e.kind
	}
	return ErrReadCorruptData
}
