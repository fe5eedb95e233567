package qdatastream

// The findings of an adversarial review of the package, each kept as the test of its fix: every
// TestReview… states what the package or its docs promise (bounded allocation on hostile input,
// Qt's statuses, no panic on typed nils, the zero values, zones, rectangles, map keys) and checks
// it.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc counts every allocation,
// collected or not).
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// pngChunk is one PNG chunk: length, type, data, CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// rawPNG builds a PNG of the given header fields whose IDAT holds idat (already zlib data).
func rawPNG(w, h int, depth, colorType, interlace byte, extra [][]byte, idat []byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, interlace)
	b := append([]byte(nil), pngSignature...)
	b = append(b, pngChunk("IHDR", ihdr)...)
	for _, e := range extra {
		b = append(b, e...)
	}
	b = append(b, pngChunk("IDAT", idat)...)
	return append(b, pngChunk("IEND", nil)...)
}

func zlibOf(raw []byte) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	return z.Bytes()
}

// qimage is a QImage stream: the marker 1 and the PNG.
func qimage(p []byte) []byte { return append([]byte{0, 0, 0, 1}, p...) }

// TestReviewNestedContainerPreallocation: "a Reader never allocates more than the input can
// hold". ReadList and ReadMap reserve min(count, 1024) elements before reading any; nested
// QVariantLists/QVariantMaps (9 bytes a level, up to MaxDepth levels) each reserve that much,
// so 2 KiB of input allocate megabytes before the data turns out to be missing.
func TestReviewNestedContainerPreallocation(t *testing.T) {
	for _, typ := range []Type{TypeVariantList, TypeVariantMap} {
		t.Run(typ.String(), func(t *testing.T) {
			const levels = 250
			var in []byte
			for i := 0; i < levels; i++ {
				in = binary.BigEndian.AppendUint32(in, uint32(typ))
				in = append(in, 0)
				left := (levels - i - 1) * 9 // what the deeper levels take
				if typ == TypeVariantMap {
					left = (levels - i - 1) * 13 // a key "" (4 bytes) before each nested value
				}
				in = binary.BigEndian.AppendUint32(in, uint32(max(left, 1)))
				if typ == TypeVariantMap && i < levels-1 {
					in = binary.BigEndian.AppendUint32(in, 0) // key ""
				}
			}
			var err error
			got := allocated(func() {
				r := NewReader(in, Qt_6_8)
				_, err = r.ReadVariant()
			})
			if err == nil {
				t.Fatal("a truncated nesting read without error")
			}
			t.Logf("%d bytes of input allocated %d bytes (%.0f× the input): %v", len(in), got, float64(got)/float64(len(in)), err)
			if got > 64*uint64(len(in)) {
				t.Errorf("%d bytes of input allocated %d bytes (%.0f×)", len(in), got, float64(got)/float64(len(in)))
			}
		})
	}
}

// TestReviewImageTransparentGrayBeyondLimit: MaxImageBytes bounds "width × height × bytes per
// pixel", counted from png.DecodeConfig's color model. DecodeConfig stops at IHDR, so a gray
// PNG with a tRNS chunk counts 1 (8-bit) or 2 (16-bit) bytes a pixel, but image/png decodes it
// as NRGBA or NRGBA64: 4 times the limit.
func TestReviewImageTransparentGrayBeyondLimit(t *testing.T) {
	const side = 512
	const limit = side * side * 2 // 16-bit gray at the limit exactly; 8-bit gray at half of it
	for _, c := range []struct {
		name  string
		depth byte
		trns  []byte
	}{{"gray8+tRNS", 8, []byte{0, 0}}, {"gray16+tRNS", 16, []byte{0, 0}}} {
		t.Run(c.name, func(t *testing.T) {
			bpp := int(c.depth / 8)
			raw := make([]byte, side*(1+side*bpp)) // filter byte 0, all pixels 0
			in := qimage(rawPNG(side, side, c.depth, 0, 0, [][]byte{pngChunk("tRNS", c.trns)}, zlibOf(raw)))
			var img image.Image
			var err error
			got := allocated(func() {
				r := NewReader(in, Qt_6_8)
				r.MaxImageBytes = limit
				img, err = r.ReadImage()
			})
			if err != nil && !errors.Is(err, ErrSizeLimitExceeded) {
				t.Fatalf("not read: %v", err)
			}
			t.Logf("%d bytes of input, MaxImageBytes %d, decoded %T, allocated %d bytes", len(in), limit, img, got)
			if got > limit*5/4 {
				t.Errorf("MaxImageBytes %d, but reading the image allocated %d bytes (%T)", limit, got, img)
			}
		})
	}
}

