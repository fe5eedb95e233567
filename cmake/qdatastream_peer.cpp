// qdatastream-peer: the Qt side of qtshm-go's QDataStream interop tests. It writes the values of a
// JSON corpus with Qt's own QDataStream operators into a QSharedMemory segment, or reads a
// segment back with them and prints what Qt decoded, in the corpus's own JSON format.
//
//   qdatastream-peer encode --corpus FILE --key KEY [--version N|default] [--byteorder big|little] [--precision double|single]
//   qdatastream-peer decode --corpus FILE --key KEY [--version N|default] [--byteorder big|little] [--precision double|single]
//
// The command line, the output lines and the corpus format are documented in
// docs/qdatastream-peer.md; interop_test/testdata/qdatastream/corpus.json is the corpus.
// Linux only (it waits with signalfd and poll).
#include <QtCore/QBuffer>
#include <QtCore/QByteArray>
#include <QtCore/QCoreApplication>
#include <QtCore/QCryptographicHash>
#include <QtCore/QDataStream>
#include <QtCore/QDate>
#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtCore/QPoint>
#include <QtCore/QRect>
#include <QtCore/QSharedMemory>
#include <QtCore/QSize>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QTime>
#include <QtCore/QTimeZone>
#include <QtCore/QVariant>
#include <QtGui/QColor>
#include <QtGui/QImage>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <limits>
#include <poll.h>
#include <pthread.h>
#include <stdexcept>
#include <string>
#include <sys/signalfd.h>
#include <type_traits>
#include <unistd.h>
#include <vector>

namespace {

// ---- errors and JSON output ------------------------------------------------------------------

// Failure is any problem with the command line, the corpus or a Qt call; main prints it as
// {"op":"error","error":...} and exits 1.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const QString &msg) { throw Failure(msg.toStdString()); }

std::string jstr(const QByteArray &utf8)
{
    std::string s = "\"";
    for (char ch : utf8) {
        const unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': s += "\\\""; break;
        case '\\': s += "\\\\"; break;
        case '\n': s += "\\n"; break;
        case '\r': s += "\\r"; break;
        case '\t': s += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                s += buf;
            } else {
                s += ch;
            }
        }
    }
    return s + "\"";
}
std::string jstr(const QString &s) { return jstr(s.toUtf8()); }
std::string jstr(const char *s) { return jstr(QByteArray(s)); }
std::string jnum(qint64 n) { return std::to_string(n); }
std::string jbool(bool b) { return b ? "true" : "false"; }

// Obj builds one JSON object with its members in the order they are added (QJsonDocument
// sorts them, and Qt 5's writes large integers in exponent form).
class Obj {
public:
    Obj &add(const char *key, const std::string &raw)
    {
        s += first ? "" : ",";
        first = false;
        s += jstr(key) + ":" + raw;
        return *this;
    }
    std::string str() const { return s + "}"; }

private:
    std::string s = "{";
    bool first = true;
};

std::string jarr(const std::vector<std::string> &items)
{
    std::string s = "[";
    for (size_t i = 0; i < items.size(); i++)
        s += (i ? "," : "") + items[i];
    return s + "]";
}

