package qdatastream_test

import (
	"fmt"
	"image"
	"image/color"

	"github.com/qtshm/qtshm-go/qdatastream"
)

// A QVariantMap as a Qt 5.15 program writes it with `QDataStream out(&buffer); out << map;`,
// and read back.
func Example() {
	w := qdatastream.NewWriter(qdatastream.Qt_5_15)
	err := w.WriteVariant(qdatastream.Variant{Type: qdatastream.TypeVariantMap, Value: map[string]qdatastream.Variant{
		"name":  {Type: qdatastream.TypeString, Value: "程序1"},
		"count": {Type: qdatastream.TypeInt, Value: int32(3)},
	}})
	if err != nil {
		panic(err)
	}
	data := w.Bytes() // what goes into the segment

	r := qdatastream.NewReader(data, qdatastream.Qt_5_15)
	v, err := r.ReadVariant()
	if err != nil {
		panic(err)
	}
	m := v.Value.(map[string]qdatastream.Variant)
	fmt.Println(v.Type, m["name"].Value, m["count"].Value, r.AtEnd())
	// Output: QVariantMap 程序1 3 true
}

// Qt's Shared Memory Example streams `out << image` into the segment: a marker and a PNG.
func ExampleWriter_WriteImage() {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	img.Set(1, 0, color.NRGBA{R: 255, A: 128})
	w := qdatastream.NewWriter(qdatastream.Qt_6_8)
	if err := w.WriteImage(img); err != nil {
		panic(err)
	}
	back, err := qdatastream.NewReader(w.Bytes(), qdatastream.Qt_6_8).ReadImage()
	if err != nil {
		panic(err)
	}
	fmt.Println(back.Bounds(), back.At(1, 0))
	// Output: (0,0)-(2,1) {255 0 0 128}
}

// A truncated or hostile payload gives an error that names the field and its offset.
func ExampleReader_ReadString() {
	// A QString claiming 1000 bytes of UTF-16, followed by only 4.
	data := []byte{0, 0, 0x03, 0xe8, 0, 'h', 0, 'i'}
	_, err := qdatastream.NewReader(data, qdatastream.Qt_5_15).ReadString()
	fmt.Println(err)
	// Output: qdatastream: QString size at offset 0: 1000, but only 4 bytes follow
}