// adam7 is the size of each Adam7 pass of a w×h image.
func adam7(w, h int) [][2]int {
	p := [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	var out [][2]int
	for _, q := range p {
		pw := (w - q[0] + q[2] - 1) / q[2]
		ph := (h - q[1] + q[3] - 1) / q[3]
		out = append(out, [2]int{pw, ph})
	}
	return out
}

// TestReviewImageInterlacedBeyondLimit: an interlaced (Adam7) PNG makes image/png allocate the
// whole image and then each pass again, so a PNG at MaxImageBytes allocates about twice it.
func TestReviewImageInterlacedBeyondLimit(t *testing.T) {
	const side = 1024
	const limit = side * side // 8-bit gray: exactly the limit
	var raw []byte
	for _, p := range adam7(side, side) {
		if p[0] > 0 && p[1] > 0 {
			raw = append(raw, make([]byte, p[1]*(1+p[0]))...)
		}
	}
	in := qimage(rawPNG(side, side, 8, 0, 1, nil, zlibOf(raw)))
	var err error
	got := allocated(func() {
		r := NewReader(in, Qt_6_8)
		r.MaxImageBytes = limit
		_, err = r.ReadImage()
	})
	if err != nil && !errors.Is(err, ErrSizeLimitExceeded) {
		t.Fatalf("not read: %v", err)
	}
	t.Logf("%d bytes of interlaced PNG, MaxImageBytes %d, allocated %d bytes", len(in), limit, got)
	if got > limit*5/4 {
		t.Errorf("MaxImageBytes %d, but reading an interlaced image allocated %d bytes", limit, got)
	}
}

// TestReviewImageTinyInputHugeAllocation: the package doc promises "no allocation beyond what
// the input's length allows". A PNG of a few dozen bytes that claims 4096×4096 pixels is within
// the default MaxImageBytes (256 MiB), and image/png allocates the whole image before it reads
// the pixel data, which is not there. Deflate expands at most ~1032:1, so the IDAT length
// bounds what a real image can hold; the limit does not use it.
func TestReviewImageTinyInputHugeAllocation(t *testing.T) {
	in := qimage(rawPNG(4096, 4096, 8, 0, 0, nil, zlibOf([]byte{0})))
	var err error
	got := allocated(func() {
		_, err = NewReader(in, Qt_6_8).ReadImage()
	})
	t.Logf("%d bytes of input allocated %d bytes (%v)", len(in), got, err)
	if got > 1<<20 {
		t.Errorf("%d bytes of input allocated %d bytes", len(in), got)
	}
}

// TestReviewImageErrorStatus: Qt's operator>>(QImage&) sets ReadPastEnd for any image it
// cannot read (qimage.cpp: "if (image.isNull() && s.version() >= 5)
// s.setStatus(QDataStream::ReadPastEnd)"), corrupt PNG or over QImageReader's allocation limit
// alike. The Go reader says ReadCorruptData or SizeLimitExceeded, yet Error.Status is documented
// as "the status Qt's QDataStream would be left in".
func TestReviewImageErrorStatus(t *testing.T) {
	good := func() []byte {
		var b bytes.Buffer
		_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
		return b.Bytes()
	}
	badCRC := good()
	badCRC[len(pngSignature)+8+13] ^= 0xff // IHDR's CRC
	for _, c := range []struct {
		name  string
		in    []byte
		limit int
	}{
		{"IHDR CRC", qimage(badCRC), 0},
		{"not a PNG", qimage(append([]byte("GIF89a.."), pngChunk("IEND", nil)...)), 0},
		{"over the limit", qimage(good()), 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := NewReader(c.in, Qt_6_8)
			r.MaxImageBytes = c.limit
			_, err := r.ReadImage()
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v", err)
			}
			if e.Status != ReadPastEnd {
				t.Errorf("Status %v (%v), Qt sets ReadPastEnd", e.Status, err)
			}
		})
	}
}

