// Package qdatastream reads and writes the bytes Qt's QDataStream makes, the format Qt
// applications put in shared memory: Qt's own Shared Memory Example streams a QImage into a
// segment, and real applications stream QString, QByteArray, QVariantMap and the like.
//
// A Reader decodes values from a byte slice (a segment's Data, copied or read under its lock), a
// Writer appends them to a buffer that then goes into a segment. Both follow one stream version
// (QDataStream::setVersion; a Qt program that never calls it uses its Qt's default: Qt_5_15 in
// Qt 5.15, Qt_6_0 in Qt 6.0 to 6.5, Qt_6_8 in Qt 6.8), byte order and floating-point precision,
// which the two sides must agree on: the bytes do not record them.
//
// The Qt types and their Go counterparts:
//
//	qint8 … quint64, bool       int8 … uint64, bool         ReadInt32, WriteInt32, …
//	float, double               float32, float64            ReadFloat32, ReadFloat64 (FloatingPointPrecision)
//	QChar                       uint16                      ReadChar
//	QString                     string (null: ReadStringOrNull, WriteNullString)
//	QByteArray                  []byte (nil is the null QByteArray)
//	QStringList                 []string                    ReadStringList
//	QList<T>, QVector<T>        []T                         ReadList, WriteList
//	QMap/QHash<QString, V>      map[string]V                ReadMap, WriteMap
//	QVariant                    Variant                     ReadVariant, VariantOf
//	QDate, QTime, QDateTime     Date, Time, DateTime        (time.Time: DateTimeOf, DateTime.GoTime)
//	QColor                      Color                       (color.Color: ColorOf, Color.NRGBA64)
//	QPoint, QSize, QRect        Point, Size, Rect           (image.Rectangle: RectOf, Rect.Rectangle)
//	QImage                      image.Image (PNG inside)    ReadImage, WriteImage
//
// Every value's layout, what changed between stream versions, and how this package is proven
// against real Qt 5.15, 6.4 and 6.8 are in docs/qdatastream.md.
//
// Decoding is safe on hostile input: no panic, and memory in proportion to the input (sizes and
// counts are checked against the bytes left before anything is allocated, containers grow as
// their elements are read, nesting is bounded by Reader.MaxDepth; an image must fit both
// Reader.MaxImageBytes and what its compressed data can expand to). Errors are *Error values
// that name the field and its offset, wrap ErrReadPastEnd, ErrReadCorruptData or
// ErrSizeLimitExceeded, and carry the QDataStream::Status Qt sets for the same bytes.
package qdatastream
