package qdatastream

import "image/color"

// ColorSpec is QColor::Spec, the model a QColor's components are in.
type ColorSpec int8

// Qt's color specs, with Qt's values.
const (
	ColorInvalid     ColorSpec = 0
	ColorRgb         ColorSpec = 1
	ColorHsv         ColorSpec = 2
	ColorCmyk        ColorSpec = 3
	ColorHsl         ColorSpec = 4
	ColorExtendedRgb ColorSpec = 5
)

// Color is a QColor as Qt streams it: the spec and five raw 16-bit fields, kept exactly so that
// a color round-trips in every spec. For ColorRgb the fields are alpha, red, green, blue (0 to
// 65535) and 0. For the other specs they are Qt's own component encodings (hue in hundredths
// of a degree for Hsv and Hsl, qfloat16 bits for ExtendedRgb, …), which Color does not convert.
// QColor() is the zero Color, ColorInvalid.
type Color struct {
	Spec  ColorSpec
	Alpha uint16
	C1    uint16 // red, hue or cyan
	C2    uint16 // green, saturation or magenta
	C3    uint16 // blue, value, lightness or yellow
	Pad   uint16 // black for Cmyk, otherwise 0
}

// ColorOf returns c as an Rgb QColor, non-premultiplied with 16 bits per channel (as
// QColor::fromRgba64 makes it; a color.NRGBA converts exactly, as QColor(r, g, b, a) does). A nil c is QColor(), the invalid color.
func ColorOf(c color.Color) Color {
	if c == nil {
		return Color{}
	}
	var n color.NRGBA64
	switch x := c.(type) {
	case color.NRGBA: // exact, as QColor(r, g, b, a) widens 8 bits to 16
		n = color.NRGBA64{R: uint16(x.R) * 0x101, G: uint16(x.G) * 0x101, B: uint16(x.B) * 0x101, A: uint16(x.A) * 0x101}
	default: // premultiplied colors lose precision where alpha is small
		n = color.NRGBA64Model.Convert(c).(color.NRGBA64)
	}
	return Color{Spec: ColorRgb, Alpha: n.A, C1: n.R, C2: n.G, C3: n.B}
}

// NRGBA64 returns an Rgb color's channels. ok is false for the other specs and for the
// invalid color.
func (c Color) NRGBA64() (n color.NRGBA64, ok bool) {
	if c.Spec != ColorRgb {
		return color.NRGBA64{}, false
	}
	return color.NRGBA64{R: c.C1, G: c.C2, B: c.C3, A: c.Alpha}, true
}

// ReadColor reads a QColor: a qint8 spec and five quint16, as Qt writes it from stream version 7
// on.
func (r *Reader) ReadColor() (Color, error) {
	b, err := r.take("QColor", 11)
	if err != nil {
		return Color{}, err
	}
	o := byteOrder(r.ByteOrder)
	return Color{Spec: ColorSpec(b[0]), Alpha: o.Uint16(b[1:]), C1: o.Uint16(b[3:]), C2: o.Uint16(b[5:]), C3: o.Uint16(b[7:]), Pad: o.Uint16(b[9:])}, nil
}

// WriteColor appends a QColor.
func (w *Writer) WriteColor(c Color) error {
	if err := w.ready("QColor"); err != nil {
		return err
	}
	o := byteOrder(w.ByteOrder)
	w.buf = append(w.buf, byte(c.Spec))
	for _, v := range [...]uint16{c.Alpha, c.C1, c.C2, c.C3, c.Pad} {
		w.buf = o.AppendUint16(w.buf, v)
	}
	return nil
}
