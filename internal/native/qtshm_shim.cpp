//go:build (qt5 || qt6) && !(qt5 && qt6)

// qtshm_shim.cpp — the C ABI of qtshm_shim.h implemented with Qt's own classes.
// Compiled by cgo (package native, tags qt5/qt6) and by cmake/ (libqtshm_shim).

#include "qtshm_shim.h"

#include <QtCore/QSharedMemory>
#include <QtCore/QSystemSemaphore>
#include <QtCore/QString>
#include <QtCore/QByteArray>
#include <QtCore/qglobal.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(QTSHM_EXPECT_QT_MAJOR) && QT_VERSION_MAJOR != QTSHM_EXPECT_QT_MAJOR
#error "qtshm native: the build tag (qt5/qt6) does not match the Qt headers found by pkg-config"
#endif

struct qtshm_shm { QSharedMemory q; explicit qtshm_shm(const QString &k) : q(k) {} };
struct qtshm_sem { QSystemSemaphore q; qtshm_sem(const QString &k, int n, QSystemSemaphore::AccessMode m) : q(k, n, m) {} };

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

void qtshm_free(void *p) { std::free(p); }

} // extern "C"
