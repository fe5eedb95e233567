package qdatastream

import (
	"fmt"
	"image"
	"math"
)

// Type is a QMetaType type id, numbered as Qt 6 numbers them. In streams older than Qt_6_0 the
// types of Qt GUI (QColor, QImage) have Qt 5's ids; Reader and Writer translate.
type Type uint32

// The QVariant types this package reads and writes, with their Qt 6 ids, and the Go type of
// Variant.Value for each.
const (
	TypeInvalid     Type = 0      // QVariant(): Value nil
	TypeBool        Type = 1      // bool
	TypeInt         Type = 2      // int32
	TypeUInt        Type = 3      // uint32
	TypeLongLong    Type = 4      // int64
	TypeULongLong   Type = 5      // uint64
	TypeDouble      Type = 6      // float64
	TypeChar        Type = 7      // uint16 (a QChar)
	TypeVariantMap  Type = 8      // map[string]Variant
	TypeVariantList Type = 9      // []Variant
	TypeString      Type = 10     // string, or nil for the null QString
	TypeStringList  Type = 11     // []string
	TypeByteArray   Type = 12     // []byte (nil for the null QByteArray)
	TypeDate        Type = 14     // Date
	TypeTime        Type = 15     // Time
	TypeDateTime    Type = 16     // DateTime
	TypeRect        Type = 19     // Rect
	TypeSize        Type = 21     // Size
	TypePoint       Type = 25     // Point
	TypeVariantHash Type = 28     // map[string]Variant (a QHash)
	TypeFloat       Type = 38     // float32
	TypeColor       Type = 0x1003 // Color
	TypeImage       Type = 0x1006 // image.Image (nil for QImage())
)

// Qt 5's numbering of the Qt GUI types, and its user type id.
const (
	qt5FirstGuiType = 64
	qt5LastGuiType  = 87
	qt6FirstGuiType = 0x1000
	qt6LastGuiType  = 0x1017 // QColorSpace
	qt5UserType     = 1024
	qt6UserType     = 65536
)

var typeNames = map[Type]string{
	TypeInvalid: "Invalid", TypeBool: "bool", TypeInt: "int", TypeUInt: "uint", TypeLongLong: "qlonglong",
	TypeULongLong: "qulonglong", TypeDouble: "double", TypeChar: "QChar", TypeVariantMap: "QVariantMap",
	TypeVariantList: "QVariantList", TypeString: "QString", TypeStringList: "QStringList",
	TypeByteArray: "QByteArray", TypeDate: "QDate", TypeTime: "QTime", TypeDateTime: "QDateTime",
	TypeRect: "QRect", TypeSize: "QSize", TypePoint: "QPoint", TypeVariantHash: "QVariantHash",
	TypeFloat: "float", TypeColor: "QColor", TypeImage: "QImage",
}

// String returns Qt's name of the type ("QString", "int"), or the number of one this package
// does not know.
func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("QMetaType(%d)", uint32(t))
}

// Variant is a QVariant: a type, Qt's null flag, and the value as the Go type listed with the
// Type constants.
type Variant struct {
	Type Type
	// Null is the flag Qt writes after the type id (QVariant's internal is_null): set for
	// QVariant() and QVariant(QMetaType), not for a variant holding a null QString. Reading
	// keeps it; writing a TypeInvalid variant always sets it, as Qt does.
	Null  bool
	Value any
}

