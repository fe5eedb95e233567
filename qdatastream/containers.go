package qdatastream

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// preallocation bounds what a container reserves before its elements are read. A count is
// checked against the bytes left, but an element's smallest encoding is not known here, and
// nested containers would each reserve before reading: beyond this, append grows the list as
// elements are actually read, so memory stays proportional to the input.
const preallocation = 4

// ReadList reads a QList<T> (or a Qt 5 QVector<T>, which is written alike) with read for each
// element, e.g. ReadList(r, (*Reader).ReadInt32). The count is checked against the bytes left.
func ReadList[T any](r *Reader, read func(*Reader) (T, error)) ([]T, error) {
	return value(r, func() ([]T, error) {
		start := r.off
		n, null, err := r.readSize("QList", 1)
		if err != nil {
			return nil, err
		}
		if null {
			return nil, newError("QList size", start, ErrSizeLimitExceeded, "the null marker (-1) is not a count")
		}
		list := make([]T, 0, min(n, preallocation))
		for i := 0; i < n; i++ {
			v, err := read(r)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	})
}

// WriteList appends a QList<T> (or Qt 5 QVector<T>) with write for each element, e.g.
// WriteList(w, xs, (*Writer).WriteInt32).
func WriteList[T any](w *Writer, list []T, write func(*Writer, T) error) error {
	return w.atomic(func() error {
		if err := w.writeSize("QList", len(list)); err != nil {
			return err
		}
		for _, v := range list {
			if err := write(w, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReadMap reads a QMap<QString, V> or QHash<QString, V> (written alike: a count, then key and
// value pairs) with read for each value. A later duplicate key replaces an earlier one, as Qt 6
// reads a QMap; Qt 5 keeps both (it reads with insertMulti), and its QMap::value returns the later
// one too.
func ReadMap[V any](r *Reader, read func(*Reader) (V, error)) (map[string]V, error) {
	return value(r, func() (map[string]V, error) {
		start := r.off
		n, null, err := r.readSize("QMap", 1)
		if err != nil {
			return nil, err
		}
		if null {
			return nil, newError("QMap size", start, ErrSizeLimitExceeded, "the null marker (-1) is not a count")
		}
		m := make(map[string]V) // grows as pairs are read: a map reserves buckets, not a few slots
		for i := 0; i < n; i++ {
			k, err := r.ReadString()
			if err != nil {
				return nil, renamed(err, "QMap key")
			}
			v, err := read(r)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	})
}

// WriteMap appends m as a QMap<QString, V> with write for each value, keys in QString order
// (UTF-16 code units), as Qt 6 writes a QMap. Qt 5 writes a QMap in the reverse order; readers
// of either do not depend on it. A QHash<QString, V> has the same encoding in any order, so
// WriteMap serves for it too.
func WriteMap[V any](w *Writer, m map[string]V, write func(*Writer, V) error) error {
	return w.atomic(func() error {
		if err := w.writeSize("QMap", len(m)); err != nil {
			return err
		}
		for k := range m {
			if !utf8.ValidString(k) {
				return newError("QMap key", len(w.buf), ErrWriteFailed, "key %q is not valid UTF-8 (it would collide with other keys as U+FFFD)", k)
			}
		}
		for _, k := range sortedKeys(m) {
			if err := w.WriteString(k); err != nil {
				return err
			}
			if err := write(w, m[k]); err != nil {
				return err
			}
		}
		return nil
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case lessUTF16(a, b):
			return -1
		case lessUTF16(b, a):
			return 1
		}
		return strings.Compare(a, b)
	})
	return keys
}
