// Options shared by the article's writer and reader. The defaults are the article's values;
// the flags exist for tests only.
#pragma once

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QString>

struct ArticleOptions {
    QString key = QStringLiteral("MySharedMemoryKey"); // the article's key
    int intervalMs = 1000;                             // the article's QTimer interval
    int ticks = 0;                                     // 0: run forever, as in the article
};

inline ArticleOptions parseArticleOptions(const QCoreApplication &app)
{
    QCommandLineParser p;
    p.addHelpOption();
    QCommandLineOption key(QStringLiteral("key"), QStringLiteral("shared memory key"), QStringLiteral("key"));
    QCommandLineOption interval(QStringLiteral("interval"), QStringLiteral("timer interval in ms"), QStringLiteral("ms"));
    QCommandLineOption ticks(QStringLiteral("ticks"), QStringLiteral("exit after this many ticks (0: never)"), QStringLiteral("n"));
    p.addOption(key);
    p.addOption(interval);
    p.addOption(ticks);
    p.process(app);
    ArticleOptions o;
    if (p.isSet(key))
        o.key = p.value(key);
    if (p.isSet(interval))
        o.intervalMs = p.value(interval).toInt();
    if (p.isSet(ticks))
        o.ticks = p.value(ticks).toInt();
    return o;
}
