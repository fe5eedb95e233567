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

void qtshm_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
