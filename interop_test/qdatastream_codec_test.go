//go:build linux

package interop_test

// The Go side of the QDataStream corpus (testdata/qdatastream/corpus.json, documented in
// docs/qdatastream-peer.md): encodeNode writes a corpus node with the qdatastream package as
// cmake/qdatastream_peer.cpp writes it with Qt's operator<<, decodeNode reads one back and
// prints it in the corpus format as the Qt program does, and canonical makes the nodes of both
// comparable.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/qtshm/qtshm-go/qdatastream"
)

// node is a corpus node: {"t": type, …}.
type node = map[string]any

// bigValue is the length beyond which strings and byte arrays are printed by their length and
// digest (as the Qt program does).
const bigValue = 4096

func nstr(n node, k string) string {
	s, _ := n[k].(string)
	return s
}

func nnum(n node, k string) int64 {
	switch x := n[k].(type) {
	case json.Number:
		v, err := x.Int64()
		if err != nil {
			panic(fmt.Sprintf("%q of %v is not an integer", k, n))
		}
		return v
	case float64:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	}
	panic(fmt.Sprintf("%q of %v is not a number", k, n))
}

func nnode(n node, k string) node {
	m, _ := n[k].(map[string]any)
	return m
}

func narr(n node, k string) []any {
	a, _ := n[k].([]any)
	return a
}

func nnull(n node) bool { b, _ := n["null"].(bool); return b }

func repeat(n node, k string) int {
	if _, ok := n[k]; !ok {
		return 1
	}
	return int(nnum(n, k))
}

// entries returns a QMap/QHash node's [[key, node], …] pairs.
func entries(n node) (keys []string, vals []node) {
	for _, e := range narr(n, "v") {
		pair := e.([]any)
		keys = append(keys, pair[0].(string))
		vals = append(vals, pair[1].(map[string]any))
	}
	return keys, vals
}

func itemsOf(n node) []node {
	var out []node
	for i := 0; i < repeat(n, "repeatItems"); i++ {
		for _, e := range narr(n, "v") {
			out = append(out, e.(map[string]any))
		}
	}
	return out
}

func stringOf(n node) string { return strings.Repeat(nstr(n, "v"), repeat(n, "repeat")) }

func bytesOf(n node) []byte {
	one, err := hex.DecodeString(nstr(n, "hex"))
	if err != nil {
		panic(err)
	}
	return []byte(strings.Repeat(string(one), repeat(n, "repeat")))
}

func parseInt(n node) int64 {
	v, err := strconv.ParseInt(nstr(n, "v"), 10, 64)
	if err != nil {
		panic(fmt.Sprintf("%v: %v", n, err))
	}
	return v
}

func parseUint(n node) uint64 {
	v, err := strconv.ParseUint(nstr(n, "v"), 10, 64)
	if err != nil {
		panic(fmt.Sprintf("%v: %v", n, err))
	}
	return v
}

func parseBits(n node) uint64 {
	v, err := strconv.ParseUint(strings.TrimPrefix(nstr(n, "v"), "0x"), 16, 64)
	if err != nil {
		panic(fmt.Sprintf("%v: %v", n, err))
	}
	return v
}

// encodeNode writes n as Qt's operator<< writes the value it describes.
func encodeNode(w *qdatastream.Writer, n node) error {
	switch t := nstr(n, "t"); t {
	case "qint8":
		return w.WriteInt8(int8(parseInt(n)))
	case "qint16":
		return w.WriteInt16(int16(parseInt(n)))
	case "qint32":
		return w.WriteInt32(int32(parseInt(n)))
	case "qint64":
		return w.WriteInt64(parseInt(n))
	case "quint8":
		return w.WriteUint8(uint8(parseUint(n)))
	case "quint16":
		return w.WriteUint16(uint16(parseUint(n)))
	case "quint32":
		return w.WriteUint32(uint32(parseUint(n)))
	case "quint64":
		return w.WriteUint64(parseUint(n))
	case "bool":
		return w.WriteBool(n["v"].(bool))
	case "float":
		return w.WriteFloat32(math.Float32frombits(uint32(parseBits(n))))
	case "double":
		return w.WriteFloat64(math.Float64frombits(parseBits(n)))
	case "QVariant":
		v, err := variantOfNode(n)
		if err != nil {
			return err
		}
		return w.WriteVariant(v)
	case "QList":
		return qdatastream.WriteList(w, itemsOf(n), encodeNode)
	case "QMap", "QHash":
		keys, vals := entries(n)
		m := map[string]node{}
		for i, k := range keys {
			m[k] = vals[i]
		}
		return qdatastream.WriteMap(w, m, encodeNode)
	default:
		v, err := valueOfNode(n)
		if err != nil {
			return err
		}
		if err := writeBare(w, v); err != nil {
			return fmt.Errorf("a %s node: %w", t, err)
		}
		return nil
	}
}

