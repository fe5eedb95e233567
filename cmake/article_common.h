// Options shared by the article's writer and reader. The defaults are the article's values;
// the flags exist for tests only.
#pragma once

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QString>
#include <QtCore/QTimer>

#include <thread>
#include <unistd.h>

struct ArticleOptions {
    QString key = QStringLiteral("MySharedMemoryKey"); // the article's key
    int intervalMs = 1000;                             // the article's QTimer interval
    int ticks = 0;                                     // 0: run forever, as in the article
    bool quitOnEof = false;                            // quit (cleanly) when stdin closes
};

// quitWhenStdinCloses makes app quit, through its event loop (so destructors run and the shared
// memory is detached), when standard input reaches end of file. Tests use it to stop the
// programs without killing them.
inline void quitWhenStdinCloses(QCoreApplication &app)
{
    std::thread([&app] {
        char buf[256];
        while (::read(0, buf, sizeof buf) > 0) {
        }
        QMetaObject::invokeMethod(&app, "quit", Qt::QueuedConnection);
    }).detach();
}

// runTicks calls tick every opt.intervalMs through a QTimer, as the article does, and runs the
// event loop until opt.ticks ticks ran (forever when 0) or, with --quit-on-eof, stdin closes.
template <typename Tick>
int runTicks(QCoreApplication &app, const ArticleOptions &opt, Tick tick)
{
    int n = 0;
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&]() {
        tick();
        if (opt.ticks > 0 && ++n >= opt.ticks)
            app.quit();
    });
    if (opt.quitOnEof)
        quitWhenStdinCloses(app);
    timer.start(opt.intervalMs);
    return app.exec();
}

inline ArticleOptions parseArticleOptions(const QCoreApplication &app)
{
    QCommandLineParser p;
    p.addHelpOption();
    QCommandLineOption key(QStringLiteral("key"), QStringLiteral("shared memory key"), QStringLiteral("key"));
    QCommandLineOption interval(QStringLiteral("interval"), QStringLiteral("timer interval in ms"), QStringLiteral("ms"));
    QCommandLineOption ticks(QStringLiteral("ticks"), QStringLiteral("exit after this many ticks (0: never)"), QStringLiteral("n"));
    p.addOption(key);
    p.addOption(interval);
    QCommandLineOption eof(QStringLiteral("quit-on-eof"), QStringLiteral("quit when standard input closes"));
    p.addOption(ticks);
    p.addOption(eof);
    p.process(app);
    ArticleOptions o;
    if (p.isSet(key))
        o.key = p.value(key);
    if (p.isSet(interval))
        o.intervalMs = p.value(interval).toInt();
    if (p.isSet(ticks))
        o.ticks = p.value(ticks).toInt();
    o.quitOnEof = p.isSet(eof);
    return o;
}
