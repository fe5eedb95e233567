// The doorbell protocol of qtshm-go (docs/doorbell.md), Qt side: ring() after each write to a
// shared segment wakes every process blocked in wait(), Qt or Go. Qt 5.15 and Qt 6, QString
// keys; nothing but QSharedMemory and QSystemSemaphore.
//
// A doorbell key D names: the control segment QSharedMemory(D) of 16 bytes — [0:8] the
// generation, [8:12] the number of registered waiters (little-endian), changed only under its
// lock — and two bells QSystemSemaphore(D + "-bell0") and (D + "-bell1"): the waiters of
// generation g wait on bell g % 2.
#pragma once

#include <QtCore/QSharedMemory>
#include <QtCore/QString>
#include <QtCore/QSystemSemaphore>
#include <QtCore/QtEndian>

struct Doorbell {
    QSharedMemory ctrl;
    QSystemSemaphore bells[2];

    explicit Doorbell(const QString &key)
        : ctrl(key), bells{{key + QStringLiteral("-bell0"), 0, QSystemSemaphore::Open},
                           {key + QStringLiteral("-bell1"), 0, QSystemSemaphore::Open}}
    {
        // Attach first: a create() that fails with AlreadyExists makes this object an owner of
        // the segment's lock, which its destructor removes while others still use it.
        for (int i = 0; i < 10 && !ctrl.isAttached(); i++)
            if (!ctrl.attach() && ctrl.error() == QSharedMemory::NotFound)
                ctrl.create(16); // the first one creates it (zeroed)
    }
    bool isValid() const { return ctrl.isAttached() && ctrl.size() >= 16; }

    uchar *at(int off) { return static_cast<uchar *>(ctrl.data()) + off; }
    quint64 gen() { return qFromLittleEndian<quint64>(at(0)); }
    quint32 waiters() { return qFromLittleEndian<quint32>(at(8)); }
    void setGen(quint64 g) { qToLittleEndian<quint64>(g, at(0)); }
    void setWaiters(quint32 n) { qToLittleEndian<quint32>(n, at(8)); }

    // ring: call it after writing the data and unlocking the data segment. It returns the new
    // generation.
    quint64 ring()
    {
        ctrl.lock();
        const quint64 g = gen();
        const quint32 n = waiters();
        setGen(g + 1);
        setWaiters(0);
        ctrl.unlock();
        if (n)
            bells[g % 2].release(int(qMin<quint32>(n, 32767))); // one unit per registered waiter
        return g + 1;
    }

    // wait: returns the generation as soon as it differs from seen (at once if it already
    // does). Pass the value the previous wait() returned.
    quint64 wait(quint64 seen)
    {
        ctrl.lock();
        if (gen() == seen) {
            setWaiters(waiters() + 1); // registered: the next ring releases a unit for us
            do { // a unit that finds gen unchanged was a stray one: still registered, wait on
                ctrl.unlock();
                bells[seen % 2].acquire();
                ctrl.lock();
            } while (gen() == seen);
        }
        seen = gen();
        ctrl.unlock();
        return seen;
    }

    // current: the generation now (what a reader has "seen" when it starts).
    quint64 current()
    {
        ctrl.lock();
        const quint64 g = gen();
        ctrl.unlock();
        return g;
    }
};
