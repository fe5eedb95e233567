package qdatastream

import "image"

// Point is a QPoint.
type Point struct{ X, Y int32 }

// Size is a QSize. Qt's invalid size, QSize(), is {-1, -1}.
type Size struct{ Width, Height int32 }

// Rect is a QRect as Qt stores and streams it: the left, top, right and bottom coordinates,
// where right and bottom are inside the rectangle (right = left + width − 1). QRect() is
// {0, 0, -1, -1}.
type Rect struct{ Left, Top, Right, Bottom int32 }

// RectOf returns the QRect covering the pixels of r (whose Max is outside it, as Go's
// rectangles are). It does not check that the coordinates fit in int32.
func RectOf(r image.Rectangle) Rect {
	return Rect{Left: int32(r.Min.X), Top: int32(r.Min.Y), Right: int32(r.Max.X - 1), Bottom: int32(r.Max.Y - 1)}
}

// Rectangle returns the image.Rectangle covering the same pixels as q. A QRect that is empty
// in Qt (right < left or bottom < top) gives an empty rectangle: its corners are kept as they
// are, not swapped as image.Rect would.
func (q Rect) Rectangle() image.Rectangle {
	return image.Rectangle{Min: image.Pt(int(q.Left), int(q.Top)), Max: image.Pt(int(q.Right)+1, int(q.Bottom)+1)}
}

// ReadPoint reads a QPoint: two qint32.
func (r *Reader) ReadPoint() (Point, error) {
	v, err := r.readInts("QPoint", 2)
	return Point{v[0], v[1]}, err
}

// WritePoint appends a QPoint.
func (w *Writer) WritePoint(p Point) error { return w.writeInts("QPoint", p.X, p.Y) }

// ReadSize reads a QSize: width and height as qint32.
func (r *Reader) ReadSize() (Size, error) {
	v, err := r.readInts("QSize", 2)
	return Size{v[0], v[1]}, err
}

// WriteSize appends a QSize.
func (w *Writer) WriteSize(s Size) error { return w.writeInts("QSize", s.Width, s.Height) }

// ReadRect reads a QRect: left, top, right and bottom as qint32.
func (r *Reader) ReadRect() (Rect, error) {
	v, err := r.readInts("QRect", 4)
	return Rect{v[0], v[1], v[2], v[3]}, err
}

// WriteRect appends a QRect.
func (w *Writer) WriteRect(q Rect) error {
	return w.writeInts("QRect", q.Left, q.Top, q.Right, q.Bottom)
}

func (r *Reader) readInts(op string, n int) ([4]int32, error) {
	var v [4]int32
	b, err := r.take(op, 4*n)
	if err != nil {
		return v, err
	}
	o := byteOrder(r.ByteOrder)
	for i := 0; i < n; i++ {
		v[i] = int32(o.Uint32(b[4*i:]))
	}
	return v, nil
}

func (w *Writer) writeInts(op string, v ...int32) error {
	if err := w.ready(op); err != nil {
		return err
	}
	for _, x := range v {
		w.buf = byteOrder(w.ByteOrder).AppendUint32(w.buf, uint32(x))
	}
	return nil
}
