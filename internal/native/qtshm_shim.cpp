//go:build (qt5 || qt6) && !(qt5 && qt6)

// qtshm_shim.cpp — the C ABI of qtshm_shim.h implemented with Qt's own classes.
// Compiled by cgo (package native, tags qt5/qt6) and by cmake/ (libqtshm_shim).

#include "qtshm_shim.h"

#include <QtCore/QSharedMemory>
#include <QtCore/QSystemSemaphore>
#include <QtCore/QString>
#include <QtCore/QByteArray>
#include <QtCore/qglobal.h>
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
#include <QtCore/QNativeIpcKey>
#include <QtCore/QUrl>
#endif

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(QTSHM_EXPECT_QT_MAJOR) && QT_VERSION_MAJOR != QTSHM_EXPECT_QT_MAJOR
#error "qtshm native: the build tag (qt5/qt6) does not match the Qt headers found by pkg-config"
#endif

struct qtshm_shm {
    QSharedMemory q;
    explicit qtshm_shm(const QString &k) : q(k) {}
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    explicit qtshm_shm(const QNativeIpcKey &k) : q(k) {}
#endif
};
struct qtshm_sem {
    QSystemSemaphore q;
    qtshm_sem(const QString &k, int n, QSystemSemaphore::AccessMode m) : q(k, n, m) {}
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    qtshm_sem(const QNativeIpcKey &k, int n, QSystemSemaphore::AccessMode m) : q(k, n, m) {}
#endif
};

static char *dup_utf8(const QString &s, size_t *len)
{
    const QByteArray b = s.toUtf8();
    char *p = static_cast<char *>(std::malloc(size_t(b.size()) + 1));
    if (!p)
        return nullptr;
    std::memcpy(p, b.constData(), size_t(b.size()));
    p[b.size()] = 0;
    if (len)
        *len = size_t(b.size());
    return p;
}

static QString key_of(const char *key, size_t len)
{
    return QString::fromUtf8(key, int(len));
}

static qtshm_status shm_status(qtshm_shm *s, bool ok, int err)
{
    qtshm_status st;
    st.ok = ok ? 1 : 0;
    st.code = ok ? 0 : int(s->q.error());
    st.sys_errno = ok ? 0 : err;
    st.msg = ok ? nullptr : dup_utf8(s->q.errorString(), nullptr);
    st.data = s->q.data();
    st.size = int64_t(s->q.size());
    return st;
}

extern "C" {

int qtshm_qt_version_compiled(void) { return QT_VERSION; }
const char *qtshm_qt_version_runtime(void) { return qVersion(); }

qtshm_shm *qtshm_shm_new(const char *key, size_t key_len)
{
    return new (std::nothrow) qtshm_shm(key_of(key, key_len));
}

void qtshm_shm_delete(qtshm_shm *shm) { delete shm; }

char *qtshm_shm_native_key(qtshm_shm *shm, size_t *len) { return dup_utf8(shm->q.nativeKey(), len); }

qtshm_status qtshm_shm_create(qtshm_shm *shm, int64_t size, int mode)
{
#if QT_VERSION_MAJOR < 6
    if (size > INT_MAX) { // Qt 5 takes an int: a larger size cannot be asked of it
        qtshm_status st = shm_status(shm, true, 0);
        st.ok = 0;
        st.code = int(QSharedMemory::OutOfResources);
        st.sys_errno = ENOMEM;
        st.msg = dup_utf8(QStringLiteral("QSharedMemory::create: size exceeds Qt 5's int range"), nullptr);
        return st;
    }
#endif
    errno = 0;
    bool ok = shm->q.create(size, QSharedMemory::AccessMode(mode));
    return shm_status(shm, ok, errno);
}

qtshm_status qtshm_shm_attach(qtshm_shm *shm, int mode)
{
    errno = 0;
    bool ok = shm->q.attach(QSharedMemory::AccessMode(mode));
    return shm_status(shm, ok, errno);
}

qtshm_status qtshm_shm_detach(qtshm_shm *shm)
{
    errno = 0;
    bool ok = shm->q.detach();
    return shm_status(shm, ok, errno);
}

qtshm_status qtshm_shm_lock(qtshm_shm *shm)
{
    errno = 0;
    bool ok = shm->q.lock();
    return shm_status(shm, ok, errno);
}

qtshm_status qtshm_shm_unlock(qtshm_shm *shm)
{
    errno = 0;
    bool ok = shm->q.unlock();
    return shm_status(shm, ok, errno);
}

static qtshm_status sem_status(qtshm_sem *s, bool ok, int err)
{
    qtshm_status st;
    std::memset(&st, 0, sizeof st);
    st.ok = ok ? 1 : 0;
    st.code = ok ? 0 : int(s->q.error());
    st.sys_errno = ok ? 0 : err;
    st.msg = ok ? nullptr : dup_utf8(s->q.errorString(), nullptr);
    return st;
}

qtshm_sem *qtshm_sem_new(const char *key, size_t key_len, int initial, int mode, qtshm_status *st)
{
    errno = 0;
    qtshm_sem *s = new (std::nothrow) qtshm_sem(key_of(key, key_len), initial, QSystemSemaphore::AccessMode(mode));
    if (s && st)
        *st = sem_status(s, s->q.error() == QSystemSemaphore::NoError, errno);
    return s;
}

void qtshm_sem_delete(qtshm_sem *sem) { delete sem; }

char *qtshm_sem_native_key(qtshm_sem *sem, size_t *len)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    return dup_utf8(sem->q.nativeIpcKey().nativeKey(), len);
#else
    (void)sem;
    (void)len;
    return nullptr;
#endif
}

