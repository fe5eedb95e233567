/* qtshm_shim.h — a plain C ABI over Qt's QSharedMemory and QSystemSemaphore.
 *
 * Opaque handles; no Qt or C++ type crosses this header. Keys are UTF-8 (pointer + length).
 * Every operation is one call that returns a qtshm_status: ok, Qt's error() value, errno right
 * after the call (best effort: Qt does not report errno), and Qt's errorString() as a malloc'd
 * UTF-8 string that the caller frees with qtshm_free (NULL when there is no error text).
 * Shared-memory calls also return the mapping and its size after the call, so no second call is
 * needed to learn whether the object is attached. No QCoreApplication is needed.
 *
 * Used by the Go package github.com/qtshm/qtshm-go/native (cgo) and built as libqtshm_shim by
 * cmake/ for C and C++ users.
 */
#ifndef QTSHM_SHIM_H
#define QTSHM_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qtshm_shm qtshm_shm;
typedef struct qtshm_sem qtshm_sem;

typedef struct {
    int ok;          /* 1 when Qt returned true */
    int code;        /* QSharedMemory::SharedMemoryError, or QSystemSemaphore::SystemSemaphoreError for qtshm_sem_* */
    int sys_errno;   /* errno after the Qt call when it failed, else 0 */
    char *msg;       /* errorString() when it failed, malloc'd; NULL otherwise */
    void *data;      /* shm calls: data() after the call (NULL when detached) */
    int64_t size;    /* shm calls: size() after the call */
} qtshm_status;

/* The Qt version the shim was compiled against (QT_VERSION, e.g. 0x050f08) and runs with. */
int qtshm_qt_version_compiled(void);
const char *qtshm_qt_version_runtime(void);

/* QSharedMemory(key). Never NULL except on allocation failure. */
qtshm_shm *qtshm_shm_new(const char *key, size_t key_len);
void qtshm_shm_delete(qtshm_shm *shm); /* the destructor: detaches, removes an owned lock */
/* nativeKey(), malloc'd UTF-8; *len receives its length. */
char *qtshm_shm_native_key(qtshm_shm *shm, size_t *len);

qtshm_status qtshm_shm_create(qtshm_shm *shm, int64_t size, int mode); /* mode: 0 ReadOnly, 1 ReadWrite */
qtshm_status qtshm_shm_attach(qtshm_shm *shm, int mode);
qtshm_status qtshm_shm_detach(qtshm_shm *shm);
qtshm_status qtshm_shm_lock(qtshm_shm *shm);
qtshm_status qtshm_shm_unlock(qtshm_shm *shm);

/* QSystemSemaphore(key, initial, mode); mode: 0 Open, 1 Create. The status reports the
 * constructor's error(). The handle is returned even on error (delete it). */
qtshm_sem *qtshm_sem_new(const char *key, size_t key_len, int initial, int mode, qtshm_status *st);
void qtshm_sem_delete(qtshm_sem *sem);
/* The native key (Qt >= 6.6), malloc'd; NULL with Qt versions that do not expose it. */
char *qtshm_sem_native_key(qtshm_sem *sem, size_t *len);
qtshm_status qtshm_sem_acquire(qtshm_sem *sem);
qtshm_status qtshm_sem_release(qtshm_sem *sem, int n);

/* Qt 6.6+ native keys (QNativeIpcKey).
 *
 * These entry points exist whatever Qt the shim is compiled against. Built against Qt < 6.6
 * (no QNativeIpcKey) they return NULL / 0 and a status with code QTSHM_UNSUPPORTED.
 *
 * type is QNativeIpcKey::Type (1..0xff System V with that ftok project id, 0x100
 * PosixRealtime, 0x101 Windows); native is nativeKey(); legacy is the legacy (QString) key the
 * key records, legacy_len 0 for none. All are UTF-8 (pointer + length) and copied: the shim
 * keeps no pointer it was given. The key the object ends up with is checked against the input
 * (type, native key, legacy key); a key Qt cannot represent exactly gives QTSHM_KEY_MISMATCH. */
#define QTSHM_UNSUPPORTED (-1)   /* status code: not available with this Qt or this key type */
#define QTSHM_KEY_MISMATCH (-2)  /* status code: Qt cannot build exactly this key */

/* 1 when the shim was compiled against Qt >= 6.6 (native keys work), else 0. */
int qtshm_native_keys_supported(void);

/* QSharedMemory(QNativeIpcKey). On success st->ok is 1 and the handle is not NULL. A key type
 * this Qt does not support on this OS (QSharedMemory::isKeyTypeSupported) gives NULL and
 * QTSHM_UNSUPPORTED; NULL and QTSHM_KEY_MISMATCH as above. Note that Qt 6.8.2 supports on Linux
 * every type but Windows: types 0 and above 0x101 are taken as System V keys whose ftok project
 * id is the type's low byte (the Go package refuses them before calling the shim). */
qtshm_shm *qtshm_shm_new_native(int type, const char *native, size_t native_len,
                                const char *legacy, size_t legacy_len, qtshm_status *st);

/* QSystemSemaphore(QNativeIpcKey, initial, mode). As qtshm_sem_new: the status reports the
 * constructor's error() and the handle is returned even then (delete it). NULL with
 * QTSHM_UNSUPPORTED or QTSHM_KEY_MISMATCH as above. */
qtshm_sem *qtshm_sem_new_native(int type, const char *native, size_t native_len,
                                const char *legacy, size_t legacy_len,
                                int initial, int mode, qtshm_status *st);

/* nativeIpcKey() of the object: returns its type (0 with Qt < 6.6) and stores malloc'd UTF-8
 * copies of nativeKey() and of the legacy key (key(); "" for none) with their lengths. */
int qtshm_shm_native_ipc_key(qtshm_shm *shm, char **native, size_t *native_len, char **legacy, size_t *legacy_len);
int qtshm_sem_native_ipc_key(qtshm_sem *sem, char **native, size_t *native_len, char **legacy, size_t *legacy_len);

void qtshm_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
