package qdatastream

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Date is a QDate: a Julian day number (day 2440588 is 1970-01-01 in the proleptic Gregorian
// calendar Qt uses). NullDate is QDate().
type Date int64

// NullDate is QDate(), the null date (Qt's QDate::nullJd()).
const NullDate Date = math.MinInt64

// unixEpochJulianDay is the Julian day of 1970-01-01.
const unixEpochJulianDay = 2440588

// maxDays bounds the day numbers this package converts to time.Time (beyond them the seconds
// overflow); Qt's own valid range is smaller still.
const maxDays = math.MaxInt64/86400 - unixEpochJulianDay

// DateOf returns the calendar date of t, in t's location, as a QDate.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return Date(days + unixEpochJulianDay)
}

// IsNull reports whether d is QDate().
func (d Date) IsNull() bool { return d == NullDate }

// Time returns midnight UTC of the date. ok is false for the null date and for day numbers too
// far out for time.Time. Go counts years astronomically: Qt's year −1 (1 BC) is Go's year 0.
func (d Date) Time() (t time.Time, ok bool) {
	if d.IsNull() || d > maxDays || d < -maxDays {
		return time.Time{}, false
	}
	return time.Unix((int64(d)-unixEpochJulianDay)*86400, 0).UTC(), true
}

// Time is a QTime: milliseconds since midnight. NullTime is QTime().
type Time int32

// NullTime is QTime(), the null time.
const NullTime Time = -1

// TimeOf returns the clock time of t, in t's location, to the millisecond, as a QTime.
func TimeOf(t time.Time) Time {
	h, m, s := t.Clock()
	return Time(((h*60+m)*60+s)*1000 + t.Nanosecond()/1e6)
}

// IsNull reports whether t is QTime().
func (t Time) IsNull() bool { return t == NullTime }

// Duration returns the time since midnight. ok is false for the null time and for values that
// are not a time of day (Qt's QTime::isValid).
func (t Time) Duration() (d time.Duration, ok bool) {
	if t < 0 || t >= 86400000 {
		return 0, false
	}
	return time.Duration(t) * time.Millisecond, true
}

// TimeSpec is Qt::TimeSpec: how a QDateTime's date and time relate to UTC.
type TimeSpec int8

// Qt's time specs, with Qt's values.
const (
	SpecLocalTime     TimeSpec = 0 // the reading machine's local time
	SpecUTC           TimeSpec = 1
	SpecOffsetFromUTC TimeSpec = 2 // a fixed offset, DateTime.Offset
	SpecTimeZone      TimeSpec = 3 // a time zone, DateTime.Zone
)

// TimeZone is a QTimeZone as a QDateTime of spec Qt::TimeZone holds it.
type TimeZone struct {
	// ID is the IANA id ("Europe/Berlin"), or the id of a UTC-offset zone.
	ID string
	// OffsetZone is set for Qt's UTC-offset zones (QTimeZone(int) and ids like "UTC+01:00"),
	// which Qt streams with the fields below.
	OffsetZone bool
	// AheadOfUtcBy is set for the short form Qt 6.5+ writes for a standalone
	// QTimeZone::fromSecondsAheadOfUtc (never inside a QDateTime): the id "AheadOfUtcBy" and
	// Offset. Qt's other short forms are ids of their own: "QTimeZone::UTC",
	// "QTimeZone::LocalTime", and "-No Time Zone Specified!" for an invalid zone.
	AheadOfUtcBy bool
	Offset       int32 // seconds ahead of UTC
	Name         string
	Abbreviation string
	Territory    int32 // QLocale::Territory
	Comment      string
}

// DateTime is a QDateTime as Qt streams it from stream version Qt_5_2 on: the date and time as
// they read in the datetime's own time representation, and that representation.
type DateTime struct {
	Date Date
	Time Time
	Spec TimeSpec
	// Offset is the number of seconds ahead of UTC, for SpecOffsetFromUTC.
	Offset int32
	// Zone is the time zone, for SpecTimeZone.
	Zone TimeZone
}

