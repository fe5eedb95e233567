package qdatastream

import (
	"bytes"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Encodings worked out from Qt's operator<< (qdatastream.cpp, qstring.cpp, qvariant.cpp,
// qcolor.cpp, qdatetime.cpp); the interop tests prove the same against real Qt.
func TestKnownEncodings(t *testing.T) {
	red := Color{Spec: ColorRgb, Alpha: 0xffff, C1: 0xffff}
	for _, c := range []struct {
		name  string
		v     Version
		prec  FloatingPointPrecision
		order ByteOrder
		write func(*Writer) error
		want  string
	}{
		{"QString hi", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteString("hi") }, "00000004 0068 0069"},
		{"QString hi little endian", Qt_5_15, DoublePrecision, LittleEndian, func(w *Writer) error { return w.WriteString("hi") }, "04000000 6800 6900"},
		{"QString surrogate pair", Qt_6_8, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteString("😀") }, "00000004 d83d de00"},
		{"QString()", Qt_5_15, DoublePrecision, BigEndian, (*Writer).WriteNullString, "ffffffff"},
		{"QString empty", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteString("") }, "00000000"},
		{"QByteArray()", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteBytes(nil) }, "ffffffff"},
		{"QByteArray empty", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteBytes([]byte{}) }, "00000000"},
		{"float double precision", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteFloat32(1.5) }, "3ff8000000000000"},
		{"float single precision", Qt_5_15, SinglePrecision, BigEndian, func(w *Writer) error { return w.WriteFloat32(1.5) }, "3fc00000"},
		{"double single precision", Qt_5_15, SinglePrecision, BigEndian, func(w *Writer) error { return w.WriteFloat64(1.5) }, "3fc00000"},
		{"bool", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteBool(true) }, "01"},
		{"QVariant(int)", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteVariant(Variant{Type: TypeInt, Value: int32(7)}) }, "00000002 00 00000007"},
		{"QVariant()", Qt_6_8, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteVariant(Variant{}) }, "00000000 01"},
		{"QColor red", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteColor(red) }, "01 ffff ffff 0000 0000 0000"},
		{"QVariant(QColor) Qt 5 id", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteVariant(Variant{Type: TypeColor, Value: red}) }, "00000043 00 01 ffff ffff 0000 0000 0000"},
		{"QVariant(QColor) Qt 6 id", Qt_6_0, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteVariant(Variant{Type: TypeColor, Value: red}) }, "00001003 00 01 ffff ffff 0000 0000 0000"},
		{"QVariant(QImage()) Qt 5 id", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteVariant(Variant{Type: TypeImage}) }, "00000046 00 00000000"},
		{"QList<qint32>", Qt_6_8, DoublePrecision, BigEndian, func(w *Writer) error { return WriteList(w, []int32{1, -1}, (*Writer).WriteInt32) }, "00000002 00000001 ffffffff"},
		{"QMap<QString,int> in QString order", Qt_6_8, DoublePrecision, BigEndian, func(w *Writer) error {
			return WriteMap(w, map[string]int32{"b": 2, "a": 1}, (*Writer).WriteInt32)
		}, "00000002 00000002 0061 00000001 00000002 0062 00000002"},
		{"QDateTime UTC", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error {
			return w.WriteDateTime(DateTimeOf(time.Date(1970, 1, 2, 0, 0, 1, 2e6, time.UTC)))
		}, "0000000000253d8d 000003ea 01"},
		{"QDateTime offset", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error {
			return w.WriteDateTime(DateTime{Date: 2440588, Time: 0, Spec: SpecOffsetFromUTC, Offset: 3600})
		}, "0000000000253d8c 00000000 02 00000e10"},
		{"QDateTime()", Qt_6_8, DoublePrecision, BigEndian, func(w *Writer) error {
			return w.WriteDateTime(DateTime{Date: NullDate, Time: NullTime})
		}, "8000000000000000 ffffffff 00"},
		{"QRect", Qt_5_15, DoublePrecision, BigEndian, func(w *Writer) error { return w.WriteRect(RectOf(image.Rect(1, 2, 11, 22))) }, "00000001 00000002 0000000a 00000015"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := NewWriter(c.v)
			w.FloatingPointPrecision, w.ByteOrder = c.prec, c.order
			if err := c.write(w); err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, c.want); !bytes.Equal(w.Bytes(), want) {
				t.Fatalf("wrote % x, want % x", w.Bytes(), want)
			}
		})
	}
}

func TestMapKeyOrderIsUTF16(t *testing.T) {
	// U+FF5E is one unit (0xff5e); U+1F600 starts with 0xd83d, so Qt orders it first. Go's
	// string order would put U+FF5E first.
	keys := sortedKeys(map[string]int{"\uff5e": 0, "😀": 0, "a": 0, "ab": 0})
	if want := []string{"a", "ab", "😀", "\uff5e"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("order %q, want %q", keys, want)
	}
}