// writeBare writes a value as its type's operator<< does (no variant header).
func writeBare(w *qdatastream.Writer, v any) error {
	switch x := v.(type) {
	case bool:
		return w.WriteBool(x)
	case int32:
		return w.WriteInt32(x)
	case uint32:
		return w.WriteUint32(x)
	case int64:
		return w.WriteInt64(x)
	case uint64:
		return w.WriteUint64(x)
	case float32:
		return w.WriteFloat32(x)
	case float64:
		return w.WriteFloat64(x)
	case variantHash:
		return qdatastream.WriteMap(w, x, (*qdatastream.Writer).WriteVariant)
	case string:
		return w.WriteString(x)
	case nullString:
		return w.WriteNullString()
	case []byte:
		return w.WriteBytes(x)
	case uint16:
		return w.WriteChar(x)
	case []string:
		return w.WriteStringList(x)
	case []qdatastream.Variant:
		return qdatastream.WriteList(w, x, (*qdatastream.Writer).WriteVariant)
	case map[string]qdatastream.Variant:
		return qdatastream.WriteMap(w, x, (*qdatastream.Writer).WriteVariant)
	case qdatastream.Date:
		return w.WriteDate(x)
	case qdatastream.Time:
		return w.WriteTime(x)
	case qdatastream.DateTime:
		return w.WriteDateTime(x)
	case qdatastream.Point:
		return w.WritePoint(x)
	case qdatastream.Size:
		return w.WriteSize(x)
	case qdatastream.Rect:
		return w.WriteRect(x)
	case qdatastream.Color:
		return w.WriteColor(x)
	case nullImage:
		return w.WriteImage(nil)
	case image.Image:
		return w.WriteImage(x)
	}
	return fmt.Errorf("no bare writer for %T", v)
}

// nullString and nullImage stand for QString() and QImage() outside a variant.
type (
	nullString struct{}
	nullImage  struct{}
)

// variantOfNode is the QVariant a {"t":"QVariant"} node describes.
func variantOfNode(n node) (qdatastream.Variant, error) {
	c := nnode(n, "v")
	if c == nil {
		return qdatastream.Variant{Null: true}, nil
	}
	return containedVariant(c)
}

// containedVariant is the QVariant holding the value node c describes ({"t":"QVariant"} for an
// invalid one).
func containedVariant(c node) (qdatastream.Variant, error) {
	types := map[string]qdatastream.Type{
		"bool": qdatastream.TypeBool, "qint32": qdatastream.TypeInt, "quint32": qdatastream.TypeUInt,
		"qint64": qdatastream.TypeLongLong, "quint64": qdatastream.TypeULongLong, "double": qdatastream.TypeDouble,
		"float": qdatastream.TypeFloat, "QChar": qdatastream.TypeChar, "QString": qdatastream.TypeString,
		"QByteArray": qdatastream.TypeByteArray, "QStringList": qdatastream.TypeStringList,
		"QVariantList": qdatastream.TypeVariantList, "QVariantMap": qdatastream.TypeVariantMap,
		"QVariantHash": qdatastream.TypeVariantHash, "QDate": qdatastream.TypeDate, "QTime": qdatastream.TypeTime,
		"QDateTime": qdatastream.TypeDateTime, "QPoint": qdatastream.TypePoint, "QSize": qdatastream.TypeSize,
		"QRect": qdatastream.TypeRect, "QColor": qdatastream.TypeColor, "QImage": qdatastream.TypeImage,
	}
	t := nstr(c, "t")
	if t == "QVariant" {
		return qdatastream.Variant{Null: true}, nil
	}
	typ, ok := types[t]
	if !ok {
		return qdatastream.Variant{}, fmt.Errorf("no QVariant type for a %s node", t)
	}
	v, err := valueOfNode(c)
	if err != nil {
		return qdatastream.Variant{}, err
	}
	switch x := v.(type) {
	case nullString, nullImage:
		v = nil
	case variantHash:
		v = map[string]qdatastream.Variant(x)
	}
	if b, ok := v.([]byte); ok && b == nil {
		v = nil
	}
	return qdatastream.Variant{Type: typ, Value: v}, nil
}