// DateTimeOf returns t as a QDateTime, to the millisecond: SpecUTC for time.UTC, SpecLocalTime
// for time.Local, SpecTimeZone for a location loaded by name (time.LoadLocation), and
// SpecOffsetFromUTC for any other location. The stream holds wall-clock time: in the hour a
// daylight-saving zone repeats in autumn, both instants have the same bytes, and reading them
// back (GoTime, or Qt) gives the first; the same holds in Qt.
func DateTimeOf(t time.Time) DateTime {
	dt := DateTime{Date: DateOf(t), Time: TimeOf(t)}
	switch loc := t.Location(); {
	case loc == time.UTC:
		dt.Spec = SpecUTC
	case loc == time.Local:
		dt.Spec = SpecLocalTime
	case isZone(t):
		dt.Spec, dt.Zone = SpecTimeZone, TimeZone{ID: loc.String()}
	default:
		_, off := t.Zone()
		dt.Spec, dt.Offset = SpecOffsetFromUTC, int32(off)
	}
	return dt
}

// isZone reports whether t's location is the time zone its name loads (time.LoadLocation): the
// same name, offset and abbreviation at t. A fixed zone that time.Parse made up from an
// abbreviation ("EST" with offset 0) is not, though "EST" is a zone's name too.
func isZone(t time.Time) bool {
	name := t.Location().String()
	if name == "UTC" || name == "Local" || name == "" {
		return false
	}
	loc, ok := zoneCache.Load(name)
	if !ok {
		l, err := time.LoadLocation(name)
		if err != nil {
			l = nil
		}
		loc, _ = zoneCache.LoadOrStore(name, l)
	}
	l, _ := loc.(*time.Location)
	if l == nil {
		return false
	}
	abbr, off := t.Zone()
	abbr2, off2 := t.In(l).Zone()
	return abbr == abbr2 && off == off2
}

// zoneCache holds time.LoadLocation's answer per name (nil for names that do not load).
var zoneCache sync.Map

// GoTime returns dt as a time.Time. local is the zone SpecLocalTime means (the writing
// machine's local zone; nil means time.Local). A zone is loaded by its IANA id with
// time.LoadLocation; a UTC-offset zone becomes a fixed zone.
func (dt DateTime) GoTime(local *time.Location) (time.Time, error) {
	day, ok := dt.Date.Time()
	if !ok {
		return time.Time{}, errors.New("qdatastream: the QDateTime has no valid date")
	}
	clock, ok := dt.Time.Duration()
	if !ok {
		return time.Time{}, errors.New("qdatastream: the QDateTime has no valid time")
	}
	var loc *time.Location
	switch dt.Spec {
	case SpecLocalTime:
		loc = local
		if loc == nil {
			loc = time.Local
		}
	case SpecUTC:
		loc = time.UTC
	case SpecOffsetFromUTC:
		loc = time.FixedZone("", int(dt.Offset))
	case SpecTimeZone:
		if dt.Zone.OffsetZone {
			loc = time.FixedZone(dt.Zone.ID, int(dt.Zone.Offset))
			break
		}
		var err error
		if loc, err = time.LoadLocation(dt.Zone.ID); err != nil {
			return time.Time{}, fmt.Errorf("qdatastream: the QDateTime's time zone: %w", err)
		}
	default:
		return time.Time{}, fmt.Errorf("qdatastream: unknown Qt::TimeSpec %d", dt.Spec)
	}
	y, m, d := day.Date()
	ms := int(clock / time.Millisecond) // the wall clock, not a duration: DST days are not 24 h
	return time.Date(y, m, d, ms/3600000, ms/60000%60, ms/1000%60, ms%1000*1e6, loc), nil
}

// ReadDate reads a QDate: a qint64 Julian day.
func (r *Reader) ReadDate() (Date, error) {
	v, err := r.ReadInt64()
	return Date(v), renamed(err, "QDate")
}

// WriteDate appends a QDate.
func (w *Writer) WriteDate(d Date) error { return w.WriteInt64(int64(d)) }

// ReadTime reads a QTime: milliseconds since midnight as a quint32, 0xffffffff for QTime().
func (r *Reader) ReadTime() (Time, error) {
	v, err := r.ReadUint32()
	return Time(int32(v)), renamed(err, "QTime")
}

// WriteTime appends a QTime.
func (w *Writer) WriteTime(t Time) error { return w.WriteUint32(uint32(t)) }