// roundTrip writes every supported kind of value and reads it back, for each version, byte
// order and precision.
func TestRoundTrip(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 3, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 17)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 12, 2, 13, 14, 15, 16e6, berlin)
	values := []Variant{
		{}, {Type: TypeBool, Value: true}, {Type: TypeInt, Value: int32(math.MinInt32)},
		{Type: TypeUInt, Value: uint32(math.MaxUint32)}, {Type: TypeLongLong, Value: int64(math.MinInt64)},
		{Type: TypeULongLong, Value: uint64(math.MaxUint64)}, {Type: TypeDouble, Value: math.Inf(-1)},
		{Type: TypeFloat, Value: float32(0.25)}, {Type: TypeChar, Value: uint16(0x7a0b)},
		{Type: TypeString, Value: "程序1动态消息 😀"}, {Type: TypeString}, {Type: TypeString, Value: ""},
		{Type: TypeByteArray, Value: []byte{0, 1, 0xff}}, {Type: TypeByteArray}, {Type: TypeByteArray, Value: []byte{}},
		{Type: TypeStringList, Value: []string{"a", "", "程序"}},
		{Type: TypeVariantList, Value: []Variant{{Type: TypeInt, Value: int32(1)}, {Type: TypeVariantList, Value: []Variant{{Null: true}}}}},
		{Type: TypeVariantMap, Value: map[string]Variant{"k": {Type: TypeString, Value: "v"}, "": {Null: true}}},
		{Type: TypeVariantHash, Value: map[string]Variant{"x": {Type: TypeDouble, Value: 0.5}}},
		{Type: TypeDate, Value: DateOf(when)}, {Type: TypeDate, Value: NullDate}, {Type: TypeTime, Value: TimeOf(when)},
		{Type: TypeDateTime, Value: DateTimeOf(when)}, {Type: TypeDateTime, Value: DateTimeOf(when.UTC())},
		{Type: TypeDateTime, Value: DateTimeOf(when.In(time.FixedZone("", -3*3600)))},
		{Type: TypeDateTime, Value: DateTime{Date: 2460000, Time: 5, Spec: SpecTimeZone, Zone: TimeZone{ID: "UTC+01:00", OffsetZone: true, Offset: 3600, Name: "UTC+01:00", Abbreviation: "UTC+01:00", Comment: "x"}}},
		{Type: TypePoint, Value: Point{-1, 2}}, {Type: TypeSize, Value: Size{-1, -1}}, {Type: TypeRect, Value: Rect{0, 0, -1, -1}},
		{Type: TypeColor, Value: Color{Spec: ColorCmyk, Alpha: 1, C1: 2, C2: 3, C3: 4, Pad: 5}},
		{Type: TypeImage, Value: image.Image(img)}, {Type: TypeImage}, {Type: TypeInt, Null: true, Value: int32(0)},
	}
	for _, v := range []Version{Qt_5_2, Qt_5_15, Qt_6_0, Qt_6_6, Qt_6_8} {
		for _, order := range []ByteOrder{BigEndian, LittleEndian} {
			for _, prec := range []FloatingPointPrecision{DoublePrecision, SinglePrecision} {
				w := NewWriter(v)
				w.ByteOrder, w.FloatingPointPrecision = order, prec
				for _, x := range values {
					if err := w.WriteVariant(x); err != nil {
						t.Fatalf("version %d: write %v: %v", v, x.Type, err)
					}
				}
				r := NewReader(w.Bytes(), v)
				r.ByteOrder, r.FloatingPointPrecision = order, prec
				for _, want := range values {
					got, err := r.ReadVariant()
					if err != nil {
						t.Fatalf("version %d: read %v at %d: %v", v, want.Type, r.Offset(), err)
					}
					if want.Type == TypeInvalid {
						want.Null = true
					}
					if !sameVariant(got, want) {
						t.Fatalf("version %d order %d precision %d: read %#v, want %#v", v, order, prec, got, want)
					}
				}
				if !r.AtEnd() {
					t.Fatalf("version %d: %d bytes left", v, r.Len())
				}
			}
		}
	}
}