qtshm_status qtshm_sem_acquire(qtshm_sem *sem)
{
    errno = 0;
    bool ok = sem->q.acquire();
    return sem_status(sem, ok, errno);
}

qtshm_status qtshm_sem_release(qtshm_sem *sem, int n)
{
    errno = 0;
    bool ok = sem->q.release(n);
    return sem_status(sem, ok, errno);
}

// A failed status that no Qt object produced: code is QTSHM_UNSUPPORTED or QTSHM_KEY_MISMATCH.
static qtshm_status fail_status(int code, int err, const QString &msg)
{
    qtshm_status st;
    std::memset(&st, 0, sizeof st);
    st.code = code;
    st.sys_errno = err;
    st.msg = dup_utf8(msg, nullptr);
    return st;
}

static void set_out(char **p, size_t *len, const QString &s)
{
    if (p)
        *p = dup_utf8(s, len);
    else if (len)
        *len = size_t(s.toUtf8().size());
}

int qtshm_native_keys_supported(void) { return QT_VERSION >= QT_VERSION_CHECK(6, 6, 0); }

#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)

// make_key builds the QNativeIpcKey (type, native, legacy) exactly, or fails. Without a legacy
// key the constructor does it. A legacy key can only be recorded by Q::legacyNativeKey (which
// derives the native key from it) or by QNativeIpcKey::fromString: the first is used when it
// gives this native key, else the string form with the legacy key fully percent-encoded. The
// result is checked through a QSharedMemory (its constructor makes no system call), whose
// nativeIpcKey() and key() must give back the input.
extern "C++" {
template <class Q>
static bool make_key(int type, const QString &native, const QString &legacy, QNativeIpcKey *out)
{
    const auto t = QNativeIpcKey::Type(type);
    QNativeIpcKey k(native, t);
    if (!legacy.isEmpty()) {
        k = Q::legacyNativeKey(legacy, t);
        if (k.type() != t || k.nativeKey() != native) {
            const QString text = QNativeIpcKey(native, t).toString() + QStringLiteral("?legacyKey=") +
                    QString::fromLatin1(QUrl::toPercentEncoding(legacy));
            k = QNativeIpcKey::fromString(text);
        }
    }
    QSharedMemory probe(k);
    const QNativeIpcKey got = probe.nativeIpcKey();
    if (got.type() != t || got.nativeKey() != native || probe.key() != legacy)
        return false;
    *out = k;
    return true;
}
} // extern "C++"

static QString mismatch_text(const char *cls)
{
    return QString::fromLatin1(cls) + QStringLiteral("::setNativeKey: Qt cannot represent this native key exactly (type, native key and legacy key)");
}