// TestReviewWriteSizeLimitStatus: docs/qdatastream.md says that before Qt_6_7 a size of
// 0xffffffff or more "cannot be written (Qt sets WriteFailed; ...)". Qt's writeQSizeType sets
// SizeLimitExceeded ("value is too big for old format", qdatastream.h, Qt 6.8.2). A list of
// 2³² zero-sized elements shows what the Go writer says.
func TestReviewWriteSizeLimitStatus(t *testing.T) {
	if strconv.IntSize < 64 {
		return // 2³² elements are not an int here
	}
	shift := 32
	list := make([]struct{}, 1<<shift)
	w := NewWriter(Qt_6_6)
	err := WriteList(w, list, func(*Writer, struct{}) error { return nil })
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v", err)
	}
	if e.Status != SizeLimitExceeded {
		t.Errorf("Status %v (%v); Qt's writeQSizeType sets SizeLimitExceeded", e.Status, err)
	}
}

// TestReviewStringOddLengthStatus: Qt (5.15 and 6.8, qstring.cpp) checks an odd QString byte
// length before it reads: ReadCorruptData. The Go reader checks the bytes left first, so an odd
// length longer than the rest of the stream says ReadPastEnd.
func TestReviewStringOddLengthStatus(t *testing.T) {
	r := NewReader([]byte{0, 0, 0, 3, 0}, Qt_6_8)
	_, err := r.ReadString()
	if !errors.Is(err, ErrReadCorruptData) {
		t.Errorf("%v; Qt sets ReadCorruptData", err)
	}
}

// TestReviewTypedNilImage: a nil *image.RGBA in an image.Image is not a nil interface; the
// writer calls its Bounds and panics, where the package promises no panics and writes a nil
// image as QImage().
func TestReviewTypedNilImage(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(*Writer) error
	}{
		{"WriteImage", func(w *Writer) error { return w.WriteImage((*image.RGBA)(nil)) }},
		{"WriteVariant", func(w *Writer) error { return w.WriteVariant(Variant{Type: TypeImage, Value: (*image.Gray)(nil)}) }},
		{"VariantOf", func(w *Writer) error {
			v, err := VariantOf((*image.NRGBA)(nil))
			if err != nil {
				return err
			}
			return w.WriteVariant(v)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("panic: %v", p)
				}
			}()
			w := NewWriter(Qt_6_8)
			if err := c.write(w); err != nil {
				t.Logf("error %v", err)
			}
		})
	}
}

// TestReviewZeroValueWriterPrecision: a Writer made as a struct literal (no NewWriter) writes
// doubles as 4 bytes, because SinglePrecision is the zero value. A Qt reader with its default
// (double) precision then reads 8 and is off from there on. Documented in a field comment,
// but silent: nothing fails.
func TestReviewZeroValueWriterPrecision(t *testing.T) {
	w := &Writer{Version: Qt_6_8}
	_ = w.WriteFloat64(1.5)
	if w.Len() != 8 {
		t.Errorf("Writer{Version: Qt_6_8} wrote a double as %d bytes; Qt's default stream reads 8", w.Len())
	}
}

