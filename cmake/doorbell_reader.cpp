// doorbell-reader: waits on the doorbell --doorbell (doorbell.h) and after each wake prints the
// text of QSharedMemory(--key) (read under its lock), until it has seen generation --until.
//
//   doorbell-reader --key K --doorbell D --until G
//
// Prints "ready gen=<G>" (after attaching, before the first wait), then per wake
// "gen=<G> seen=<unix ns> <text>". Bad usage: one line on stderr, status 2.
#include "doorbell.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>

#include <chrono>
#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    QCommandLineOption key("key", "data segment key", "key"), bellKey("doorbell", "doorbell key", "key"),
        until("until", "stop after seeing this generation", "g");
    p.addOptions({key, bellKey, until});
    if (!p.parse(app.arguments()))
        std::fprintf(stderr, "doorbell-reader: %s\n", qPrintable(p.errorText())), std::exit(2);
    bool ok = false;
    const quint64 last = p.value(until).toULongLong(&ok);
    if (p.value(key).isEmpty() || p.value(bellKey).isEmpty() || !ok || !p.positionalArguments().isEmpty())
        std::fprintf(stderr, "doorbell-reader: want --key K --doorbell D --until G\n"), std::exit(2);

    QSharedMemory data(p.value(key));
    if (!data.attach(QSharedMemory::ReadOnly)) {
        std::fprintf(stderr, "doorbell-reader: %s\n", qPrintable(data.errorString()));
        return 1;
    }
    Doorbell bell(p.value(bellKey));
    if (!bell.isValid()) {
        std::fprintf(stderr, "doorbell-reader: doorbell: %s\n", qPrintable(bell.ctrl.errorString()));
        return 1;
    }
    quint64 seen = bell.current();
    std::printf("ready gen=%llu\n", (unsigned long long)seen);
    std::fflush(stdout);
    while (seen < last) {
        seen = bell.wait(seen);
        data.lock();
        const QByteArray text(static_cast<const char *>(data.constData())); // NUL-terminated
        data.unlock();
        const long long ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::system_clock::now().time_since_epoch()).count();
        std::printf("gen=%llu seen=%lld %s\n", (unsigned long long)seen, ns, text.constData());
        std::fflush(stdout);
    }
    return 0;
}