// ReadDateTime reads a QDateTime: QDate, QTime, a qint8 Qt::TimeSpec, then the offset (qint32)
// for Qt::OffsetFromUTC or the QTimeZone for Qt::TimeZone.
func (r *Reader) ReadDateTime() (DateTime, error) {
	return value(r, func() (DateTime, error) {
		var dt DateTime
		var err error
		if dt.Date, err = r.ReadDate(); err != nil {
			return dt, renamed(err, "QDateTime date")
		}
		if dt.Time, err = r.ReadTime(); err != nil {
			return dt, renamed(err, "QDateTime time")
		}
		spec, err := r.ReadInt8()
		if err != nil {
			return dt, renamed(err, "QDateTime time spec")
		}
		dt.Spec = TimeSpec(spec)
		switch dt.Spec {
		case SpecLocalTime, SpecUTC:
		case SpecOffsetFromUTC:
			if dt.Offset, err = r.ReadInt32(); err != nil {
				return dt, renamed(err, "QDateTime offset")
			}
		case SpecTimeZone:
			if dt.Zone, err = r.ReadTimeZone(); err != nil {
				return dt, err
			}
		default:
			// Qt reads such a datetime as local time and goes on; the bytes that follow
			// would then be misread, so this is an error here.
			return dt, newError("QDateTime time spec", r.off-1, ErrReadCorruptData, "unknown Qt::TimeSpec %d", spec)
		}
		return dt, nil
	})
}

// WriteDateTime appends a QDateTime.
func (w *Writer) WriteDateTime(dt DateTime) error {
	return w.atomic(func() error {
		_ = w.WriteDate(dt.Date)
		_ = w.WriteTime(dt.Time)
		switch dt.Spec {
		case SpecLocalTime, SpecUTC:
			return w.WriteInt8(int8(dt.Spec))
		case SpecOffsetFromUTC:
			_ = w.WriteInt8(int8(dt.Spec))
			return w.WriteInt32(dt.Offset)
		case SpecTimeZone:
			_ = w.WriteInt8(int8(dt.Spec))
			return w.WriteTimeZone(dt.Zone)
		}
		return newError("QDateTime", len(w.buf), ErrWriteFailed, "unknown Qt::TimeSpec %d", dt.Spec)
	})
}

// The strings Qt writes before a UTC-offset zone's fields, and before a short offset zone's
// offset.
const (
	offsetZoneMarker = "OffsetFromUtc"
	aheadOfUtcMarker = "AheadOfUtcBy"
)

// ReadTimeZone reads a QTimeZone: its id as a QString, or for a UTC-offset zone the string
// "OffsetFromUtc", the id, the offset (qint32), name, abbreviation, territory (qint32) and comment.
func (r *Reader) ReadTimeZone() (TimeZone, error) {
	return value(r, func() (TimeZone, error) {
		var z TimeZone
		id, err := r.ReadString()
		if err != nil {
			return z, renamed(err, "QTimeZone id")
		}
		if id == aheadOfUtcMarker {
			off, err := r.ReadInt32()
			if err != nil {
				return z, renamed(err, "QTimeZone offset")
			}
			return TimeZone{ID: id, AheadOfUtcBy: true, Offset: off}, nil
		}
		if id != offsetZoneMarker {
			return TimeZone{ID: id}, nil
		}
		z.OffsetZone = true
		for _, f := range []func() error{
			func() (err error) { z.ID, err = r.ReadString(); return },
			func() (err error) { z.Offset, err = r.ReadInt32(); return },
			func() (err error) { z.Name, err = r.ReadString(); return },
			func() (err error) { z.Abbreviation, err = r.ReadString(); return },
			func() (err error) { z.Territory, err = r.ReadInt32(); return },
			func() (err error) { z.Comment, err = r.ReadString(); return },
		} {
			if err := f(); err != nil {
				return z, renamed(err, "QTimeZone (UTC offset)")
			}
		}
		return z, nil
	})
}

// WriteTimeZone appends a QTimeZone.
func (w *Writer) WriteTimeZone(z TimeZone) error {
	if z.AheadOfUtcBy {
		return w.atomic(func() error {
			_ = w.WriteString(aheadOfUtcMarker)
			return w.WriteInt32(z.Offset)
		})
	}
	if !z.OffsetZone {
		return w.WriteString(z.ID)
	}
	return w.atomic(func() error {
		for _, err := range []error{
			w.WriteString(offsetZoneMarker), w.WriteString(z.ID), w.WriteInt32(z.Offset),
			w.WriteString(z.Name), w.WriteString(z.Abbreviation), w.WriteInt32(z.Territory),
			w.WriteString(z.Comment),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
}