// sameVariant compares variants, images by their pixels.
func sameVariant(a, b Variant) bool {
	ai, aok := a.Value.(image.Image)
	bi, bok := b.Value.(image.Image)
	if aok && bok {
		return a.Type == b.Type && a.Null == b.Null && samePixels(ai, bi)
	}
	return reflect.DeepEqual(a, b)
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if color.NRGBA64Model.Convert(a.At(x, y)) != color.NRGBA64Model.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// Every proper prefix of a valid stream fails with ErrReadPastEnd, consumes nothing, and names an
// offset inside the stream.
func TestTruncated(t *testing.T) {
	w := NewWriter(Qt_6_8)
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	if err := w.WriteVariant(Variant{Type: TypeVariantList, Value: []Variant{
		{Type: TypeString, Value: "程序"}, {Type: TypeImage, Value: image.Image(img)},
		{Type: TypeDateTime, Value: DateTime{Date: 1, Spec: SpecTimeZone, Zone: TimeZone{ID: "Europe/Berlin"}}},
		{Type: TypeVariantMap, Value: map[string]Variant{"a": {Type: TypeColor, Value: Color{}}}},
	}}); err != nil {
		t.Fatal(err)
	}
	full := w.Bytes()
	for n := 0; n < len(full); n++ {
		r := NewReader(full[:n], Qt_6_8)
		_, err := r.ReadVariant()
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrReadPastEnd) || e.Status != ReadPastEnd {
			t.Fatalf("prefix %d: error %v, want a ReadPastEnd *Error", n, err)
		}
		if e.Offset < 0 || e.Offset > n || r.Offset() != 0 {
			t.Fatalf("prefix %d: error at offset %d, reader at %d", n, e.Offset, r.Offset())
		}
	}
}

func TestHostile(t *testing.T) {
	for _, c := range []struct {
		name, data string
		v          Version
		read       func(*Reader) error
		want       error
		offset     int
	}{
		{"odd QString length", "00000003 000000", Qt_5_15, func(r *Reader) error { _, err := r.ReadString(); return err }, ErrReadCorruptData, 0},
		{"huge QByteArray", "fffffff0 00", Qt_5_15, func(r *Reader) error { _, err := r.ReadBytes(); return err }, ErrReadPastEnd, 0},
		{"huge list count", "7fffffff 00000001", Qt_5_15, func(r *Reader) error { _, err := ReadList(r, (*Reader).ReadInt32); return err }, ErrReadPastEnd, 0},
		{"extended size is a size before Qt_6_7", "fffffffe 0000000000000001 00000005", Qt_6_6, func(r *Reader) error { _, err := ReadList(r, (*Reader).ReadInt32); return err }, ErrReadPastEnd, 0},
		{"negative extended size", "fffffffe 8000000000000000", Qt_6_7, func(r *Reader) error { _, err := r.ReadBytes(); return err }, ErrSizeLimitExceeded, 0},
		{"unknown variant type", "00000011 00 00000000", Qt_5_15, func(r *Reader) error { _, err := r.ReadVariant(); return err }, ErrReadCorruptData, 0},
		{"user type", "00000400 00 00000003 466f6f", Qt_5_15, func(r *Reader) error { _, err := r.ReadVariant(); return err }, ErrReadCorruptData, 0},
		{"unknown time spec", "0000000000000001 00000000 07", Qt_5_15, func(r *Reader) error { _, err := r.ReadDateTime(); return err }, ErrReadCorruptData, 12},
		{"not a PNG", "00000001 0102030405060708", Qt_5_15, func(r *Reader) error { _, err := r.ReadImage(); return err }, ErrReadCorruptData, 4},
		{"null marker as a list count", "ffffffff", Qt_5_15, func(r *Reader) error { _, err := ReadList(r, (*Reader).ReadInt32); return err }, ErrSizeLimitExceeded, 0},
		{"unsupported version", "00", 14, func(r *Reader) error { _, err := r.ReadBool(); return err }, errors.ErrUnsupported, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(unhex(t, c.data), c.v)
			err := c.read(r)
			var e *Error
			if !errors.Is(err, c.want) || !errors.As(err, &e) || e.Offset != c.offset {
				t.Fatalf("error %v, want %v at offset %d", err, c.want, c.offset)
			}
			if r.Offset() != 0 {
				t.Fatalf("a failed read left the reader at %d", r.Offset())
			}
			t.Log(err)
		})
	}
}

// A list that Qt 6.7+ writes with the extended size marker (Qt does so only from 2³²−2
// elements, but reads it for any count) reads as its count.
func TestExtendedSize(t *testing.T) {
	data := unhex(t, "fffffffe 0000000000000002 00000005 00000006")
	got, err := ReadList(NewReader(data, Qt_6_7), (*Reader).ReadInt32)
	if err != nil || !reflect.DeepEqual(got, []int32{5, 6}) {
		t.Fatalf("got %v, %v", got, err)
	}
	if strconv.IntSize < 64 {
		return // a count of 2³² is not an int here
	}
	shift := 32
	big := 1 << shift
	w := NewWriter(Qt_6_6)
	if err := w.writeSize("QList", big); !errors.Is(err, ErrSizeLimitExceeded) || w.Len() != 0 {
		t.Fatalf("a count of 2³² before Qt_6_7: %v, %d bytes written", err, w.Len())
	}
	w = NewWriter(Qt_6_7)
	if err := w.writeSize("QList", big); err != nil || !bytes.Equal(w.Bytes(), unhex(t, "fffffffe 0000000100000000")) {
		t.Fatalf("a count of 2³² in Qt_6_7: % x, %v", w.Bytes(), err)
	}
}