// VariantOf returns the Variant holding v, choosing the Qt type from v's Go type: bool, int32
// (int), uint32 (uint), int64, uint64, float64 (double), float32 (float), string (QString),
// []byte (QByteArray), []string (QStringList), []Variant (QVariantList), map[string]Variant
// (QVariantMap), Date, Time, DateTime, Point, Size, Rect, Color, image.Image. An int or uint is a
// Qt int or uint when it fits in 32 bits, a qlonglong or qulonglong otherwise. nil is
// QVariant(). Any other type is an error, uint16 among them: ReadVariant returns a QChar as
// uint16, but a Go uint16 could as well be Qt's ushort (a type of its own), so a QChar variant is
// made as Variant{Type: TypeChar, Value: c}.
func VariantOf(v any) (Variant, error) {
	var t Type
	switch x := v.(type) {
	case nil:
		return Variant{Type: TypeInvalid, Null: true}, nil
	case Variant:
		return x, nil
	case bool:
		t = TypeBool
	case int32:
		t = TypeInt
	case int:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return Variant{Type: TypeInt, Value: int32(x)}, nil
		}
		return Variant{Type: TypeLongLong, Value: int64(x)}, nil
	case uint32:
		t = TypeUInt
	case uint:
		if x <= math.MaxUint32 {
			return Variant{Type: TypeUInt, Value: uint32(x)}, nil
		}
		return Variant{Type: TypeULongLong, Value: uint64(x)}, nil
	case int64:
		t = TypeLongLong
	case uint64:
		t = TypeULongLong
	case float64:
		t = TypeDouble
	case float32:
		t = TypeFloat
	case string:
		t = TypeString
	case []byte:
		t = TypeByteArray
	case []string:
		t = TypeStringList
	case []Variant:
		t = TypeVariantList
	case map[string]Variant:
		t = TypeVariantMap
	case Date:
		t = TypeDate
	case Time:
		t = TypeTime
	case DateTime:
		t = TypeDateTime
	case Point:
		t = TypePoint
	case Size:
		t = TypeSize
	case Rect:
		t = TypeRect
	case Color:
		t = TypeColor
	case image.Image:
		if isNil(x) {
			return Variant{Type: TypeImage}, nil
		}
		t = TypeImage
	default:
		return Variant{}, fmt.Errorf("qdatastream: no QVariant type for a Go %T", v)
	}
	return Variant{Type: t, Value: v}, nil
}

// ReadVariant reads a QVariant: the quint32 type id, the qint8 null flag, and the value. A type
// this package does not decode (a user type, QUrl, …) is an error naming the type: its value's
// length is not in the stream, so nothing after it could be read.
func (r *Reader) ReadVariant() (Variant, error) {
	return value(r, r.readVariant)
}

func (r *Reader) readVariant() (Variant, error) {
	start := r.off
	id, err := r.ReadUint32()
	if err != nil {
		return Variant{}, renamed(err, "QVariant type id")
	}
	t := Type(id)
	if r.Version < Qt_6_0 {
		switch {
		case id == qt5UserType:
			t = qt6UserType
		case id >= qt5FirstGuiType && id <= qt5LastGuiType:
			t = Type(id - qt5FirstGuiType + qt6FirstGuiType)
		}
	}
	null, err := r.ReadInt8()
	if err != nil {
		return Variant{}, renamed(err, "QVariant null flag")
	}
	v := Variant{Type: t, Null: null != 0}
	if t == qt6UserType {
		name, _ := r.ReadBytes()
		return v, newError("QVariant", start, fmt.Errorf("%w: %w", ErrReadCorruptData, errUnsupportedType), "user type %q is not one this package decodes", name)
	}
	max := r.MaxDepth
	if max <= 0 {
		max = DefaultMaxDepth
	}
	if r.depth >= max {
		return v, newError("QVariant", start, ErrSizeLimitExceeded, "nested deeper than %d", max)
	}
	r.depth++
	defer func() { r.depth-- }()
	switch t {
	case TypeInvalid:
		return v, nil
	case TypeBool:
		v.Value, err = r.ReadBool()
	case TypeInt:
		v.Value, err = r.ReadInt32()
	case TypeUInt:
		v.Value, err = r.ReadUint32()
	case TypeLongLong:
		v.Value, err = r.ReadInt64()
	case TypeULongLong:
		v.Value, err = r.ReadUint64()
	case TypeDouble:
		v.Value, err = r.ReadFloat64()
	case TypeFloat:
		v.Value, err = r.ReadFloat32()
	case TypeChar:
		v.Value, err = r.ReadChar()
	case TypeString:
		var s string
		var isNull bool
		if s, isNull, err = r.ReadStringOrNull(); err == nil && !isNull {
			v.Value = s
		}
	case TypeByteArray:
		var b []byte
		if b, err = r.ReadBytes(); err == nil && b != nil {
			v.Value = b
		}
	case TypeStringList:
		v.Value, err = r.ReadStringList()
	case TypeVariantList:
		v.Value, err = ReadList(r, (*Reader).readVariant)
	case TypeVariantMap, TypeVariantHash:
		v.Value, err = ReadMap(r, (*Reader).readVariant)
	case TypeDate:
		v.Value, err = r.ReadDate()
	case TypeTime:
		v.Value, err = r.ReadTime()
	case TypeDateTime:
		v.Value, err = r.ReadDateTime()
	case TypePoint:
		v.Value, err = r.ReadPoint()
	case TypeSize:
		v.Value, err = r.ReadSize()
	case TypeRect:
		v.Value, err = r.ReadRect()
	case TypeColor:
		v.Value, err = r.ReadColor()
	case TypeImage:
		var img image.Image
		if img, err = r.ReadImage(); err == nil && img != nil {
			v.Value = img
		}
	default:
		return v, newError("QVariant", start, fmt.Errorf("%w: %w", ErrReadCorruptData, errUnsupportedType), "type %v is not one this package decodes", t)
	}
	if err != nil {
		return Variant{}, err
	}
	return v, nil
}