// valueOfNode is the Go value of a node, as the qdatastream package represents it.
func valueOfNode(n node) (any, error) {
	switch t := nstr(n, "t"); t {
	case "bool":
		return n["v"].(bool), nil
	case "qint32":
		return int32(parseInt(n)), nil
	case "quint32":
		return uint32(parseUint(n)), nil
	case "qint64":
		return parseInt(n), nil
	case "quint64":
		return parseUint(n), nil
	case "double":
		return math.Float64frombits(parseBits(n)), nil
	case "float":
		return math.Float32frombits(uint32(parseBits(n))), nil
	case "QChar":
		return uint16(nnum(n, "v")), nil
	case "QString":
		if nnull(n) {
			return nullString{}, nil
		}
		return stringOf(n), nil
	case "QByteArray":
		if nnull(n) {
			return []byte(nil), nil
		}
		return append([]byte{}, bytesOf(n)...), nil
	case "QStringList":
		list := []string{}
		for _, s := range narr(n, "v") {
			list = append(list, s.(string))
		}
		return list, nil
	case "QVariantList":
		list := []qdatastream.Variant{}
		for _, e := range narr(n, "v") {
			v, err := containedVariant(e.(map[string]any))
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case "QVariantMap", "QVariantHash":
		keys, vals := entries(n)
		m := map[string]qdatastream.Variant{}
		for i, k := range keys {
			v, err := containedVariant(vals[i])
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		if t == "QVariantHash" {
			return variantHash(m), nil
		}
		return m, nil
	case "QDate":
		return dateOf(n), nil
	case "QTime":
		return timeOf(n), nil
	case "QDateTime":
		dt := qdatastream.DateTime{Date: dateOf(nnode(n, "date")), Time: timeOf(nnode(n, "time"))}
		switch nstr(n, "spec") {
		case "local":
			dt.Spec = qdatastream.SpecLocalTime
		case "utc":
			dt.Spec = qdatastream.SpecUTC
		case "offset":
			dt.Spec, dt.Offset = qdatastream.SpecOffsetFromUTC, int32(nnum(n, "offset"))
		case "zone":
			dt.Spec, dt.Zone = qdatastream.SpecTimeZone, qdatastream.TimeZone{ID: nstr(n, "zone")}
		default:
			return nil, fmt.Errorf("QDateTime spec %q", nstr(n, "spec"))
		}
		return dt, nil
	case "QPoint":
		return qdatastream.Point{X: int32(nnum(n, "x")), Y: int32(nnum(n, "y"))}, nil
	case "QSize":
		return qdatastream.Size{Width: int32(nnum(n, "w")), Height: int32(nnum(n, "h"))}, nil
	case "QRect":
		return qdatastream.Rect{Left: int32(nnum(n, "x1")), Top: int32(nnum(n, "y1")), Right: int32(nnum(n, "x2")), Bottom: int32(nnum(n, "y2"))}, nil
	case "QColor":
		specs := map[string]qdatastream.ColorSpec{"invalid": 0, "rgb": 1, "hsv": 2, "cmyk": 3, "hsl": 4, "extendedrgb": 5}
		return qdatastream.Color{Spec: specs[nstr(n, "spec")], Alpha: uint16(nnum(n, "a")), C1: uint16(nnum(n, "c1")),
			C2: uint16(nnum(n, "c2")), C3: uint16(nnum(n, "c3")), Pad: uint16(nnum(n, "pad"))}, nil
	case "QImage":
		if nnull(n) {
			return nullImage{}, nil
		}
		return imageOf(n)
	}
	return nil, fmt.Errorf("no Go value for a %q node", nstr(n, "t"))
}

// variantHash marks a map as a QVariantHash for VariantOf (which makes maps QVariantMaps).
type variantHash map[string]qdatastream.Variant

func dateOf(n node) qdatastream.Date {
	if nnull(n) {
		return qdatastream.NullDate
	}
	jd, err := strconv.ParseInt(nstr(n, "jd"), 10, 64)
	if err != nil {
		panic(err)
	}
	return qdatastream.Date(jd)
}

func timeOf(n node) qdatastream.Time {
	if nnull(n) {
		return qdatastream.NullTime
	}
	return qdatastream.Time(nnum(n, "ms"))
}

// imageOf builds the image of a QImage node: NRGBA from AARRGGBB pixels, Gray for gray8, Paletted
// for indexed8.
func imageOf(n node) (image.Image, error) {
	w, h := int(nnum(n, "w")), int(nnum(n, "h"))
	px, err := rgbs(nstr(n, "pixels"))
	if err != nil || len(px) != w*h {
		return nil, fmt.Errorf("QImage pixels: %d values for %d×%d (%v)", len(px), w, h, err)
	}
	r := image.Rect(0, 0, w, h)
	switch nstr(n, "format") {
	case "gray8":
		img := image.NewGray(r)
		for i, p := range px {
			img.Pix[i] = uint8(p)
		}
		return img, nil
	case "indexed8":
		table, err := rgbs(nstr(n, "colors"))
		if err != nil {
			return nil, err
		}
		var pal color.Palette
		for _, c := range table {
			pal = append(pal, nrgba(c))
		}
		img := image.NewPaletted(r, pal)
		for i, p := range px {
			img.Pix[i] = uint8(slices.IndexFunc(pal, func(c color.Color) bool { return c == nrgba(p) }))
		}
		return img, nil
	}
	img := image.NewNRGBA(r)
	for i, p := range px {
		img.SetNRGBA(i%w, i/w, nrgba(p))
	}
	return img, nil
}

func nrgba(p uint32) color.NRGBA {
	return color.NRGBA{R: uint8(p >> 16), G: uint8(p >> 8), B: uint8(p), A: uint8(p >> 24)}
}

func rgbs(s string) ([]uint32, error) {
	if len(s)%8 != 0 {
		return nil, fmt.Errorf("%d hex digits", len(s))
	}
	var out []uint32
	for i := 0; i < len(s); i += 8 {
		v, err := strconv.ParseUint(s[i:i+8], 16, 32)
		if err != nil {
			return nil, err
		}
		out = append(out, uint32(v))
	}
	return out, nil
}

// decodeNode reads the value the node shape describes and prints it as a corpus node.
func decodeNode(r *qdatastream.Reader, shape node) (node, error) {
	t := nstr(shape, "t")
	out := node{"t": t}
	var err error
	switch t {
	case "qint8", "qint16", "qint32", "qint64":
		var v int64
		switch t {
		case "qint8":
			var x int8
			x, err = r.ReadInt8()
			v = int64(x)
		case "qint16":
			var x int16
			x, err = r.ReadInt16()
			v = int64(x)
		case "qint32":
			var x int32
			x, err = r.ReadInt32()
			v = int64(x)
		default:
			v, err = r.ReadInt64()
		}
		out["v"] = strconv.FormatInt(v, 10)
	case "quint8", "quint16", "quint32", "quint64":
		var v uint64
		switch t {
		case "quint8":
			var x uint8
			x, err = r.ReadUint8()
			v = uint64(x)
		case "quint16":
			var x uint16
			x, err = r.ReadUint16()
			v = uint64(x)
		case "quint32":
			var x uint32
			x, err = r.ReadUint32()
			v = uint64(x)
		default:
			v, err = r.ReadUint64()
		}
		out["v"] = strconv.FormatUint(v, 10)
	case "QVariant":
		var v qdatastream.Variant
		start := r.Offset()
		if v, err = r.ReadVariant(); err == nil {
			if v.Type != qdatastream.TypeInvalid {
				out["v"] = showVariant(v)
			}
			out["isNullFlag"] = v.Null
			_ = start
		}
	case "QList":
		var items []node
		elem := node{"t": nstr(shape, "elem")}
		if sample := itemsOf(shape); len(sample) > 0 {
			elem = sample[0]
		}
		items, err = qdatastream.ReadList(r, func(r *qdatastream.Reader) (node, error) { return decodeNode(r, elem) })
		out["elem"], out["v"] = nstr(shape, "elem"), anyList(items)
	case "QMap", "QHash":
		var m map[string]node
		elem := node{"t": nstr(shape, "elem")}
		if _, vals := entries(shape); len(vals) > 0 {
			elem = vals[0]
		}
		m, err = qdatastream.ReadMap(r, func(r *qdatastream.Reader) (node, error) { return decodeNode(r, elem) })
		out["key"], out["elem"], out["v"] = "QString", nstr(shape, "elem"), anyEntries(m, func(n node) any { return n })
	default:
		var v any
		if v, err = readBare(r, t, shape); err == nil {
			return showValue(t, v), nil
		}
	}
	return out, err
}

// readBare reads a value of corpus type t without a variant header.
func readBare(r *qdatastream.Reader, t string, shape node) (any, error) {
	switch t {
	case "bool":
		return r.ReadBool()
	case "float":
		return r.ReadFloat32()
	case "double":
		return r.ReadFloat64()
	case "QChar":
		return r.ReadChar()
	case "QString":
		s, null, err := r.ReadStringOrNull()
		if null {
			return nullString{}, err
		}
		return s, err
	case "QByteArray":
		return r.ReadBytes()
	case "QStringList":
		return r.ReadStringList()
	case "QVariantList":
		return qdatastream.ReadList(r, (*qdatastream.Reader).ReadVariant)
	case "QVariantMap", "QVariantHash":
		return qdatastream.ReadMap(r, (*qdatastream.Reader).ReadVariant)
	case "QDate":
		return r.ReadDate()
	case "QTime":
		return r.ReadTime()
	case "QDateTime":
		return r.ReadDateTime()
	case "QPoint":
		return r.ReadPoint()
	case "QSize":
		return r.ReadSize()
	case "QRect":
		return r.ReadRect()
	case "QColor":
		return r.ReadColor()
	case "QImage":
		img, err := r.ReadImage()
		if img == nil && err == nil {
			return nullImage{}, nil
		}
		return img, err
	}
	return nil, fmt.Errorf("no reader for a %q node", t)
}

// showVariant prints the node a variant contains ({"t":"QVariant"} for an invalid one).
func showVariant(v qdatastream.Variant) node {
	names := map[qdatastream.Type]string{
		qdatastream.TypeBool: "bool", qdatastream.TypeInt: "qint32", qdatastream.TypeUInt: "quint32",
		qdatastream.TypeLongLong: "qint64", qdatastream.TypeULongLong: "quint64", qdatastream.TypeDouble: "double",
		qdatastream.TypeFloat: "float", qdatastream.TypeChar: "QChar", qdatastream.TypeString: "QString",
		qdatastream.TypeByteArray: "QByteArray", qdatastream.TypeStringList: "QStringList",
		qdatastream.TypeVariantList: "QVariantList", qdatastream.TypeVariantMap: "QVariantMap",
		qdatastream.TypeVariantHash: "QVariantHash", qdatastream.TypeDate: "QDate", qdatastream.TypeTime: "QTime",
		qdatastream.TypeDateTime: "QDateTime", qdatastream.TypePoint: "QPoint", qdatastream.TypeSize: "QSize",
		qdatastream.TypeRect: "QRect", qdatastream.TypeColor: "QColor", qdatastream.TypeImage: "QImage",
	}
	if v.Type == qdatastream.TypeInvalid {
		return node{"t": "QVariant"}
	}
	t := names[v.Type]
	val := v.Value
	if val == nil {
		switch v.Type {
		case qdatastream.TypeString:
			val = nullString{}
		case qdatastream.TypeImage:
			val = nullImage{}
		case qdatastream.TypeByteArray:
			val = []byte(nil)
		}
	}
	return showValue(t, val)
}

// showValue prints a Go value of corpus type t as a node.
func showValue(t string, v any) node {
	out := node{"t": t}
	switch x := v.(type) {
	case bool:
		out["v"] = x
	case int32:
		out["v"] = strconv.FormatInt(int64(x), 10)
	case uint32:
		out["v"] = strconv.FormatUint(uint64(x), 10)
	case int64:
		out["v"] = strconv.FormatInt(x, 10)
	case uint64:
		out["v"] = strconv.FormatUint(x, 10)
	case float32:
		out["v"] = fmt.Sprintf("0x%08x", math.Float32bits(x))
	case float64:
		out["v"] = fmt.Sprintf("0x%016x", math.Float64bits(x))
	case uint16:
		out["v"] = int64(x)
	case nullString:
		out["null"] = true
	case string:
		if units := utf16.Encode([]rune(x)); len(units) > bigValue {
			out["v"] = string(utf16.Decode(units[:64]))
			out["len"] = int64(len(units))
			out["sha256"] = digest([]byte(x))
		} else {
			out["v"] = x
		}
	case []byte:
		switch {
		case x == nil:
			out["null"] = true
		case len(x) > bigValue:
			out["hex"] = hex.EncodeToString(x[:64])
			out["len"] = int64(len(x))
			out["sha256"] = digest(x)
		default:
			out["hex"] = hex.EncodeToString(x)
		}
	case []string:
		out["v"] = anyList(x)
	case []qdatastream.Variant:
		var items []node
		for _, e := range x {
			items = append(items, showVariant(e))
		}
		out["v"] = anyList(items)
	case map[string]qdatastream.Variant:
		out["v"] = anyEntries(x, func(v qdatastream.Variant) any { return showVariant(v) })
	case qdatastream.Date:
		dateFields(out, x)
	case qdatastream.Time:
		timeFields(out, x)
	case qdatastream.DateTime:
		d, tm := node{}, node{}
		dateFields(d, x.Date)
		timeFields(tm, x.Time)
		out["date"], out["time"] = d, tm
		switch x.Spec {
		case qdatastream.SpecLocalTime:
			out["spec"] = "local"
		case qdatastream.SpecUTC:
			out["spec"] = "utc"
		case qdatastream.SpecOffsetFromUTC:
			out["spec"], out["offset"] = "offset", int64(x.Offset)
		case qdatastream.SpecTimeZone:
			out["spec"], out["zone"] = "zone", x.Zone.ID
		}
	case qdatastream.Point:
		out["x"], out["y"] = int64(x.X), int64(x.Y)
	case qdatastream.Size:
		out["w"], out["h"] = int64(x.Width), int64(x.Height)
	case qdatastream.Rect:
		out["x1"], out["y1"], out["x2"], out["y2"] = int64(x.Left), int64(x.Top), int64(x.Right), int64(x.Bottom)
	case qdatastream.Color:
		specs := []string{"invalid", "rgb", "hsv", "cmyk", "hsl", "extendedrgb"}
		if int(x.Spec) >= 0 && int(x.Spec) < len(specs) {
			out["spec"] = specs[x.Spec]
		} else {
			out["spec"] = int64(x.Spec)
		}
		out["a"], out["c1"], out["c2"], out["c3"], out["pad"] = int64(x.Alpha), int64(x.C1), int64(x.C2), int64(x.C3), int64(x.Pad)
	case nullImage:
		out["null"] = true
	case image.Image:
		b := x.Bounds()
		var sb strings.Builder
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for xx := b.Min.X; xx < b.Max.X; xx++ {
				c := color.NRGBAModel.Convert(x.At(xx, y)).(color.NRGBA)
				fmt.Fprintf(&sb, "%02x%02x%02x%02x", c.A, c.R, c.G, c.B)
			}
		}
		out["w"], out["h"], out["pixels"] = int64(b.Dx()), int64(b.Dy()), sb.String()
	default:
		out["unprintable"] = fmt.Sprintf("%T", v)
	}
	return out
}

func dateFields(out node, d qdatastream.Date) {
	if d.IsNull() {
		out["null"] = true
	} else {
		out["jd"] = strconv.FormatInt(int64(d), 10)
	}
}

func timeFields(out node, t qdatastream.Time) {
	if t.IsNull() {
		out["null"] = true
		return
	}
	out["ms"] = int64(t)
	if _, ok := t.Duration(); !ok {
		out["invalid"] = true
	}
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func anyList[T any](xs []T) []any {
	out := make([]any, 0, len(xs))
	for _, x := range xs {
		out = append(out, x)
	}
	return out
}

// anyEntries prints a map as [[key, node], …] in QString order.
func anyEntries[V any](m map[string]V, show func(V) any) []any {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareUTF16)
	out := []any{}
	for _, k := range keys {
		out = append(out, []any{k, show(m[k])})
	}
	return out
}

func compareUTF16(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}
