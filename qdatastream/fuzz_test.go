package qdatastream

import (
	"errors"
	"image"
	"testing"
)

// FuzzReader decodes arbitrary bytes as every kind of value, at the two stream version families,
// in both byte orders. It must never panic; a failure must be an *Error at an offset inside the
// input that leaves the reader where it was; a success must re-encode.
func FuzzReader(f *testing.F) {
	w := NewWriter(Qt_6_8)
	_ = w.WriteVariant(Variant{Type: TypeVariantMap, Value: map[string]Variant{
		"s": {Type: TypeString, Value: "程序"}, "l": {Type: TypeVariantList, Value: []Variant{{Type: TypeDouble, Value: 1.0}}},
		"d": {Type: TypeDateTime, Value: DateTime{Date: 2460000, Spec: SpecOffsetFromUTC, Offset: 60}},
		"i": {Type: TypeImage, Value: image.Image(image.NewGray(image.Rect(0, 0, 2, 2)))},
	}})
	f.Add(w.Bytes(), uint8(0))
	f.Add([]byte{0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, uint8(3))
	f.Add([]byte{0, 0, 0x10, 0x06, 0, 0, 0, 0, 1}, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		v := Qt_6_8
		if mode&1 != 0 {
			v = Qt_5_15
		}
		readers := []func(*Reader) (any, error){
			func(r *Reader) (any, error) { return r.ReadVariant() },
			func(r *Reader) (any, error) { return r.ReadImage() },
			func(r *Reader) (any, error) { return r.ReadDateTime() },
			func(r *Reader) (any, error) { return r.ReadStringList() },
			func(r *Reader) (any, error) { return ReadMap(r, (*Reader).ReadBytes) },
			func(r *Reader) (any, error) { return ReadList(r, (*Reader).ReadColor) },
		}
		r := NewReader(data, v)
		r.MaxImageBytes = 1 << 20
		if mode&2 != 0 {
			r.ByteOrder = LittleEndian
		}
		if mode&4 != 0 {
			r.FloatingPointPrecision = SinglePrecision
		}
		read := readers[int(mode>>3)%len(readers)]
		got, err := read(r)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(data) || r.Offset() != 0 {
				t.Fatalf("error %v (%T) at reader offset %d", err, err, r.Offset())
			}
			return
		}
		if r.Offset() > len(data) {
			t.Fatalf("offset %d beyond %d bytes", r.Offset(), len(data))
		}
		if x, ok := got.(Variant); ok {
			w := NewWriter(v)
			w.ByteOrder, w.FloatingPointPrecision = r.ByteOrder, r.FloatingPointPrecision
			if err := w.WriteVariant(x); err != nil {
				t.Fatalf("a variant read from the stream does not write back: %v", err)
			}
		}
	})
}