qtshm_shm *qtshm_shm_new_native(int type, const char *native, size_t native_len,
                                const char *legacy, size_t legacy_len, qtshm_status *st)
{
    qtshm_status dummy;
    if (!st)
        st = &dummy;
    if (type < 0 || type > 0xffff || !QSharedMemory::isKeyTypeSupported(QNativeIpcKey::Type(type))) {
        *st = fail_status(QTSHM_UNSUPPORTED, 0, QStringLiteral("QSharedMemory::setNativeKey: unsupported key type"));
        return nullptr;
    }
    QNativeIpcKey k;
    if (!make_key<QSharedMemory>(type, key_of(native, native_len), key_of(legacy, legacy_len), &k)) {
        *st = fail_status(QTSHM_KEY_MISMATCH, 0, mismatch_text("QSharedMemory"));
        return nullptr;
    }
    qtshm_shm *s = new (std::nothrow) qtshm_shm(k);
    if (!s) {
        *st = fail_status(int(QSharedMemory::OutOfResources), ENOMEM, QStringLiteral("qtshm_shim: out of memory"));
        return nullptr;
    }
    *st = shm_status(s, s->q.error() == QSharedMemory::NoError, 0);
    return s;
}

qtshm_sem *qtshm_sem_new_native(int type, const char *native, size_t native_len,
                                const char *legacy, size_t legacy_len,
                                int initial, int mode, qtshm_status *st)
{
    qtshm_status dummy;
    if (!st)
        st = &dummy;
    if (type < 0 || type > 0xffff || !QSystemSemaphore::isKeyTypeSupported(QNativeIpcKey::Type(type))) {
        *st = fail_status(QTSHM_UNSUPPORTED, 0, QStringLiteral("QSystemSemaphore::setNativeKey: unsupported key type"));
        return nullptr;
    }
    QNativeIpcKey k;
    if (!make_key<QSystemSemaphore>(type, key_of(native, native_len), key_of(legacy, legacy_len), &k)) {
        *st = fail_status(QTSHM_KEY_MISMATCH, 0, mismatch_text("QSystemSemaphore"));
        return nullptr;
    }
    errno = 0;
    qtshm_sem *s = new (std::nothrow) qtshm_sem(k, initial, QSystemSemaphore::AccessMode(mode));
    if (!s) {
        *st = fail_status(int(QSystemSemaphore::OutOfResources), ENOMEM, QStringLiteral("qtshm_shim: out of memory"));
        return nullptr;
    }
    *st = sem_status(s, s->q.error() == QSystemSemaphore::NoError, errno);
    return s;
}

extern "C++" {
template <class Q>
static int native_ipc_key(const Q &q, char **native, size_t *native_len, char **legacy, size_t *legacy_len)
{
    const QNativeIpcKey k = q.nativeIpcKey();
    set_out(native, native_len, k.nativeKey());
    set_out(legacy, legacy_len, q.key());
    return int(k.type());
}
} // extern "C++"

int qtshm_shm_native_ipc_key(qtshm_shm *shm, char **native, size_t *native_len, char **legacy, size_t *legacy_len)
{
    return native_ipc_key(shm->q, native, native_len, legacy, legacy_len);
}

int qtshm_sem_native_ipc_key(qtshm_sem *sem, char **native, size_t *native_len, char **legacy, size_t *legacy_len)
{
    return native_ipc_key(sem->q, native, native_len, legacy, legacy_len);
}

#else // Qt < 6.6: no QNativeIpcKey

static QString no_native_keys()
{
    return QStringLiteral("qtshm_shim: built against Qt " QT_VERSION_STR ", which has no QNativeIpcKey (Qt 6.6+)");
}

qtshm_shm *qtshm_shm_new_native(int, const char *, size_t, const char *, size_t, qtshm_status *st)
{
    if (st)
        *st = fail_status(QTSHM_UNSUPPORTED, ENOSYS, no_native_keys());
    return nullptr;
}

qtshm_sem *qtshm_sem_new_native(int, const char *, size_t, const char *, size_t, int, int, qtshm_status *st)
{
    if (st)
        *st = fail_status(QTSHM_UNSUPPORTED, ENOSYS, no_native_keys());
    return nullptr;
}

static int no_native_ipc_key(char **native, size_t *native_len, char **legacy, size_t *legacy_len)
{
    set_out(native, native_len, QString());
    set_out(legacy, legacy_len, QString());
    return 0;
}

int qtshm_shm_native_ipc_key(qtshm_shm *, char **native, size_t *native_len, char **legacy, size_t *legacy_len)
{
    return no_native_ipc_key(native, native_len, legacy, legacy_len);
}

int qtshm_sem_native_ipc_key(qtshm_sem *, char **native, size_t *native_len, char **legacy, size_t *legacy_len)
{
    return no_native_ipc_key(native, native_len, legacy, legacy_len);
}

#endif

void qtshm_free(void *p) { std::free(p); }

} // extern "C"