// TestReviewRectangleOfInvalidRect: a QRect with a negative width or height (right < left − 1)
// is empty in Qt (QRect::isEmpty); Rect.Rectangle passes it to image.Rect, which swaps the
// coordinates, so it becomes a non-empty rectangle.
func TestReviewRectangleOfInvalidRect(t *testing.T) {
	for _, q := range []Rect{{0, 0, -2, -2}, {10, 10, 5, 20}, {0, 0, math.MinInt32, 5}} {
		if r := q.Rectangle(); !r.Empty() {
			t.Errorf("%+v (empty in Qt) → %v, %d×%d pixels", q, r, r.Dx(), r.Dy())
		}
	}
}

// TestReviewDateTimeOfFabricatedZone: time.Parse of a zone abbreviation unknown to the location
// makes a fixed zone of that name with offset 0 ("EST", "CET", "MST" are also IANA names of real
// zones). DateTimeOf takes any location whose name loads as a zone for that zone, so the instant
// moves by the real zone's offset.
func TestReviewDateTimeOfFabricatedZone(t *testing.T) {
	for _, s := range []string{"Mon, 02 Jan 2006 15:04:05 EST", "Mon, 02 Jan 2006 15:04:05 CET"} {
		in, err := time.ParseInLocation(time.RFC1123, s, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		dt := DateTimeOf(in)
		back, err := dt.GoTime(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !back.Equal(in) {
			_, off := in.Zone()
			t.Errorf("%s (%v, offset %d) → %+v → %v: moved by %v", s, in, off, dt, back, back.Sub(in))
		}
	}
}

// TestReviewDateTimeFallBackRoundTrip: a wall-clock time that occurs twice (the end of daylight
// saving time) comes back as its first occurrence, as DateTimeOf documents: the stream holds only
// the wall clock and the zone. Qt has the same ambiguity ("no way to resolve transition
// ambiguity", qdatetime.cpp).
func TestReviewDateTimeFallBackRoundTrip(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	for _, utc := range []int{5, 6} { // 01:30 EDT, then 01:30 EST
		in := time.Date(2024, 11, 3, utc, 30, 0, 0, time.UTC).In(ny)
		back, err := DateTimeOf(in).GoTime(nil)
		if err != nil {
			t.Fatal(err)
		}
		if first := time.Date(2024, 11, 3, 5, 30, 0, 0, time.UTC); !back.Equal(first) {
			t.Errorf("%v → %v, not the first 01:30 (%v)", in, back, first.In(ny))
		}
	}
}

// TestReviewTimeZoneAheadOfUtcBy: Qt 6.5+ streams a lightweight QTimeZone
// (QTimeZone::fromSecondsAheadOfUtc, QTimeZone::UTC, LocalTime) as "AheadOfUtcBy" and a qint32,
// "QTimeZone::UTC" or "QTimeZone::LocalTime" (qtimezone.cpp, QTimeZone::Data::serialize).
// ReadTimeZone takes "AheadOfUtcBy" for an IANA id and leaves its offset in the stream.
func TestReviewTimeZoneAheadOfUtcBy(t *testing.T) {
	w := NewWriter(Qt_6_8)
	_ = w.WriteString("AheadOfUtcBy")
	_ = w.WriteInt32(3600)
	_ = w.WriteString("after")
	r := NewReader(w.Bytes(), Qt_6_8)
	z, err := r.ReadTimeZone()
	if err != nil {
		t.Fatal(err)
	}
	after, err := r.ReadString()
	if err != nil || after != "after" {
		t.Errorf("read %+v, then %q (%v); the offset 3600 was left in the stream", z, after, err)
	}
}

// TestReviewWriterDepthIgnoresReaderMaxDepth: a Reader with MaxDepth raised reads a deep
// QVariantList that no Writer can write back (the Writer's bound is DefaultMaxDepth, fixed).
func TestReviewWriterDepthIgnoresReaderMaxDepth(t *testing.T) {
	v := Variant{Type: TypeInt, Value: int32(1)}
	for i := 0; i < 300; i++ {
		v = Variant{Type: TypeVariantList, Value: []Variant{v}}
	}
	var in []byte
	for i := 0; i < 300; i++ {
		in = append(in, 0, 0, 0, 9, 0, 0, 0, 0, 1)
	}
	in = append(in, 0, 0, 0, 2, 0, 0, 0, 0, 1)
	r := NewReader(in, Qt_6_8)
	r.MaxDepth = 1000
	got, err := r.ReadVariant()
	if err != nil {
		t.Fatalf("MaxDepth 1000: %v", err)
	}
	if err := NewWriter(Qt_6_8).WriteVariant(got); !errors.Is(err, ErrSizeLimitExceeded) {
		t.Errorf("a Writer with the default MaxDepth wrote 300 levels: %v", err)
	}
	w := NewWriter(Qt_6_8)
	w.MaxDepth = 1000
	if err := w.WriteVariant(got); err != nil || !bytes.Equal(w.Bytes(), in) {
		t.Errorf("read with MaxDepth 1000, but a Writer with MaxDepth 1000 cannot write it back: %v", err)
	}
}

// TestReviewMapInvalidUTF8KeysCollide: WriteString writes invalid UTF-8 as U+FFFD, so distinct
// Go keys become one QString key; the count says 2, Qt (and Go) read one entry, and which value
// survives depends on Go's map order (the sort sees equal keys), so the bytes change run to run.
func TestReviewMapInvalidUTF8KeysCollide(t *testing.T) {
	m := map[string]Variant{"\xff": {Type: TypeInt, Value: int32(1)}, "\xfe": {Type: TypeInt, Value: int32(2)}, "\xfd": {Type: TypeInt, Value: int32(3)}}
	w := NewWriter(Qt_6_8)
	err := WriteMap(w, m, (*Writer).WriteVariant)
	if err == nil {
		first := append([]byte(nil), w.Bytes()...)
		differs := false
		for i := 0; i < 50 && !differs; i++ {
			w2 := NewWriter(Qt_6_8)
			_ = WriteMap(w2, m, (*Writer).WriteVariant)
			differs = !bytes.Equal(first, w2.Bytes())
		}
		back, _ := ReadMap(NewReader(first, Qt_6_8), (*Reader).ReadVariant)
		t.Errorf("3 keys written without error; read back %d entries %v; bytes differ between runs: %v", len(back), back, differs)
	}
}

// TestReviewVariantOfChar: Variant.Value of a TypeChar is a uint16, which ReadVariant returns;
// VariantOf refuses a uint16 (it could as well be Qt's ushort, a type of its own), as documented,
// and the variant read writes back as it is.
func TestReviewVariantOfChar(t *testing.T) {
	in := []byte{0, 0, 0, 7, 0, 0, 0x41}
	v, err := NewReader(in, Qt_6_8).ReadVariant()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VariantOf(v.Value); err == nil {
		t.Errorf("VariantOf(%T) chose a type", v.Value)
	}
	w := NewWriter(Qt_6_8)
	if err := w.WriteVariant(v); err != nil || !bytes.Equal(w.Bytes(), in) {
		t.Errorf("the QChar variant wrote back as % x (%v)", w.Bytes(), err)
	}
}

// FuzzReviewReadEach fuzzes every Read method on its own, at every supported version, checking
// the documented contract: no panic, an *Error on failure with the offset inside the input and
// the reader rewound, and a success that re-encodes to the same bytes where the encoding is
// unique (primitives, strings, byte arrays, dates, geometry, colors).
func FuzzReviewReadEach(f *testing.F) {
	f.Add([]byte{0, 0, 0, 4, 0, 0x68, 0, 0x69}, uint8(0), uint8(0))
	f.Add([]byte{0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x68}, uint8(7), uint8(2))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 26, 0, 'O', 0, 'f', 0, 'f', 0, 's', 0, 'e', 0, 't', 0, 'F', 0, 'r', 0, 'o', 0, 'm', 0, 'U', 0, 't', 0, 'c'}, uint8(5), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, which, mode uint8) {
		type reader struct {
			name  string
			read  func(*Reader) (any, error)
			write func(*Writer, any) error // nil: not unique or not checked
		}
		readers := []reader{
			{"ReadString", func(r *Reader) (any, error) { s, n, err := r.ReadStringOrNull(); return [2]any{s, n}, err }, nil},
			{"ReadBytes", func(r *Reader) (any, error) { return r.ReadBytes() }, func(w *Writer, v any) error { return w.WriteBytes(v.([]byte)) }},
			{"ReadDate", func(r *Reader) (any, error) { return r.ReadDate() }, func(w *Writer, v any) error { return w.WriteDate(v.(Date)) }},
			{"ReadTime", func(r *Reader) (any, error) { return r.ReadTime() }, func(w *Writer, v any) error { return w.WriteTime(v.(Time)) }},
			{"ReadDateTime", func(r *Reader) (any, error) { return r.ReadDateTime() }, nil},
			{"ReadTimeZone", func(r *Reader) (any, error) { return r.ReadTimeZone() }, nil},
			{"ReadColor", func(r *Reader) (any, error) { return r.ReadColor() }, func(w *Writer, v any) error { return w.WriteColor(v.(Color)) }},
			{"ReadRect", func(r *Reader) (any, error) { return r.ReadRect() }, func(w *Writer, v any) error { return w.WriteRect(v.(Rect)) }},
			{"ReadPoint", func(r *Reader) (any, error) { return r.ReadPoint() }, func(w *Writer, v any) error { return w.WritePoint(v.(Point)) }},
			{"ReadSize", func(r *Reader) (any, error) { return r.ReadSize() }, func(w *Writer, v any) error { return w.WriteSize(v.(Size)) }},
			{"ReadFloat32", func(r *Reader) (any, error) { return r.ReadFloat32() }, nil},
			{"ReadFloat64", func(r *Reader) (any, error) { return r.ReadFloat64() }, nil},
			{"ReadStringList", func(r *Reader) (any, error) { return r.ReadStringList() }, nil},
			{"ReadList(ReadList(ReadInt8))", func(r *Reader) (any, error) {
				return ReadList(r, func(r *Reader) ([]int8, error) { return ReadList(r, (*Reader).ReadInt8) })
			}, nil},
			{"ReadList(zero-width)", func(r *Reader) (any, error) {
				return ReadList(r, func(*Reader) (struct{}, error) { return struct{}{}, nil })
			}, nil},
			{"ReadMap(failing after 2)", func(r *Reader) (any, error) {
				n := 0
				return ReadMap(r, func(r *Reader) (int32, error) {
					if n++; n > 2 {
						return 0, errors.New("callback refuses")
					}
					return r.ReadInt32()
				})
			}, nil},
			{"ReadVariant", func(r *Reader) (any, error) { return r.ReadVariant() }, nil},
			{"ReadImage", func(r *Reader) (any, error) { return r.ReadImage() }, nil},
		}
		rd := readers[int(which)%len(readers)]
		v := Version(15 + int(mode)%8)
		r := NewReader(data, v)
		r.MaxImageBytes = 1 << 18
		if mode&8 != 0 {
			r.ByteOrder = LittleEndian
		}
		if mode&16 != 0 {
			r.FloatingPointPrecision = SinglePrecision
		}
		got, err := rd.read(r)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				if e.Offset < 0 || e.Offset > len(data) || r.Offset() != 0 {
					t.Fatalf("%s: error %v at offset %d, reader at %d", rd.name, err, e.Offset, r.Offset())
				}
			} else if err.Error() != "callback refuses" || r.Offset() != 0 {
				t.Fatalf("%s: error %v (%T), reader at %d", rd.name, err, err, r.Offset())
			}
			return
		}
		if rd.write != nil {
			w := NewWriter(v)
			w.ByteOrder, w.FloatingPointPrecision = r.ByteOrder, r.FloatingPointPrecision
			if err := rd.write(w, got); err != nil {
				t.Fatalf("%s: %v read, not written: %v", rd.name, got, err)
			}
			if !bytes.Equal(w.Bytes(), data[:r.Offset()]) && !(rd.name == "ReadBytes" && v >= Qt_6_7) {
				t.Fatalf("%s: read % x as %v, wrote % x", rd.name, data[:r.Offset()], got, w.Bytes())
			}
		}
	})
}

