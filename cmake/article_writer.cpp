// The article's writer ("程序1"): creates QSharedMemory("MySharedMemoryKey") of 1024 bytes and
// every second writes the NUL-terminated local 8-bit string "程序1动态消息#<yyyy-MM-dd
// hh:mm:ss.zzz>" under the lock. Around the article's code: option checks and a clean stop (article_common.h).
#include "article_common.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QDebug>
#include <QtCore/QSharedMemory>
#include <QtCore/QTimer>

#include <cstring>

int main(int argc, char *argv[])
{
    prepareCleanStop(); // not the article's: stop cleanly on signals and a closed stderr
    QCoreApplication app(argc, argv);
    const ArticleOptions opt = parseArticleOptions(app);

    QSharedMemory sharedMemory(opt.key);
    if (!sharedMemory.create(1024)) {
        qDebug() << "创建共享内存失败:" << sharedMemory.errorString();
        return 1;
    }
    qDebug() << "共享内存已创建, key:" << sharedMemory.key() << "nativeKey:" << sharedMemory.nativeKey();

    return runTicks(app, opt, [&]() {
        const QString message = QStringLiteral("程序1动态消息#")
            + QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"));
        const QByteArray bytes = message.toLocal8Bit();
        sharedMemory.lock();
        char *to = static_cast<char *>(sharedMemory.data());
        const int n = qMin(int(sharedMemory.size()) - 1, int(bytes.size()));
        std::memcpy(to, bytes.constData(), size_t(n));
        to[n] = '\0';
        sharedMemory.unlock();
        qDebug() << "写入消息:" << message;
    });
}
