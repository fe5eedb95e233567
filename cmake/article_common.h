// Options shared by the article's writer and reader, and how they stop. The defaults are the
// article's values; the flags exist for tests only. The article's code itself is unchanged:
// what is added around it is the option checking and the clean stop.
//
// Bad usage (an unknown option, a missing or empty value, a value that is not a number or out
// of range, a positional argument) prints one line to stderr and exits with status 2.
//
// Stopping: SIGINT, SIGTERM and SIGHUP, and a stderr that can no longer be written (qDebug's
// output: `article-writer 2>&1 | head -2` once head has exited; SIGPIPE is ignored), quit the
// event loop, so that main returns and the QSharedMemory destructor detaches — removing the
// segment, its lock and their key files when this was the last process — and the program exits
// with status 0. The signals are blocked in every thread and taken by a watcher thread
// (sigwait), so that they never interrupt a Qt call (the article ignores lock()'s result). If
// the program has not ended 5 seconds after a signal (stuck in lock() behind another process),
// it exits with status 1 without cleaning up.
#pragma once

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QMetaObject>
#include <QtCore/QString>
#include <QtCore/QTimer>
#include <QtCore/QtGlobal>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>
#ifdef _WIN32
// Windows (mingw-w64): there are no POSIX signals; the console's Ctrl+C / Ctrl+Break / close
// events take their place, and a closed stderr is not watched.
#include <io.h>
#include <windows.h>
#else
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#endif

struct ArticleOptions {
    QString key = QStringLiteral("MySharedMemoryKey"); // the article's key
    int intervalMs = 1000;                             // the article's QTimer interval
    int ticks = 0;                                     // 0: run forever, as in the article
    bool quitOnEof = false;                            // quit (cleanly) when stdin closes
};

// requestQuit makes the application's event loop quit, from any thread; a request made before
// the loop runs takes effect when it starts.
inline void requestQuit()
{
    if (QCoreApplication *app = QCoreApplication::instance())
        QMetaObject::invokeMethod(app, "quit", Qt::QueuedConnection);
}

inline QtMessageHandler &previousMessageHandler()
{
    static QtMessageHandler h = nullptr;
    return h;
}

// quitWhenStderrCloses is the message handler: Qt's own handler prints the message, then, if
// stderr is a pipe nobody reads any more (poll reports POLLERR), the program quits.
inline void quitWhenStderrCloses(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    previousMessageHandler()(type, context, message);
#ifndef _WIN32
    pollfd p = {2, POLLOUT, 0};
    if (::poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
        requestQuit();
#endif
}

#ifdef _WIN32
// On Windows a console control event (Ctrl+C, Ctrl+Break, the console closing) is the stop
// request: the handler runs in a thread of its own, quits the event loop and, as with a signal
// on POSIX, exits with status 1 if the program has not ended 5 seconds later.
inline BOOL WINAPI quitOnConsoleEvent(DWORD event)
{
    requestQuit();
    std::thread([event] {
        std::this_thread::sleep_for(std::chrono::seconds(5));
        std::fprintf(stderr, "did not stop within 5 s of console event %lu; exiting without cleaning up\n", event);
        ::_exit(1);
    }).detach();
    return TRUE;
}

inline void prepareCleanStop()
{
    previousMessageHandler() = qInstallMessageHandler(quitWhenStderrCloses);
}

inline void quitOnStopSignals()
{
    SetConsoleCtrlHandler(quitOnConsoleEvent, TRUE);
}
#else

inline sigset_t stopSignals()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

// prepareCleanStop is the first statement of main, before any thread exists: it blocks the stop
// signals (threads inherit the mask), ignores SIGPIPE and watches qDebug's output.
inline void prepareCleanStop()
{
    const sigset_t set = stopSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    previousMessageHandler() = qInstallMessageHandler(quitWhenStderrCloses);
}

// quitOnStopSignals starts the thread that turns a stop signal into a quit of the event loop.
inline void quitOnStopSignals()
{
    std::thread([] {
        const sigset_t set = stopSignals();
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            return;
        requestQuit();
        std::this_thread::sleep_for(std::chrono::seconds(5));
        std::fprintf(stderr, "did not stop within 5 s of signal %d; exiting without cleaning up\n", sig);
        ::_exit(1);
    }).detach();
}
#endif

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
// event loop until opt.ticks ticks ran (forever when 0), a stop signal arrives, stderr closes
// or, with --quit-on-eof, stdin closes.
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
    quitOnStopSignals();
    if (opt.quitOnEof)
        quitWhenStdinCloses(app);
    timer.start(opt.intervalMs);
    return app.exec();
}

// usageError prints one line and exits with status 2.
[[noreturn]] inline void usageError(const QString &message)
{
    std::fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()), qPrintable(message));
    std::exit(2);
}

inline int intOption(const QCommandLineParser &p, const QCommandLineOption &o, int min)
{
    bool ok = false;
    const QString v = p.value(o);
    const int n = v.toInt(&ok);
    if (!ok || n < min)
        usageError(QStringLiteral("--%1 \"%2\": want an integer >= %3").arg(o.names().constFirst(), v).arg(min));
    return n;
}

inline ArticleOptions parseArticleOptions(const QCoreApplication &app)
{
    QCommandLineParser p;
    const QCommandLineOption help = p.addHelpOption();
    QCommandLineOption key(QStringLiteral("key"), QStringLiteral("shared memory key"), QStringLiteral("key"));
    QCommandLineOption interval(QStringLiteral("interval"), QStringLiteral("timer interval in ms"), QStringLiteral("ms"));
    QCommandLineOption ticks(QStringLiteral("ticks"), QStringLiteral("exit after this many ticks (0: never)"), QStringLiteral("n"));
    p.addOption(key);
    p.addOption(interval);
    QCommandLineOption eof(QStringLiteral("quit-on-eof"), QStringLiteral("quit when standard input closes"));
    p.addOption(ticks);
    p.addOption(eof);
    if (!p.parse(app.arguments()))
        usageError(p.errorText());
    if (p.isSet(help))
        p.showHelp(0);
    if (!p.positionalArguments().isEmpty())
        usageError(QStringLiteral("unexpected argument \"%1\" (options only)").arg(p.positionalArguments().constFirst()));
    ArticleOptions o;
    if (p.isSet(key)) {
        o.key = p.value(key);
        if (o.key.isEmpty())
            usageError(QStringLiteral("--key must not be empty"));
    }
    if (p.isSet(interval))
        o.intervalMs = intOption(p, interval, 1);
    if (p.isSet(ticks))
        o.ticks = intOption(p, ticks, 0);
    o.quitOnEof = p.isSet(eof);
    return o;
}