void printLine(const std::string &line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

// ---- reading corpus nodes ----------------------------------------------------------------------

QJsonValue field(const QJsonObject &n, const char *key)
{
    const QJsonValue v = n.value(QLatin1String(key));
    if (v.isUndefined())
        fail(QString("node %1 has no \"%2\"").arg(QString::fromUtf8(QJsonDocument(n).toJson(QJsonDocument::Compact)), key));
    return v;
}

// text is a JSON string as a QString that is never null: "" is an empty QString (QJsonValue
// may return a null one for it, which QDataStream writes differently).
QString text(const QJsonValue &v)
{
    const QString s = v.toString();
    return s.isNull() ? QString(QLatin1String("")) : s;
}

QString str(const QJsonObject &n, const char *key)
{
    const QJsonValue v = field(n, key);
    if (!v.isString())
        fail(QString("\"%1\" of a %2 node is not a string").arg(key, n.value("t").toString()));
    return text(v);
}

qint64 num(const QJsonObject &n, const char *key)
{
    const QJsonValue v = field(n, key);
    const double d = v.toDouble();
    if (!v.isDouble() || d != double(qint64(d)))
        fail(QString("\"%1\" of a %2 node is not an integer").arg(key, n.value("t").toString()));
    return qint64(d);
}

QJsonArray arr(const QJsonObject &n, const char *key)
{
    const QJsonValue v = field(n, key);
    if (!v.isArray())
        fail(QString("\"%1\" of a %2 node is not an array").arg(key, n.value("t").toString()));
    return v.toArray();
}

QJsonObject obj(const QJsonValue &v, const char *what)
{
    if (!v.isObject())
        fail(QString("%1 is not a JSON object").arg(what));
    return v.toObject();
}

bool isNullNode(const QJsonObject &n) { return n.value("null").toBool(false); }

qint64 optCount(const QJsonObject &n, const char *key)
{
    if (!n.contains(QLatin1String(key)))
        return 1;
    const qint64 c = num(n, key);
    if (c < 0)
        fail(QString("\"%1\" is negative").arg(key));
    return c;
}

void expectType(const QJsonObject &n, const char *t)
{
    if (n.value("t").toString() != QLatin1String(t))
        fail(QString("expected a %1 node, got \"%2\"").arg(t, n.value("t").toString()));
}

std::string sha256Hex(const QByteArray &b)
{
    return QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex().toStdString();
}

// Values above this size are printed as a prefix, a length and a SHA-256.
constexpr qsizetype bigValue = 4096;

// ---- codecs: one per node type; each has type, name(), make(node) and show(value) ---------------

template <class T>
struct IntC {
    using type = T;
    static const char *name();
    static T make(const QJsonObject &n)
    {
        expectType(n, name());
        const QString s = str(n, "v");
        bool ok = false;
        if (std::is_signed<T>::value) {
            const qlonglong v = s.toLongLong(&ok, 10);
            if (!ok || v < qlonglong(std::numeric_limits<T>::min()) || v > qlonglong(std::numeric_limits<T>::max()))
                fail(QString("%1 value \"%2\" is not a decimal in range").arg(name(), s));
            return T(v);
        }
        const qulonglong v = s.toULongLong(&ok, 10);
        if (!ok || s.startsWith('-') || v > qulonglong(std::numeric_limits<T>::max()))
            fail(QString("%1 value \"%2\" is not a decimal in range").arg(name(), s));
        return T(v);
    }
    static std::string show(T v)
    {
        const std::string d = std::is_signed<T>::value ? std::to_string(qlonglong(v)) : std::to_string(qulonglong(v));
        return Obj().add("t", jstr(name())).add("v", jstr(d.c_str())).str();
    }
};
template <> const char *IntC<qint8>::name() { return "qint8"; }
template <> const char *IntC<qint16>::name() { return "qint16"; }
template <> const char *IntC<qint32>::name() { return "qint32"; }
template <> const char *IntC<qint64>::name() { return "qint64"; }
template <> const char *IntC<quint8>::name() { return "quint8"; }
template <> const char *IntC<quint16>::name() { return "quint16"; }
template <> const char *IntC<quint32>::name() { return "quint32"; }
template <> const char *IntC<quint64>::name() { return "quint64"; }

struct BoolC {
    using type = bool;
    static const char *name() { return "bool"; }
    static bool make(const QJsonObject &n)
    {
        expectType(n, name());
        const QJsonValue v = field(n, "v");
        if (!v.isBool())
            fail("bool \"v\" is not true or false");
        return v.toBool();
    }
    static std::string show(bool v) { return Obj().add("t", jstr(name())).add("v", jbool(v)).str(); }
};

// FloatC is float (bits 32) or double (bits 64): "v" is the IEEE bits in hex.
template <class T>
struct FloatC {
    using type = T;
    using Bits = std::conditional_t<sizeof(T) == 4, quint32, quint64>;
    static const char *name() { return sizeof(T) == 4 ? "float" : "double"; }
    static T make(const QJsonObject &n)
    {
        expectType(n, name());
        const QString s = str(n, "v");
        bool ok = false;
        const qulonglong b = s.mid(2).toULongLong(&ok, 16);
        if (!s.startsWith("0x") || s.size() != int(2 + 2 * sizeof(T)) || !ok)
            fail(QString("%1 \"v\" \"%2\" is not 0x and %3 hex digits").arg(name(), s).arg(2 * sizeof(T)));
        const Bits bits = Bits(b);
        T v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    static std::string show(T v)
    {
        Bits bits;
        std::memcpy(&bits, &v, sizeof v);
        char buf[24];
        std::snprintf(buf, sizeof buf, "0x%0*llx", int(2 * sizeof(T)), static_cast<unsigned long long>(bits));
        return Obj().add("t", jstr(name())).add("v", jstr(buf)).str();
    }
};

struct QCharC {
    using type = QChar;
    static const char *name() { return "QChar"; }
    static QChar make(const QJsonObject &n)
    {
        expectType(n, name());
        const qint64 u = num(n, "v");
        if (u < 0 || u > 0xffff)
            fail("QChar \"v\" is not a UTF-16 unit");
        return QChar(ushort(u));
    }
    static std::string show(QChar c) { return Obj().add("t", jstr(name())).add("v", jnum(c.unicode())).str(); }
};

struct StringC {
    using type = QString;
    static const char *name() { return "QString"; }
    static QString make(const QJsonObject &n)
    {
        expectType(n, name());
        if (isNullNode(n))
            return QString();
        const QString v = str(n, "v");
        const qint64 rep = optCount(n, "repeat");
        if (rep == 1)
            return v;
        QString out;
        out.reserve(v.size() * rep);
        for (qint64 i = 0; i < rep; i++)
            out += v;
        return out.isNull() ? QString(QLatin1String("")) : out; // "" repeated: empty, not null
    }
    static std::string show(const QString &s)
    {
        Obj o;
        o.add("t", jstr(name()));
        if (s.isNull())
            return o.add("null", "true").str();
        if (s.size() <= bigValue)
            return o.add("v", jstr(s)).str();
        const QByteArray u = s.toUtf8();
        return o.add("v", jstr(s.left(64))).add("len", jnum(s.size())).add("sha256", jstr(sha256Hex(u).c_str())).str();
    }
};

struct BytesC {
    using type = QByteArray;
    static const char *name() { return "QByteArray"; }
    static QByteArray make(const QJsonObject &n)
    {
        expectType(n, name());
        if (isNullNode(n))
            return QByteArray();
        const QString h = str(n, "hex");
        const QByteArray one = QByteArray::fromHex(h.toLatin1());
        if (one.size() * 2 != h.size() || one.toHex() != h.toLatin1().toLower())
            fail(QString("QByteArray \"hex\" \"%1\" is not hex").arg(h.left(40)));
        const qint64 rep = optCount(n, "repeat");
        QByteArray out(""); // empty, not null, when nothing is repeated
        out.reserve(one.size() * rep);
        for (qint64 i = 0; i < rep; i++)
            out += one;
        return out;
    }
    static std::string show(const QByteArray &b)
    {
        Obj o;
        o.add("t", jstr(name()));
        if (b.isNull())
            return o.add("null", "true").str();
        if (b.size() <= bigValue)
            return o.add("hex", jstr(b.toHex())).str();
        return o.add("hex", jstr(b.left(64).toHex())).add("len", jnum(b.size())).add("sha256", jstr(sha256Hex(b).c_str())).str();
    }
};

struct StringListC {
    using type = QStringList;
    static const char *name() { return "QStringList"; }
    static QStringList make(const QJsonObject &n)
    {
        expectType(n, name());
        QStringList l;
        for (const QJsonValue &v : arr(n, "v")) {
            if (!v.isString())
                fail("a QStringList element is not a string");
            l.append(text(v));
        }
        return l;
    }
    static std::string show(const QStringList &l)
    {
        std::vector<std::string> items;
        for (const QString &s : l)
            items.push_back(jstr(s));
        return Obj().add("t", jstr(name())).add("v", jarr(items)).str();
    }
};

struct DateC {
    using type = QDate;
    static const char *name() { return "QDate"; }
    // fields reads {"jd": "..."} or {"null": true} (also the "date" member of a QDateTime node).
    static QDate fields(const QJsonObject &n)
    {
        if (isNullNode(n))
            return QDate();
        bool ok = false;
        const qint64 jd = str(n, "jd").toLongLong(&ok, 10);
        if (!ok)
            fail("QDate \"jd\" is not a decimal");
        const QDate d = QDate::fromJulianDay(jd);
        if (!d.isValid())
            fail(QString("QDate::fromJulianDay(%1) is not a valid date").arg(jd));
        return d;
    }
    static void showFields(Obj &o, QDate d)
    {
        if (d.isNull())
            o.add("null", "true");
        else
            o.add("jd", jstr(std::to_string(d.toJulianDay()).c_str()));
    }
    static QDate make(const QJsonObject &n)
    {
        expectType(n, name());
        return fields(n);
    }
    static std::string show(QDate d)
    {
        Obj o;
        o.add("t", jstr(name()));
        showFields(o, d);
        return o.str();
    }
};

struct TimeC {
    using type = QTime;
    static const char *name() { return "QTime"; }
    static QTime fields(const QJsonObject &n)
    {
        if (isNullNode(n))
            return QTime();
        const qint64 ms = num(n, "ms");
        if (ms < 0 || ms >= 86400000)
            fail(QString("QTime \"ms\" %1 is not within a day").arg(ms));
        return QTime::fromMSecsSinceStartOfDay(int(ms));
    }
    static void showFields(Obj &o, QTime t)
    {
        if (t.isNull()) {
            o.add("null", "true");
            return;
        }
        o.add("ms", jnum(t.msecsSinceStartOfDay()));
        if (!t.isValid())
            o.add("invalid", "true");
    }
    static QTime make(const QJsonObject &n)
    {
        expectType(n, name());
        return fields(n);
    }
    static std::string show(QTime t)
    {
        Obj o;
        o.add("t", jstr(name()));
        showFields(o, t);
        return o.str();
    }
};

struct DateTimeC {
    using type = QDateTime;
    static const char *name() { return "QDateTime"; }
    static QDateTime make(const QJsonObject &n)
    {
        expectType(n, name());
        const QDate d = DateC::fields(obj(field(n, "date"), "QDateTime \"date\""));
        const QTime t = TimeC::fields(obj(field(n, "time"), "QDateTime \"time\""));
        const QString spec = str(n, "spec");
        QDateTime dt;
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
        if (spec == "local")
            dt = QDateTime(d, t, QTimeZone(QTimeZone::LocalTime));
        else if (spec == "utc")
            dt = QDateTime(d, t, QTimeZone(QTimeZone::UTC));
        else if (spec == "offset")
            dt = QDateTime(d, t, QTimeZone::fromSecondsAheadOfUtc(int(num(n, "offset"))));
#else
        if (spec == "local")
            dt = QDateTime(d, t, Qt::LocalTime);
        else if (spec == "utc")
            dt = QDateTime(d, t, Qt::UTC);
        else if (spec == "offset")
            dt = QDateTime(d, t, Qt::OffsetFromUTC, int(num(n, "offset")));
#endif
        else if (spec == "zone") {
            const QTimeZone z(str(n, "zone").toUtf8());
            if (!z.isValid())
                fail(QString("time zone \"%1\" is not known to this Qt").arg(str(n, "zone")));
            dt = QDateTime(d, t, z);
        } else {
            fail(QString("QDateTime \"spec\" \"%1\" is not local, utc, offset or zone").arg(spec));
        }
        return dt;
    }
    static std::string show(const QDateTime &dt)
    {
        Obj o, date, time;
        o.add("t", jstr(name()));
        DateC::showFields(date, dt.date());
        TimeC::showFields(time, dt.time());
        o.add("date", date.str()).add("time", time.str());
        switch (dt.timeSpec()) {
        case Qt::LocalTime: o.add("spec", jstr("local")); break;
        case Qt::UTC: o.add("spec", jstr("utc")); break;
        case Qt::OffsetFromUTC: o.add("spec", jstr("offset")).add("offset", jnum(dt.offsetFromUtc())); break;
        case Qt::TimeZone: o.add("spec", jstr("zone")).add("zone", jstr(dt.timeZone().id())); break;
        }
        return o.str();
    }
};

struct ColorC {
    using type = QColor;
    static const char *name() { return "QColor"; }
    static const char *specName(int s)
    {
        static const char *const names[] = {"invalid", "rgb", "hsv", "cmyk", "hsl", "extendedrgb"};
        return s >= 0 && s < 6 ? names[s] : nullptr;
    }
    // make fills a scratch stream with the raw fields and lets operator>> read them: the only
    // way to give a QColor exact raw values for every spec.
    static QColor make(const QJsonObject &n)
    {
        expectType(n, name());
        const QString spec = str(n, "spec");
        int s = -1;
        for (int i = 0; i < 6; i++)
            if (spec == QLatin1String(specName(i)))
                s = i;
        if (s < 0)
            fail(QString("QColor \"spec\" \"%1\" is unknown").arg(spec));
        QByteArray raw;
        {
            QDataStream w(&raw, QIODevice::WriteOnly);
            w << qint8(s);
            for (const char *f : {"a", "c1", "c2", "c3", "pad"}) {
                const qint64 v = num(n, f);
                if (v < 0 || v > 0xffff)
                    fail(QString("QColor \"%1\" %2 is not a 16-bit field").arg(f).arg(v));
                w << quint16(v);
            }
        }
        QDataStream r(raw);
        QColor c;
        r >> c;
        return c;
    }
    static std::string show(const QColor &c)
    {
        QByteArray raw;
        {
            QDataStream w(&raw, QIODevice::WriteOnly);
            w << c;
        }
        QDataStream r(raw);
        qint8 s = 0;
        quint16 f[5] = {};
        r >> s >> f[0] >> f[1] >> f[2] >> f[3] >> f[4];
        Obj o;
        o.add("t", jstr(name()));
        o.add("spec", specName(s) ? jstr(specName(s)) : jnum(s));
        const char *const names[] = {"a", "c1", "c2", "c3", "pad"};
        for (int i = 0; i < 5; i++)
            o.add(names[i], jnum(f[i]));
        return o.str();
    }
};

struct PointC {
    using type = QPoint;
    static const char *name() { return "QPoint"; }
    static QPoint make(const QJsonObject &n)
    {
        expectType(n, name());
        return QPoint(int(num(n, "x")), int(num(n, "y")));
    }
    static std::string show(QPoint p) { return Obj().add("t", jstr(name())).add("x", jnum(p.x())).add("y", jnum(p.y())).str(); }
};

struct SizeC {
    using type = QSize;
    static const char *name() { return "QSize"; }
    static QSize make(const QJsonObject &n)
    {
        expectType(n, name());
        return QSize(int(num(n, "w")), int(num(n, "h")));
    }
    static std::string show(QSize s) { return Obj().add("t", jstr(name())).add("w", jnum(s.width())).add("h", jnum(s.height())).str(); }
};

struct RectC {
    using type = QRect;
    static const char *name() { return "QRect"; }
    static QRect make(const QJsonObject &n)
    {
        expectType(n, name());
        return QRect(QPoint(int(num(n, "x1")), int(num(n, "y1"))), QPoint(int(num(n, "x2")), int(num(n, "y2"))));
    }
    static std::string show(const QRect &r)
    {
        return Obj().add("t", jstr(name())).add("x1", jnum(r.left())).add("y1", jnum(r.top())).add("x2", jnum(r.right())).add("y2", jnum(r.bottom())).str();
    }
};

struct ImageC {
    using type = QImage;
    static const char *name() { return "QImage"; }
    struct FormatName {
        QImage::Format f;
        const char *name;
    };
    static const std::vector<FormatName> &formats()
    {
        static const std::vector<FormatName> t = {
            {QImage::Format_Invalid, "invalid"},
            {QImage::Format_Mono, "mono"},
            {QImage::Format_MonoLSB, "monolsb"},
            {QImage::Format_Indexed8, "indexed8"},
            {QImage::Format_RGB32, "rgb32"},
            {QImage::Format_ARGB32, "argb32"},
            {QImage::Format_ARGB32_Premultiplied, "argb32_premultiplied"},
            {QImage::Format_RGB16, "rgb16"},
            {QImage::Format_ARGB8565_Premultiplied, "argb8565_premultiplied"},
            {QImage::Format_RGB666, "rgb666"},
            {QImage::Format_ARGB6666_Premultiplied, "argb6666_premultiplied"},
            {QImage::Format_RGB555, "rgb555"},
            {QImage::Format_ARGB8555_Premultiplied, "argb8555_premultiplied"},
            {QImage::Format_RGB888, "rgb888"},
            {QImage::Format_RGB444, "rgb444"},
            {QImage::Format_ARGB4444_Premultiplied, "argb4444_premultiplied"},
            {QImage::Format_RGBX8888, "rgbx8888"},
            {QImage::Format_RGBA8888, "rgba8888"},
            {QImage::Format_RGBA8888_Premultiplied, "rgba8888_premultiplied"},
            {QImage::Format_BGR30, "bgr30"},
            {QImage::Format_A2BGR30_Premultiplied, "a2bgr30_premultiplied"},
            {QImage::Format_RGB30, "rgb30"},
            {QImage::Format_A2RGB30_Premultiplied, "a2rgb30_premultiplied"},
            {QImage::Format_Alpha8, "alpha8"},
            {QImage::Format_Grayscale8, "gray8"},
            {QImage::Format_RGBX64, "rgbx64"},
            {QImage::Format_RGBA64, "rgba64"},
            {QImage::Format_RGBA64_Premultiplied, "rgba64_premultiplied"},
            {QImage::Format_Grayscale16, "gray16"},
            {QImage::Format_BGR888, "bgr888"},
#if QT_VERSION >= QT_VERSION_CHECK(6, 2, 0)
            {QImage::Format_RGBX16FPx4, "rgbx16fpx4"},
            {QImage::Format_RGBA16FPx4, "rgba16fpx4"},
            {QImage::Format_RGBA16FPx4_Premultiplied, "rgba16fpx4_premultiplied"},
            {QImage::Format_RGBX32FPx4, "rgbx32fpx4"},
            {QImage::Format_RGBA32FPx4, "rgba32fpx4"},
            {QImage::Format_RGBA32FPx4_Premultiplied, "rgba32fpx4_premultiplied"},
#endif
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
            {QImage::Format_CMYK8888, "cmyk8888"},
#endif
        };
        return t;
    }
    static std::string formatName(QImage::Format f)
    {
        for (const FormatName &x : formats())
            if (x.f == f)
                return x.name;
        return "format" + std::to_string(int(f));
    }
    static std::vector<QRgb> rgbs(const QJsonObject &n, const char *key)
    {
        const QString h = str(n, key);
        if (h.size() % 8 != 0)
            fail(QString("QImage \"%1\" is not a sequence of 8-digit AARRGGBB values").arg(key));
        std::vector<QRgb> out;
        for (int i = 0; i < h.size(); i += 8) {
            bool ok = false;
            out.push_back(QRgb(h.mid(i, 8).toUInt(&ok, 16)));
            if (!ok)
                fail(QString("QImage \"%1\" has a bad value at %2").arg(key).arg(i));
        }
        return out;
    }
    static std::string hexRgbs(const std::vector<QRgb> &v)
    {
        std::string s;
        char buf[12];
        for (QRgb p : v) {
            std::snprintf(buf, sizeof buf, "%08x", p);
            s += buf;
        }
        return s;
    }
    static QImage make(const QJsonObject &n)
    {
        expectType(n, name());
        if (isNullNode(n))
            return QImage();
        const int w = int(num(n, "w")), h = int(num(n, "h"));
        const QString fname = str(n, "format");
        QImage::Format f = QImage::Format_Invalid;
        for (const FormatName &x : formats())
            if (fname == QLatin1String(x.name))
                f = x.f;
        if (f == QImage::Format_Invalid || w <= 0 || h <= 0)
            fail(QString("QImage: want w, h > 0 and a known format, not %1x%2 \"%3\"").arg(w).arg(h).arg(fname));
        const std::vector<QRgb> px = rgbs(n, "pixels");
        if (px.size() != size_t(w) * size_t(h))
            fail(QString("QImage: %1 pixels for %2x%3").arg(px.size()).arg(w).arg(h));
        QImage img;
        if (f == QImage::Format_Indexed8 || f == QImage::Format_Mono || f == QImage::Format_MonoLSB) {
            const std::vector<QRgb> ct = rgbs(n, "colors");
            img = QImage(w, h, f);
            QVector<QRgb> table(ct.begin(), ct.end());
            img.setColorTable(table);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    const int idx = table.indexOf(px[size_t(y) * w + x]);
                    if (idx < 0)
                        fail(QString("QImage: pixel %1,%2 is not in \"colors\"").arg(x).arg(y));
                    img.setPixel(x, y, uint(idx));
                }
        } else {
            QImage argb(w, h, QImage::Format_ARGB32);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    reinterpret_cast<QRgb *>(argb.scanLine(y))[x] = px[size_t(y) * w + x];
            img = f == QImage::Format_ARGB32 ? argb : argb.convertToFormat(f);
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (img.pixel(x, y) != px[size_t(y) * w + x])
                    fail(QString("QImage: format %1 cannot hold pixel %2,%3 (%4): it reads back as %5")
                             .arg(fname).arg(x).arg(y).arg(px[size_t(y) * w + x], 8, 16, QChar('0')).arg(img.pixel(x, y), 8, 16, QChar('0')));
        return img;
    }
    static std::string show(const QImage &img)
    {
        Obj o;
        o.add("t", jstr(name()));
        if (img.isNull())
            return o.add("null", "true").str();
        std::vector<QRgb> px;
        for (int y = 0; y < img.height(); y++)
            for (int x = 0; x < img.width(); x++)
                px.push_back(img.pixel(x, y));
        o.add("w", jnum(img.width())).add("h", jnum(img.height())).add("format", jstr(formatName(img.format()).c_str()));
        o.add("pixels", jstr(hexRgbs(px).c_str()));
        if (img.colorCount() > 0) {
            const QVector<QRgb> ct = img.colorTable();
            o.add("colors", jstr(hexRgbs(std::vector<QRgb>(ct.begin(), ct.end())).c_str()));
        }
        return o.str();
    }
};

// ---- QVariant and the containers ------------------------------------------------------------------

QVariant variantFrom(const QJsonObject &contained, bool allowInvalid);
std::string variantShow(const QVariant &v);

struct VariantC {
    using type = QVariant;
    static const char *name() { return "QVariant"; }
    static QVariant make(const QJsonObject &n)
    {
        expectType(n, name());
        if (!n.contains("v"))
            return QVariant();
        return variantFrom(obj(n.value("v"), "QVariant \"v\""), false);
    }
    static std::string show(const QVariant &v)
    {
        Obj o;
        o.add("t", jstr(name()));
        if (v.isValid())
            o.add("v", variantShow(v));
        return o.str();
    }
};

// VariantListC is QVariantList: its elements are contained nodes ({"t":"QVariant"} = invalid).
struct VariantListC {
    using type = QVariantList;
    static const char *name() { return "QVariantList"; }
    static QVariantList make(const QJsonObject &n)
    {
        expectType(n, name());
        QVariantList l;
        for (const QJsonValue &v : arr(n, "v"))
            l.append(variantFrom(obj(v, "a QVariantList element"), true));
        return l;
    }
    static std::string show(const QVariantList &l)
    {
        std::vector<std::string> items;
        for (const QVariant &v : l)
            items.push_back(variantShow(v));
        return Obj().add("t", jstr(name())).add("v", jarr(items)).str();
    }
};

// Entries is what the map codecs share: "v" is [[key, node], ...]; shown sorted by key.
template <class M, class ValueMake>
M readEntries(const QJsonObject &n, ValueMake valueMake)
{
    M m;
    for (const QJsonValue &e : arr(n, "v")) {
        const QJsonArray kv = e.toArray();
        if (!e.isArray() || kv.size() != 2 || !kv.at(0).isString())
            fail("a map entry is not [\"key\", node]");
        if (m.contains(text(kv.at(0))))
            fail(QString("map key \"%1\" appears twice").arg(text(kv.at(0))));
        m.insert(text(kv.at(0)), valueMake(obj(kv.at(1), "a map value")));
    }
    return m;
}
template <class M, class ValueShow>
std::string showEntries(const M &m, ValueShow valueShow)
{
    QStringList keys = m.keys();
    std::sort(keys.begin(), keys.end());
    std::vector<std::string> items;
    for (const QString &k : keys)
        items.push_back("[" + jstr(k) + "," + valueShow(m.value(k)) + "]");
    return jarr(items);
}

template <bool Hash>
struct VariantMapC {
    using type = std::conditional_t<Hash, QVariantHash, QVariantMap>;
    static const char *name() { return Hash ? "QVariantHash" : "QVariantMap"; }
    static type make(const QJsonObject &n)
    {
        expectType(n, name());
        return readEntries<type>(n, [](const QJsonObject &c) { return variantFrom(c, true); });
    }
    static std::string show(const type &m) { return Obj().add("t", jstr(name())).add("v", showEntries(m, variantShow)).str(); }
};

// ListC is QList<E::type>: "elem" names E, "v" holds full element nodes, "repeatItems" repeats v.
template <class E>
struct ListC {
    using type = QList<typename E::type>;
    static const char *name() { return "QList"; }
    static type make(const QJsonObject &n)
    {
        expectType(n, name());
        if (str(n, "elem") != QLatin1String(E::name()))
            fail(QString("QList \"elem\" \"%1\" does not match its elements (%2)").arg(str(n, "elem"), E::name()));
        type once;
        for (const QJsonValue &v : arr(n, "v"))
            once.append(E::make(obj(v, "a QList element")));
        const qint64 rep = optCount(n, "repeatItems");
        type out;
        out.reserve(int(once.size() * rep));
        for (qint64 i = 0; i < rep; i++)
            out += once;
        return out;
    }
    static std::string show(const type &l)
    {
        std::vector<std::string> items;
        items.reserve(size_t(l.size()));
        for (const auto &x : l)
            items.push_back(E::show(x));
        return Obj().add("t", jstr(name())).add("elem", jstr(E::name())).add("v", jarr(items)).str();
    }
};

// MapC is QMap<QString, E::type> or QHash<QString, E::type>.
template <class E, bool Hash>
struct MapC {
    using type = std::conditional_t<Hash, QHash<QString, typename E::type>, QMap<QString, typename E::type>>;
    static const char *name() { return Hash ? "QHash" : "QMap"; }
    static type make(const QJsonObject &n)
    {
        expectType(n, name());
        if (str(n, "key") != "QString" || str(n, "elem") != QLatin1String(E::name()))
            fail(QString("%1: want \"key\" QString and \"elem\" %2").arg(name(), E::name()));
        return readEntries<type>(n, [](const QJsonObject &c) { return E::make(c); });
    }
    static std::string show(const type &m)
    {
        return Obj().add("t", jstr(name())).add("key", jstr("QString")).add("elem", jstr(E::name())).add("v", showEntries(m, [](const typename E::type &v) { return E::show(v); })).str();
    }
};

// ---- dispatch: the codec of a node -----------------------------------------------------------------

template <class C>
struct Tag {
    using codec = C;
};

// withElem calls f(Tag<E>) for a list or map element type (not QList).
template <class F>
bool withElem(const QString &e, F &&f)
{
    if (e == "qint32") f(Tag<IntC<qint32>>());
    else if (e == "quint8") f(Tag<IntC<quint8>>());
    else if (e == "double") f(Tag<FloatC<double>>());
    else if (e == "bool") f(Tag<BoolC>());
    else if (e == "QString") f(Tag<StringC>());
    else if (e == "QByteArray") f(Tag<BytesC>());
    else if (e == "QPoint") f(Tag<PointC>());
    else if (e == "QColor") f(Tag<ColorC>());
    else if (e == "QVariant") f(Tag<VariantC>());
    else return false;
    return true;
}

// withCodec calls f(Tag<C>) with the codec of node n.
template <class F>
void withCodec(const QJsonObject &n, F &&f)
{
    const QString t = n.value("t").toString();
    if (t == "qint8") f(Tag<IntC<qint8>>());
    else if (t == "qint16") f(Tag<IntC<qint16>>());
    else if (t == "qint32") f(Tag<IntC<qint32>>());
    else if (t == "qint64") f(Tag<IntC<qint64>>());
    else if (t == "quint8") f(Tag<IntC<quint8>>());
    else if (t == "quint16") f(Tag<IntC<quint16>>());
    else if (t == "quint32") f(Tag<IntC<quint32>>());
    else if (t == "quint64") f(Tag<IntC<quint64>>());
    else if (t == "bool") f(Tag<BoolC>());
    else if (t == "float") f(Tag<FloatC<float>>());
    else if (t == "double") f(Tag<FloatC<double>>());
    else if (t == "QChar") f(Tag<QCharC>());
    else if (t == "QString") f(Tag<StringC>());
    else if (t == "QByteArray") f(Tag<BytesC>());
    else if (t == "QStringList") f(Tag<StringListC>());
    else if (t == "QVariant") f(Tag<VariantC>());
    else if (t == "QVariantList") f(Tag<VariantListC>());
    else if (t == "QVariantMap") f(Tag<VariantMapC<false>>());
    else if (t == "QVariantHash") f(Tag<VariantMapC<true>>());
    else if (t == "QDate") f(Tag<DateC>());
    else if (t == "QTime") f(Tag<TimeC>());
    else if (t == "QDateTime") f(Tag<DateTimeC>());
    else if (t == "QColor") f(Tag<ColorC>());
    else if (t == "QPoint") f(Tag<PointC>());
    else if (t == "QSize") f(Tag<SizeC>());
    else if (t == "QRect") f(Tag<RectC>());
    else if (t == "QImage") f(Tag<ImageC>());
    else if (t == "QList") {
        const QString e = str(n, "elem");
        bool ok;
        if (e == "QList") { // QList<QList<T>>: T from the first element (any T for an empty list)
            const QJsonArray v = arr(n, "v");
            const QString inner = v.isEmpty() ? QString("qint32") : str(obj(v.at(0), "a QList element"), "elem");
            ok = withElem(inner, [&](auto tag) { f(Tag<ListC<ListC<typename decltype(tag)::codec>>>()); });
        } else {
            ok = withElem(e, [&](auto tag) { f(Tag<ListC<typename decltype(tag)::codec>>()); });
        }
        if (!ok)
            fail(QString("QList element type \"%1\" is not supported").arg(e));
    } else if (t == "QMap" || t == "QHash") {
        const QString e = str(n, "elem");
        const bool ok = t == "QMap" ? withElem(e, [&](auto tag) { f(Tag<MapC<typename decltype(tag)::codec, false>>()); })
                                    : withElem(e, [&](auto tag) { f(Tag<MapC<typename decltype(tag)::codec, true>>()); });
        if (!ok)
            fail(QString("%1 value type \"%2\" is not supported").arg(t, e));
    } else
        fail(QString("node type \"%1\" is not supported").arg(t));
}

template <class C>
QVariant vf(const QJsonObject &c) { return QVariant::fromValue(C::make(c)); }

// variantFrom makes the QVariant holding contained node c; {"t":"QVariant"} is an invalid
// QVariant where allowInvalid (the elements of QVariantList, the values of QVariantMap/Hash).
QVariant variantFrom(const QJsonObject &c, bool allowInvalid)
{
    const QString t = c.value("t").toString();
    if (t == "QVariant") {
        if (!allowInvalid || c.contains("v"))
            fail("a QVariant cannot contain a QVariant (an invalid element is {\"t\":\"QVariant\"})");
        return QVariant();
    }
    if (t == "bool") return vf<BoolC>(c);
    if (t == "qint32") return vf<IntC<qint32>>(c);
    if (t == "quint32") return vf<IntC<quint32>>(c);
    if (t == "qint64") return vf<IntC<qint64>>(c);
    if (t == "quint64") return vf<IntC<quint64>>(c);
    if (t == "double") return vf<FloatC<double>>(c);
    if (t == "float") return vf<FloatC<float>>(c);
    if (t == "QChar") return vf<QCharC>(c);
    if (t == "QString") return vf<StringC>(c);
    if (t == "QByteArray") return vf<BytesC>(c);
    if (t == "QStringList") return vf<StringListC>(c);
    if (t == "QVariantList") return vf<VariantListC>(c);
    if (t == "QVariantMap") return vf<VariantMapC<false>>(c);
    if (t == "QVariantHash") return vf<VariantMapC<true>>(c);
    if (t == "QDate") return vf<DateC>(c);
    if (t == "QTime") return vf<TimeC>(c);
    if (t == "QDateTime") return vf<DateTimeC>(c);
    if (t == "QPoint") return vf<PointC>(c);
    if (t == "QSize") return vf<SizeC>(c);
    if (t == "QRect") return vf<RectC>(c);
    if (t == "QColor") return vf<ColorC>(c);
    if (t == "QImage") return vf<ImageC>(c);
    fail(QString("a QVariant of \"%1\" is not supported").arg(t));
}

template <class C>
std::string vs(const QVariant &v) { return C::show(v.value<typename C::type>()); }

// variantShow prints the node v contains, {"t":"QVariant"} for an invalid one.
std::string variantShow(const QVariant &v)
{
    switch (v.userType()) {
    case QMetaType::UnknownType: return Obj().add("t", jstr("QVariant")).str();
    case QMetaType::Bool: return vs<BoolC>(v);
    case QMetaType::Int: return vs<IntC<qint32>>(v);
    case QMetaType::UInt: return vs<IntC<quint32>>(v);
    case QMetaType::LongLong: return vs<IntC<qint64>>(v);
    case QMetaType::ULongLong: return vs<IntC<quint64>>(v);
    case QMetaType::Double: return vs<FloatC<double>>(v);
    case QMetaType::Float: return vs<FloatC<float>>(v);
    case QMetaType::QChar: return vs<QCharC>(v);
    case QMetaType::QString: return vs<StringC>(v);
    case QMetaType::QByteArray: return vs<BytesC>(v);
    case QMetaType::QStringList: return vs<StringListC>(v);
    case QMetaType::QVariantList: return vs<VariantListC>(v);
    case QMetaType::QVariantMap: return vs<VariantMapC<false>>(v);
    case QMetaType::QVariantHash: return vs<VariantMapC<true>>(v);
    case QMetaType::QDate: return vs<DateC>(v);
    case QMetaType::QTime: return vs<TimeC>(v);
    case QMetaType::QDateTime: return vs<DateTimeC>(v);
    case QMetaType::QPoint: return vs<PointC>(v);
    case QMetaType::QSize: return vs<SizeC>(v);
    case QMetaType::QRect: return vs<RectC>(v);
    case QMetaType::QColor: return vs<ColorC>(v);
    case QMetaType::QImage: return vs<ImageC>(v);
    default:
        return Obj().add("t", jstr("unsupported")).add("typeId", jnum(v.userType())).add("typeName", jstr(v.typeName())).str();
    }
}

// ---- the command line and the two commands ---------------------------------------------------------

struct Options {
    QString command, corpus, key;
    int version = 0; // 0: the library's default
    QDataStream::ByteOrder order = QDataStream::BigEndian;
    QDataStream::FloatingPointPrecision precision = QDataStream::DoublePrecision;
};

const char usageText[] = "usage: qdatastream-peer encode|decode --corpus FILE --key KEY [--version N|default] "
                         "[--byteorder big|little] [--precision double|single]";

Options parseArgs(const QStringList &args)
{
    Options o;
    if (args.size() < 2 || (args[1] != "encode" && args[1] != "decode"))
        fail(usageText);
    o.command = args[1];
    for (int i = 2; i < args.size(); i += 2) {
        if (i + 1 >= args.size())
            fail(QString("%1 needs a value; %2").arg(args[i], usageText));
        const QString &k = args[i], &v = args[i + 1];
        if (k == "--corpus")
            o.corpus = v;
        else if (k == "--key")
            o.key = v;
        else if (k == "--version") {
            bool ok = true;
            o.version = v == "default" ? 0 : v.toInt(&ok);
            if (!ok || o.version < 0)
                fail(QString("--version %1: want a positive number or default").arg(v));
        } else if (k == "--byteorder") {
            if (v != "big" && v != "little")
                fail("--byteorder: want big or little");
            o.order = v == "big" ? QDataStream::BigEndian : QDataStream::LittleEndian;
        } else if (k == "--precision") {
            if (v != "double" && v != "single")
                fail("--precision: want double or single");
            o.precision = v == "double" ? QDataStream::DoublePrecision : QDataStream::SinglePrecision;
        } else
            fail(QString("unknown option %1; %2").arg(k, usageText));
    }
    if (o.corpus.isEmpty() || o.key.isEmpty())
        fail(QString("--corpus and --key are required; %1").arg(usageText));
    return o;
}

struct Case {
    QString name;
    QJsonObject node;
};

std::vector<Case> loadCorpus(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        fail(QString("%1: %2").arg(path, f.errorString()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (doc.isNull())
        fail(QString("%1: offset %2: %3").arg(path).arg(err.offset).arg(err.errorString()));
    std::vector<Case> cases;
    for (const QJsonValue &c : doc.object().value("cases").toArray()) {
        const QJsonObject o = c.toObject();
        cases.push_back({o.value("name").toString(), obj(o.value("value"), "a case's \"value\"")});
        if (cases.back().name.isEmpty())
            fail(QString("%1: case %2 has no name").arg(path).arg(cases.size()));
    }
    if (cases.empty())
        fail(QString("%1: no \"cases\"").arg(path));
    return cases;
}

void configure(QDataStream &s, const Options &o)
{
    if (o.version > 0)
        s.setVersion(o.version);
    s.setByteOrder(o.order);
    s.setFloatingPointPrecision(o.precision);
}

// waitForEofOrSignal blocks until standard input reaches its end or SIGINT, SIGTERM or SIGHUP
// arrives (they are blocked in main, before anything else runs, and read here via signalfd).
void waitForEofOrSignal()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    const int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0)
        fail(QString("signalfd: %1").arg(std::strerror(errno)));
    pollfd fds[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
    char buf[4096];
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[1].revents)
            break;
        if (fds[0].revents) {
            const ssize_t n = read(0, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                break;
        }
    }
    close(sfd);
}

int encode(const Options &o, const std::vector<Case> &cases)
{
    QBuffer buf;
    buf.open(QIODevice::WriteOnly);
    QDataStream out(&buf);
    configure(out, o);
    std::vector<std::string> offsets;
    for (const Case &c : cases) {
        try {
            withCodec(c.node, [&](auto tag) {
                using C = typename decltype(tag)::codec;
                out << C::make(c.node);
            });
        } catch (const Failure &e) {
            fail(QString("case %1: %2").arg(c.name, e.what()));
        }
        offsets.push_back(jnum(buf.pos()));
    }
    buf.close();
    const QByteArray data = buf.data();
    printLine(Obj().add("op", jstr("encoded")).add("version", jnum(out.version())).add("size", jnum(data.size())).add("offsets", jarr(offsets)).add("status", jnum(out.status())).str());

    QSharedMemory shm(o.key);
    if (!shm.create(int(data.size())))
        fail(QString("create(%1): %2").arg(data.size()).arg(shm.errorString()));
    if (!shm.lock())
        fail(QString("lock: %1").arg(shm.errorString()));
    std::memcpy(shm.data(), data.constData(), size_t(data.size()));
    shm.unlock();
    printLine(Obj().add("op", jstr("ready")).add("nativeKey", jstr(shm.nativeKey())).str());
    waitForEofOrSignal();
    if (!shm.detach())
        fail(QString("detach: %1").arg(shm.errorString()));
    return 0;
}

int decode(const Options &o, const std::vector<Case> &cases)
{
    QByteArray data;
    {
        QSharedMemory shm(o.key);
        if (!shm.attach(QSharedMemory::ReadOnly))
            fail(QString("attach: %1").arg(shm.errorString()));
        if (!shm.lock())
            fail(QString("lock: %1").arg(shm.errorString()));
        data = QByteArray(static_cast<const char *>(shm.constData()), shm.size());
        shm.unlock();
        if (!shm.detach())
            fail(QString("detach: %1").arg(shm.errorString()));
    }
    QBuffer buf(&data);
    buf.open(QIODevice::ReadOnly);
    QDataStream in(&buf);
    configure(in, o);
    printLine(Obj().add("op", jstr("attached")).add("version", jnum(in.version())).add("size", jnum(data.size())).str());
    for (const Case &c : cases) {
        std::string node;
        try {
            withCodec(c.node, [&](auto tag) {
                using C = typename decltype(tag)::codec;
                const qint64 start = buf.pos();
                typename C::type v{};
                in >> v;
                node = C::show(v);
                // A top-level QVariant: also the null flag the stream holds (the byte after
                // the quint32 type id, written since Qt_4_2), which QVariant does not expose
                // the same way in Qt 5 and 6.
                if (std::is_same<C, VariantC>::value && in.version() >= QDataStream::Qt_4_2 && start + 4 < data.size()) {
                    node.pop_back();
                    node += ",\"isNull\":" + jbool(data.at(int(start + 4)) != 0) + "}";
                }
            });
        } catch (const Failure &e) {
            fail(QString("case %1: %2").arg(c.name, e.what()));
        }
        printLine(Obj().add("op", jstr("case")).add("name", jstr(c.name)).add("value", node).add("offset", jnum(buf.pos())).add("status", jnum(in.status())).str());
        if (in.status() != QDataStream::Ok)
            break;
    }
    printLine(Obj().add("op", jstr("done")).add("offset", jnum(buf.pos())).add("atEnd", jbool(in.atEnd())).add("status", jnum(in.status())).str());
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // Block the signals waitForEofOrSignal reads before anything can start a thread.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    QCoreApplication app(argc, argv);
    try {
        const Options o = parseArgs(app.arguments());
        const std::vector<Case> cases = loadCorpus(o.corpus);
        return o.command == "encode" ? encode(o, cases) : decode(o, cases);
    } catch (const Failure &e) {
        printLine(Obj().add("op", jstr("error")).add("error", jstr(e.what())).str());
        return 1;
    }
}