func TestImageLimit(t *testing.T) {
	w := NewWriter(Qt_5_15)
	if err := w.WriteImage(image.NewNRGBA(image.Rect(0, 0, 100, 100))); err != nil {
		t.Fatal(err)
	}
	r := NewReader(w.Bytes(), Qt_5_15)
	r.MaxImageBytes = 100*100*4 - 1
	if _, err := r.ReadImage(); !errors.Is(err, ErrSizeLimitExceeded) {
		t.Fatalf("error %v, want ErrSizeLimitExceeded", err)
	}
	r.MaxImageBytes = 100 * 100 * 4
	if _, err := r.ReadImage(); err != nil || !r.AtEnd() {
		t.Fatalf("at the limit: %v, %d bytes left", err, r.Len())
	}
}

func TestDepthLimit(t *testing.T) {
	v := Variant{}
	for i := 0; i < DefaultMaxDepth+1; i++ {
		v = Variant{Type: TypeVariantList, Value: []Variant{v}}
	}
	w := NewWriter(Qt_6_8)
	if err := w.WriteVariant(v); !errors.Is(err, ErrSizeLimitExceeded) || w.Len() != 0 {
		t.Fatalf("writing %d levels: %v, %d bytes", DefaultMaxDepth+1, err, w.Len())
	}
	var data []byte
	for i := 0; i < DefaultMaxDepth+1; i++ {
		data = append(data, 0, 0, 0, 9, 0, 0, 0, 0, 1)
	}
	data = append(data, 0, 0, 0, 0, 1)
	if _, err := NewReader(data, Qt_6_8).ReadVariant(); !errors.Is(err, ErrSizeLimitExceeded) {
		t.Fatalf("reading %d levels: %v", DefaultMaxDepth+1, err)
	}
}

func TestWriteMismatch(t *testing.T) {
	w := NewWriter(Qt_6_8)
	for _, v := range []Variant{{Type: TypeInt, Value: "x"}, {Type: TypeBool}, {Type: 12345, Value: 1},
		{Type: TypeVariantList, Value: []Variant{{Type: TypeInt, Value: int32(1)}, {Type: TypeInt, Value: 1}}}} {
		if err := w.WriteVariant(v); !errors.Is(err, ErrWriteFailed) || w.Len() != 0 {
			t.Fatalf("%#v: %v, %d bytes written", v, err, w.Len())
		}
	}
	if _, err := VariantOf(struct{}{}); err == nil {
		t.Fatal("VariantOf(struct{}{}) succeeded")
	}
}

func TestTimeConversions(t *testing.T) {
	if d := DateOf(time.Date(1970, 1, 1, 23, 0, 0, 0, time.UTC)); d != 2440588 {
		t.Fatalf("1970-01-01 is Julian day %d", d)
	}
	if d := DateOf(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); d != 2451545 {
		t.Fatalf("2000-01-01 is Julian day %d", d)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tm := range []time.Time{
		time.Date(2026, 7, 1, 12, 30, 0, 5e6, berlin), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 5*3600+1800)),
	} {
		back, err := DateTimeOf(tm).GoTime(nil)
		if err != nil || !back.Equal(tm) {
			t.Fatalf("%v came back as %v, %v", tm, back, err)
		}
	}
	if _, err := (DateTime{Date: NullDate, Time: NullTime}).GoTime(nil); err == nil {
		t.Fatal("a null QDateTime converted")
	}
	if _, ok := NullDate.Time(); ok {
		t.Fatal("NullDate converted")
	}
}

func TestColorConversions(t *testing.T) {
	c := ColorOf(color.NRGBA{R: 255, G: 128, B: 1, A: 64})
	if want := (Color{Spec: ColorRgb, Alpha: 64 * 257, C1: 65535, C2: 128 * 257, C3: 257}); c != want {
		t.Fatalf("ColorOf: %+v, want %+v", c, want)
	}
	if n, ok := c.NRGBA64(); !ok || n != (color.NRGBA64{R: 65535, G: 128 * 257, B: 257, A: 64 * 257}) {
		t.Fatalf("NRGBA64: %v %v", n, ok)
	}
	if _, ok := (Color{Spec: ColorHsv}).NRGBA64(); ok {
		t.Fatal("an Hsv color converted")
	}
}