// FuzzReviewWriteVariant builds variants from fuzz bytes (odd types, mismatched values, typed
// nils, NaN, self-referencing lists and maps) and writes them: no panic, and what is written
// reads back.
func FuzzReviewWriteVariant(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(0))
	f.Add([]byte{9, 9, 9, 8, 8, 12, 20}, uint8(1))
	f.Fuzz(func(t *testing.T, spec []byte, mode uint8) {
		values := []any{nil, true, int32(-1), uint32(7), int64(math.MinInt64), uint64(math.MaxUint64), math.NaN(), float32(math.Inf(1)),
			uint16(0xffff), "", "\xff\xfe", []byte(nil), []byte{}, []string(nil), []Variant(nil), map[string]Variant(nil),
			Date(math.MinInt64), Time(-5), DateTime{Spec: 9}, DateTime{Spec: SpecTimeZone, Zone: TimeZone{OffsetZone: true}},
			Point{}, Size{-1, -1}, Rect{}, Color{Spec: 99}, image.Image(nil), image.NewGray(image.Rect(0, 0, 0, 3)),
			image.NewRGBA(image.Rect(5, 5, 6, 6)), struct{}{}, 3, ^uint(0), color.RGBA{}}
		types := []Type{TypeInvalid, TypeBool, TypeInt, TypeUInt, TypeLongLong, TypeULongLong, TypeDouble, TypeChar, TypeVariantMap,
			TypeVariantList, TypeString, TypeStringList, TypeByteArray, TypeDate, TypeTime, TypeDateTime, TypeRect, TypeSize, TypePoint,
			TypeVariantHash, TypeFloat, TypeColor, TypeImage, 13, 0x1000, 65536}
		var build func(i *int, depth int) Variant
		build = func(i *int, depth int) Variant {
			if *i >= len(spec) {
				return Variant{}
			}
			b := spec[*i]
			*i++
			t := types[int(b)%len(types)]
			if (t == TypeVariantList || t == TypeVariantMap || t == TypeVariantHash) && depth < 8 && b&0x80 == 0 {
				var list []Variant
				m := map[string]Variant{}
				for k := 0; k < int(b>>5)%3+1; k++ {
					e := build(i, depth+1)
					list = append(list, e)
					m[fmt.Sprint(k)] = e
				}
				if t == TypeVariantList {
					if b&0x40 != 0 { // a list that holds itself
						list = append(list, Variant{})
						list[len(list)-1] = Variant{Type: TypeVariantList, Value: list}
					}
					return Variant{Type: t, Value: list}
				}
				if b&0x40 != 0 {
					m["self"] = Variant{Type: t, Value: m}
				}
				return Variant{Type: t, Value: m}
			}
			val := values[int(b>>3)%len(values)]
			if b&4 != 0 {
				if x, err := VariantOf(val); err == nil {
					return x
				}
			}
			return Variant{Type: t, Null: b&2 != 0, Value: val}
		}
		i := 0
		v := build(&i, 0)
		w := NewWriter(Version(15 + int(mode)%8))
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("WriteVariant(%+v) panics: %v", v, p)
				}
			}()
			if err := w.WriteVariant(v); err != nil {
				var e *Error
				if !errors.As(err, &e) || w.Len() != 0 {
					t.Fatalf("error %v (%T), %d bytes left written", err, err, w.Len())
				}
				return
			}
		}()
		if w.Len() == 0 {
			return
		}
		r := NewReader(w.Bytes(), w.Version)
		if _, err := r.ReadVariant(); err != nil || !r.AtEnd() {
			t.Fatalf("wrote % x for %+v; reading it back: %v, %d bytes left", w.Bytes(), v, err, r.Len())
		}
	})
}
