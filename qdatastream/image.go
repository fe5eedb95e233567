package qdatastream

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
)

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// ReadImage reads a QImage as Qt writes it from stream version 5 on: a qint32 marker, 0 for
// QImage() (returned as nil) and 1 otherwise, followed by the image as a PNG file. The PNG is
// found by its chunks, so the offset after it is exact and the values that follow read
// correctly. Images whose decoded size would exceed MaxImageBytes are refused before decoding.
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
		n, err := pngLength(r.buf[start:])
		if err != nil {
			return nil, newError("QImage", start, errorKind(err), "%v", err)
		}
		data := r.buf[start : start+n]
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, newError("QImage", start, ErrReadCorruptData, "PNG header: %v", err)
		}
		limit := r.MaxImageBytes
		if limit <= 0 {
			limit = DefaultMaxImageBytes
		}
		if need := int64(cfg.Width) * int64(cfg.Height) * int64(bytesPerPixel(cfg.ColorModel)); need > int64(limit) {
			return nil, newError("QImage", start, ErrSizeLimitExceeded, "a %d×%d PNG needs %d bytes decoded, more than the limit of %d", cfg.Width, cfg.Height, need, limit)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, newError("QImage", start, ErrReadCorruptData, "PNG: %v", err)
		}
		r.off = start + n
		return img, nil
	})
}

// WriteImage appends img as Qt writes a QImage: the marker 1 and the image as PNG (encoded by
// image/png, so the bytes differ from Qt's own encoder's, but the pixels do not). A nil image,
// or one without pixels (Qt's null image is 0×0), is written as QImage(): the marker 0.
func (w *Writer) WriteImage(img image.Image) error {
	if err := w.ready("QImage"); err != nil {
		return err
	}
	if img == nil || img.Bounds().Empty() {
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

// pngLength returns the length of the PNG file at the start of b: the signature and every chunk
// up to and including IEND. Chunk lengths are checked against the bytes left.
func pngLength(b []byte) (int, error) {
	if len(b) < len(pngSignature) {
		return 0, errPNG{ErrReadPastEnd, "the PNG signature is cut short"}
	}
	if !bytes.Equal(b[:len(pngSignature)], pngSignature) {
		return 0, errPNG{ErrReadCorruptData, "no PNG signature"}
	}
	off := len(pngSignature)
	for {
		if len(b)-off < 12 {
			return 0, errPNG{ErrReadPastEnd, "the PNG ends before its IEND chunk"}
		}
		n := binary.BigEndian.Uint32(b[off:])
		if n > 0x7fffffff || int64(n) > int64(len(b)-off-12) {
			return 0, errPNG{ErrReadPastEnd, "a PNG chunk is longer than the bytes left"}
		}
		typ := string(b[off+4 : off+8])
		off += 12 + int(n)
		if typ == "IEND" {
			return off, nil
		}
	}
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

// bytesPerPixel is what image/png allocates per pixel for a color model.
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.NRGBAModel, color.RGBAModel:
		return 4
	case color.NRGBA64Model, color.RGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}
