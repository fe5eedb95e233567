// image-example: Qt's Shared Memory Example (examples/corelib/ipc/sharedmemory, dialog.cpp)
// without its dialog: the same load and save logic, driven from the command line.
//
//   image-example [--key KEY | --nkey NATIVEKEY] load FILE
//       QImage::load(FILE), QDataStream << QImage into a QBuffer (the default stream version),
//       create(buffer size), lock, memcpy, unlock. Prints "loaded FILE: WxH, N bytes in KEY",
//       then keeps the segment until SIGINT, SIGTERM or SIGHUP (as the dialog does while it is
//       open), detaches and exits 0.
//   image-example [--key KEY | --nkey NATIVEKEY] save FILE
//       attach, lock, QBuffer::setData(constData(), size()), QDataStream >> QImage, unlock,
//       detach, QImage::save(FILE, "PNG"). Prints "saved FILE: WxH".
//
// The key is the example's "QSharedMemoryExample" unless --key says otherwise; it is the legacy
// QString key in every Qt version (QSharedMemory::legacyNativeKey in Qt 6.6+), so that every
// build meets qtshm.New(KEY). Qt 6.8's own example uses QNativeIpcKey("QSharedMemoryExample"),
// a POSIX key; --nkey (Qt 6.6+ only) takes any QNativeIpcKey string, e.g. that one's.
// Errors: the example's message where it has one, Qt's errorString(), on stderr; exit 1
// (bad usage: exit 2). Linux only (sigwait). docs/qdatastream-peer.md describes it too.
#include <QtCore/QBuffer>
#include <QtCore/QCoreApplication>
#include <QtCore/QDataStream>
#include <QtCore/QSharedMemory>
#include <QtCore/QStringList>
#include <QtGui/QImage>
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
#include <QtCore/QNativeIpcKey>
#endif

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <pthread.h>

namespace {

[[noreturn]] void usage(const char *msg)
{
    std::fprintf(stderr, "image-example: %s\nusage: image-example [--key KEY | --nkey NATIVEKEY] load|save FILE\n", msg);
    std::exit(2);
}

// Fatal is an error; main prints it and exits 1 after the QSharedMemory is destroyed, so that its
// destructor removes what this process created (std::exit would skip it and leave Qt's lock
// semaphore and its key file behind).
struct Fatal {
    QString msg;
};

[[noreturn]] void die(const QString &msg) { throw Fatal{msg}; }

int load(QSharedMemory &sharedMemory, const QString &keyName, const QString &fileName, const sigset_t &stopSignals)
{
    // The dialog first detaches from a segment it holds; a fresh process holds none.
    QImage image;
    if (!image.load(fileName))
        die(QString("%1: Selected file is not an image, please select another.").arg(fileName));

    // load into shared memory
    QBuffer buffer;
    buffer.open(QBuffer::ReadWrite);
    QDataStream out(&buffer);
    out << image;
    int size = int(buffer.size());

    // Qt 5.15's example gives up when create() fails; Qt 6.8's attaches to a segment that
    // exists already and copies min(its size, size) bytes. Here create() must succeed, so the
    // segment is always exactly the image's size.
    if (!sharedMemory.create(size))
        die(QString("Unable to create shared memory segment: %1").arg(sharedMemory.errorString()));
    if (!sharedMemory.lock())
        die(QString("Unable to lock the shared memory segment: %1").arg(sharedMemory.errorString()));
    char *to = static_cast<char *>(sharedMemory.data());
    const char *from = buffer.data().data();
    std::memcpy(to, from, size_t(qMin(int(sharedMemory.size()), size)));
    sharedMemory.unlock();

    std::printf("loaded %s: %dx%d, %d bytes in %s\n", qPrintable(fileName), image.width(), image.height(), size, qPrintable(keyName));
    std::fflush(stdout);

    // The dialog stays open, attached, until it is closed: here, until a signal.
    int sig = 0;
    while (sigwait(&stopSignals, &sig) != 0) {
    }
    if (!sharedMemory.detach())
        die(QString("Unable to detach from shared memory: %1").arg(sharedMemory.errorString()));
    return 0;
}

int save(QSharedMemory &sharedMemory, const QString &fileName)
{
    if (!sharedMemory.attach())
        die(QString("Unable to attach to shared memory segment. Load an image first. (%1)").arg(sharedMemory.errorString()));

    QBuffer buffer;
    QDataStream in(&buffer);
    QImage image;

    if (!sharedMemory.lock())
        die(QString("Unable to lock the shared memory segment: %1").arg(sharedMemory.errorString()));
    buffer.setData(static_cast<const char *>(sharedMemory.constData()), int(sharedMemory.size()));
    buffer.open(QBuffer::ReadOnly);
    in >> image;
    sharedMemory.unlock();

    sharedMemory.detach();
    // The dialog shows whatever it read (an empty label for a null image); a file cannot.
    if (in.status() != QDataStream::Ok || image.isNull())
        die(QString("The shared memory segment does not hold a QImage (QDataStream status %1)").arg(int(in.status())));
    if (!image.save(fileName, "PNG"))
        die(QString("%1: unable to save the image as PNG").arg(fileName));
    std::printf("saved %s: %dx%d\n", qPrintable(fileName), image.width(), image.height());
    std::fflush(stdout);
    return 0;
}

// run makes the example's QSharedMemory and runs the command. The object lives only here, so
// it is destroyed (detached, its lock removed if this process made it) before main prints a Fatal.
int run(QString key, const QString &nkey, const QString &command, const QString &fileName, const sigset_t &stopSignals)
{
    std::unique_ptr<QSharedMemory> sharedMemory;
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    if (!nkey.isEmpty()) {
        const QNativeIpcKey k = QNativeIpcKey::fromString(nkey);
        if (!k.isValid())
            usage("--nkey is not a valid QNativeIpcKey string");
        sharedMemory.reset(new QSharedMemory(k));
        key = nkey;
    } else {
        sharedMemory.reset(new QSharedMemory(QSharedMemory::legacyNativeKey(key)));
    }
#else
    if (!nkey.isEmpty())
        usage("--nkey needs Qt 6.6 or later");
    sharedMemory.reset(new QSharedMemory(key));
#endif
    return command == "load" ? load(*sharedMemory, key, fileName, stopSignals) : save(*sharedMemory, fileName);
}

} // namespace

int main(int argc, char *argv[])
{
    // load waits for these with sigwait: block them before anything can start a thread.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    QString key = "QSharedMemoryExample", nkey;
    while (!args.isEmpty() && args.first().startsWith("--")) {
        const QString opt = args.takeFirst();
        if (args.isEmpty())
            usage("an option needs a value");
        if (opt == "--key")
            key = args.takeFirst();
        else if (opt == "--nkey")
            nkey = args.takeFirst();
        else
            usage("unknown option");
    }
    if (args.size() != 2 || (args[0] != "load" && args[0] != "save") || args[1].isEmpty())
        usage("want load FILE or save FILE");

    try {
        return run(key, nkey, args[0], args[1], stopSignals);
    } catch (const Fatal &f) {
        std::fprintf(stderr, "image-example: %s\n", qPrintable(f.msg));
        return 1;
    }
}
