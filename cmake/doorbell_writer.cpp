// doorbell-writer: writes "seq=<i> t=<unix ns>" (NUL-terminated) into QSharedMemory(--key)
// under its lock, then rings the doorbell --doorbell (doorbell.h), --count times.
//
//   doorbell-writer --key K --doorbell D --count N [--interval MS] [--wait-waiters W] [--quit-on-eof]
//
// --wait-waiters W: before each write, wait until W waiters are registered (lockstep, for exact
// tests). Each ring prints "rang gen=<G> seq=<i> t=<ns>"; first "ready gen=<G>". With
// --quit-on-eof it exits after standard input closes (a ringing process that exits takes back
// the units nobody has acquired yet: SEM_UNDO). Bad usage: one line on stderr, status 2.
#include "doorbell.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

static qint64 nowNs()
{
    using namespace std::chrono;
    return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

[[noreturn]] static void usage(const QString &msg)
{
    std::fprintf(stderr, "doorbell-writer: %s\n", qPrintable(msg));
    std::exit(2);
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    QCommandLineOption key("key", "data segment key", "key"), bellKey("doorbell", "doorbell key", "key"),
        count("count", "number of writes", "n"), interval("interval", "ms between writes", "ms", "0"),
        waitWaiters("wait-waiters", "waiters to wait for before each write", "n", "0"),
        eof("quit-on-eof", "exit when standard input closes");
    p.addOptions({key, bellKey, count, interval, waitWaiters, eof});
    if (!p.parse(app.arguments()))
        usage(p.errorText());
    bool ok1 = false, ok2 = false, ok3 = false;
    const int n = p.value(count).toInt(&ok1), ms = p.value(interval).toInt(&ok2), w = p.value(waitWaiters).toInt(&ok3);
    if (p.value(key).isEmpty() || p.value(bellKey).isEmpty() || !ok1 || !ok2 || !ok3 || n < 0 || ms < 0 || w < 0)
        usage("want --key K --doorbell D --count N (N, --interval, --wait-waiters: integers >= 0)");
    if (!p.positionalArguments().isEmpty())
        usage("unexpected argument " + p.positionalArguments().constFirst());

    QSharedMemory data(p.value(key));
    if (!data.attach() && !(data.error() == QSharedMemory::NotFound && data.create(1024))) {
        std::fprintf(stderr, "doorbell-writer: %s\n", qPrintable(data.errorString()));
        return 1;
    }
    Doorbell bell(p.value(bellKey));
    if (!bell.isValid()) {
        std::fprintf(stderr, "doorbell-writer: doorbell: %s\n", qPrintable(bell.ctrl.errorString()));
        return 1;
    }
    std::printf("ready gen=%llu\n", (unsigned long long)bell.current());
    std::fflush(stdout);
    for (int i = 1; i <= n; i++) {
        for (int spins = 0; w > 0; spins++) { // lockstep: every reader registered
            bell.ctrl.lock();
            const quint32 registered = bell.waiters();
            bell.ctrl.unlock();
            if (int(registered) >= w)
                break;
            if (spins > 600000) { // 60 s
                std::fprintf(stderr, "doorbell-writer: only %u of %d waiters registered\n", registered, w);
                return 1;
            }
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        const qint64 t = nowNs();
        const QByteArray msg = QByteArray("seq=") + QByteArray::number(i) + " t=" + QByteArray::number(t);
        data.lock();
        std::memcpy(data.data(), msg.constData(), size_t(msg.size()) + 1);
        data.unlock();
        const quint64 g = bell.ring();
        std::printf("rang gen=%llu seq=%d t=%lld\n", (unsigned long long)g, i, (long long)t);
        std::fflush(stdout);
        if (ms > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    if (p.isSet(eof))
        while (std::fgetc(stdin) != EOF) {
        }
    return 0;
}
