// The article's reader: attaches to QSharedMemory("MySharedMemoryKey") and every second reads
// the message under the lock, splits it at '#', parses the timestamp and prints the delay.
// Unlike the article's code, a message without '#' prints an error line instead of crashing.
#include "article_common.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QDebug>
#include <QtCore/QSharedMemory>
#include <QtCore/QStringList>
#include <QtCore/QTimer>

int main(int argc, char *argv[])
{
    prepareCleanStop(); // not the article's: stop cleanly on signals and a closed stderr
    QCoreApplication app(argc, argv);
    const ArticleOptions opt = parseArticleOptions(app);

    QSharedMemory sharedMemory(opt.key);
    if (!sharedMemory.attach()) {
        qDebug() << "连接共享内存失败:" << sharedMemory.errorString();
        return 1;
    }
    qDebug() << "已连接共享内存, key:" << sharedMemory.key() << "大小:" << sharedMemory.size();

    const QString format = QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz");
    return runTicks(app, opt, [&]() {
        sharedMemory.lock();
        const char *from = static_cast<const char *>(sharedMemory.constData());
        const QString message = QString::fromLocal8Bit(from, int(qstrnlen(from, uint(sharedMemory.size()))));
        sharedMemory.unlock();

        const QStringList parts = message.split(QLatin1Char('#'));
        if (parts.size() < 2) {
            qDebug() << "消息格式错误(缺少#):" << message;
        } else {
            const QDateTime sent = QDateTime::fromString(parts.at(1), format);
            const QDateTime now = QDateTime::currentDateTime();
            qDebug() << "收到消息:" << parts.at(0);
            qDebug() << "发送时间:" << parts.at(1);
            qDebug() << "当前时间:" << now.toString(format);
            if (sent.isValid())
                qDebug() << "延迟:" << sent.msecsTo(now) << "ms";
            else
                qDebug() << "时间格式错误:" << parts.at(1);
        }
    });
}