// WriteVariant appends a QVariant. v.Value must have the Go type listed with v.Type's constant
// (nil for a null QString, QByteArray or QImage).
func (w *Writer) WriteVariant(v Variant) error {
	return w.atomic(func() error { return w.writeVariant(v) })
}

func (w *Writer) writeVariant(v Variant) error {
	start := len(w.buf)
	id := uint32(v.Type)
	if w.Version < Qt_6_0 && id >= qt6FirstGuiType && id <= qt6LastGuiType {
		id = id - qt6FirstGuiType + qt5FirstGuiType
	}
	if _, ok := typeNames[v.Type]; !ok {
		return newError("QVariant", start, fmt.Errorf("%w: %w", ErrWriteFailed, errUnsupportedType), "type %v is not one this package encodes", v.Type)
	}
	max := w.MaxDepth
	if max <= 0 {
		max = DefaultMaxDepth
	}
	if w.depth >= max {
		return newError("QVariant", start, ErrSizeLimitExceeded, "nested deeper than %d", max)
	}
	w.depth++
	defer func() { w.depth-- }()
	if err := w.WriteUint32(id); err != nil {
		return err
	}
	_ = w.WriteBool(v.Null || v.Type == TypeInvalid)
	if v.Type == TypeInvalid {
		return nil
	}
	mismatch := func() error {
		return newError("QVariant", start, ErrWriteFailed, "a %v variant cannot hold a Go %T", v.Type, v.Value)
	}
	switch v.Type {
	case TypeString:
		if v.Value == nil {
			return w.WriteNullString()
		}
	case TypeByteArray, TypeImage:
		if v.Value == nil {
			if v.Type == TypeImage {
				return w.WriteImage(nil)
			}
			return w.WriteBytes(nil)
		}
	}
	switch x := v.Value.(type) {
	case bool:
		if v.Type == TypeBool {
			return w.WriteBool(x)
		}
	case int32:
		if v.Type == TypeInt {
			return w.WriteInt32(x)
		}
	case uint32:
		if v.Type == TypeUInt {
			return w.WriteUint32(x)
		}
	case int64:
		if v.Type == TypeLongLong {
			return w.WriteInt64(x)
		}
	case uint64:
		if v.Type == TypeULongLong {
			return w.WriteUint64(x)
		}
	case float64:
		if v.Type == TypeDouble {
			return w.WriteFloat64(x)
		}
	case float32:
		if v.Type == TypeFloat {
			return w.WriteFloat32(x)
		}
	case uint16:
		if v.Type == TypeChar {
			return w.WriteChar(x)
		}
	case string:
		if v.Type == TypeString {
			return w.WriteString(x)
		}
	case []byte:
		if v.Type == TypeByteArray {
			return w.WriteBytes(x)
		}
	case []string:
		if v.Type == TypeStringList {
			return w.WriteStringList(x)
		}
	case []Variant:
		if v.Type == TypeVariantList {
			return WriteList(w, x, (*Writer).writeVariant)
		}
	case map[string]Variant:
		if v.Type == TypeVariantMap || v.Type == TypeVariantHash {
			return WriteMap(w, x, (*Writer).writeVariant)
		}
	case Date:
		if v.Type == TypeDate {
			return w.WriteDate(x)
		}
	case Time:
		if v.Type == TypeTime {
			return w.WriteTime(x)
		}
	case DateTime:
		if v.Type == TypeDateTime {
			return w.WriteDateTime(x)
		}
	case Point:
		if v.Type == TypePoint {
			return w.WritePoint(x)
		}
	case Size:
		if v.Type == TypeSize {
			return w.WriteSize(x)
		}
	case Rect:
		if v.Type == TypeRect {
			return w.WriteRect(x)
		}
	case Color:
		if v.Type == TypeColor {
			return w.WriteColor(x)
		}
	case image.Image:
		if v.Type == TypeImage {
			return w.WriteImage(x) // a typed nil too: QImage()
		}
	}
	return mismatch()
}
