package qdatastream

import (
	"unicode/utf16"
)

// ReadString reads a QString and returns it as UTF-8. The null QString reads as "" (use
// ReadStringOrNull to tell it from the empty one). Unpaired UTF-16 surrogates, which a QString
// may hold and UTF-8 cannot, read as U+FFFD.
func (r *Reader) ReadString() (string, error) {
	s, _, err := r.ReadStringOrNull()
	return s, err
}

// ReadStringOrNull reads a QString and reports whether it is the null QString (Qt writes the
// marker 0xffffffff for QString(), a length of 0 for QString("")).
func (r *Reader) ReadStringOrNull() (s string, null bool, err error) {
	start := r.off
	n, null, err := r.readSizeCheck("QString", 1, func(size int64) error {
		if size%2 != 0 {
			return newError("QString", start, ErrReadCorruptData, "odd byte length %d for UTF-16 text", size)
		}
		return nil
	})
	if err != nil || null {
		return "", null, err
	}
	b, _ := r.take("QString", n) // readSize checked the length
	units := make([]uint16, n/2)
	o := byteOrder(r.ByteOrder)
	for i := range units {
		units[i] = o.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units)), false, nil
}

// WriteString appends s as a (non-null) QString: its length in bytes of UTF-16, then the UTF-16
// code units. Invalid UTF-8 in s is written as U+FFFD.
func (w *Writer) WriteString(s string) error {
	return w.atomic(func() error {
		var units []uint16
		for _, c := range s {
			units = utf16.AppendRune(units, c)
		}
		if err := w.writeSize("QString", 2*len(units)); err != nil {
			return err
		}
		for _, u := range units {
			w.buf = byteOrder(w.ByteOrder).AppendUint16(w.buf, u)
		}
		return nil
	})
}

// WriteNullString appends the null QString, QString().
func (w *Writer) WriteNullString() error { return w.writeNull("QString") }

// ReadBytes reads a QByteArray. The null QByteArray reads as nil, the empty one as a non-nil
// empty slice. The bytes are a copy: they stay valid when the stream's memory changes (as a
// shared memory segment does once it is unlocked).
func (r *Reader) ReadBytes() ([]byte, error) {
	n, null, err := r.readSize("QByteArray", 1)
	if err != nil || null {
		return nil, err
	}
	b, _ := r.take("QByteArray", n) // readSize checked the length
	return append(make([]byte, 0, n), b...), nil
}

// WriteBytes appends b as a QByteArray: nil as the null QByteArray, anything else (an empty
// slice too) as its length and bytes.
func (w *Writer) WriteBytes(b []byte) error {
	if b == nil {
		return w.writeNull("QByteArray")
	}
	return w.atomic(func() error {
		if err := w.writeSize("QByteArray", len(b)); err != nil {
			return err
		}
		w.buf = append(w.buf, b...)
		return nil
	})
}

// ReadStringList reads a QStringList (a QList<QString>). Null strings in it read as "".
func (r *Reader) ReadStringList() ([]string, error) {
	return ReadList(r, (*Reader).ReadString)
}

// WriteStringList appends a QStringList. A nil list is written as an empty one: Qt has no null
// QStringList.
func (w *Writer) WriteStringList(list []string) error {
	return WriteList(w, list, (*Writer).WriteString)
}

// lessUTF16 is QString's operator<: it compares UTF-16 code units, which orders the characters
// above U+FFFF (surrogate pairs) before U+E000…U+FFFF, unlike Go's byte-wise string order.
func lessUTF16(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		return firstUnit(ar[i]) < firstUnit(br[i]) || (firstUnit(ar[i]) == firstUnit(br[i]) && ar[i] < br[i])
	}
	return len(ar) < len(br)
}

// firstUnit is the first UTF-16 code unit of c.
func firstUnit(c rune) rune {
	if hi, _ := utf16.EncodeRune(c); hi != '\uFFFD' {
		return hi
	}
	return c
}
