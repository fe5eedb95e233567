// qtshm-peer: the Qt side of the peer protocol (see internal/peer/peer.go for the operations).
// It runs a list of operations on one QSharedMemory (and optionally one QSystemSemaphore) and
// prints one JSON line per operation:
//   {"op":"attach","ok":false,"error":5,"errorString":"QSharedMemory::handle:: UNIX key file doesn't exist"}
// Exit status: 0 when every operation succeeded, 1 otherwise, 2 on a usage error.
//
//   qtshm-peer --key KEY OP [ARGS] OP [ARGS] ...
#include <QtCore/QByteArray>
#include <QtCore/QElapsedTimer>
#include <QtCore/QSharedMemory>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QSystemSemaphore>
#include <QtCore/QThread>
#include <QtCore/qglobal.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::string jsonString(const QString &s)
{
    const QByteArray u = s.toUtf8();
    std::string out = "\"";
    for (char ch : u) {
        const unsigned char c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    return out + "\"";
}

// QSystemSemaphore::SystemSemaphoreError → QSharedMemory::SharedMemoryError (as initKey maps it).
int semToShm(QSystemSemaphore::SystemSemaphoreError e)
{
    switch (e) {
    case QSystemSemaphore::NoError: return QSharedMemory::NoError;
    case QSystemSemaphore::PermissionDenied: return QSharedMemory::PermissionDenied;
    case QSystemSemaphore::KeyError: return QSharedMemory::KeyError;
    case QSystemSemaphore::AlreadyExists: return QSharedMemory::AlreadyExists;
    case QSystemSemaphore::NotFound: return QSharedMemory::NotFound;
    case QSystemSemaphore::OutOfResources: return QSharedMemory::OutOfResources;
    default: return QSharedMemory::UnknownError;
    }
}

struct Peer {
    QString key;
    std::unique_ptr<QSharedMemory> shm;
    std::unique_ptr<QSystemSemaphore> sem;
    int status = 0;

    void report(const std::string &op, bool ok, const std::string &fields = std::string(),
              int error = 0, const QString &errorString = QString())
    {
        std::string line = "{\"op\":" + jsonString(QString::fromStdString(op)) + ",\"ok\":" + (ok ? "true" : "false");
        if (!fields.empty())
            line += "," + fields;
        if (!ok) {
            status = 1;
            line += ",\"error\":" + std::to_string(error) + ",\"errorString\":" + jsonString(errorString);
        }
        line += "}\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
    }
    void shmResult(const std::string &op, bool ok, const std::string &fields = std::string())
    {
        report(op, ok, fields, int(shm->error()), shm->errorString());
    }
    void fail(const std::string &op, const QString &why) { report(op, false, std::string(), QSharedMemory::UnknownError, why); }

    static QSharedMemory::AccessMode mode(const std::string &s)
    {
        return s == "ro" ? QSharedMemory::ReadOnly : QSharedMemory::ReadWrite;
    }

    static bool decode(const std::string &s, QByteArray *out)
    {
        if (s.rfind("hex:", 0) == 0) {
            *out = QByteArray::fromHex(QByteArray::fromStdString(s.substr(4)));
            return true;
        }
        if (s.rfind("str:", 0) == 0) {
            *out = QByteArray::fromStdString(s.substr(4));
            return true;
        }
        return false;
    }

    bool inc(long n, quint64 *value)
    {
        for (long i = 0; i < n; ++i) {
            if (!shm->lock())
                return false;
            if (shm->size() < 8) {
                shm->unlock();
                return false;
            }
            quint64 v;
            std::memcpy(&v, shm->constData(), 8); // little-endian host
            ++v;
            std::memcpy(shm->data(), &v, 8);
            *value = v;
            if (!shm->unlock())
                return false;
        }
        return true;
    }

    void run(const std::string &op, const std::vector<std::string> &a);
};

const std::map<std::string, int> arity = {
    {"keys", 0}, {"create", 2}, {"attach", 1}, {"detach", 0}, {"lock", 0}, {"unlock", 0}, {"size", 0},
    {"write", 2}, {"writestr", 1}, {"read", 2}, {"readstr", 0}, {"inc", 1}, {"sleep", 1}, {"wait", 0},
    {"crash", 0}, {"close", 0}, {"sem-open", 3}, {"sem-acquire", 0}, {"sem-release", 1}, {"sem-close", 0},
    {"stdin", 0}, {"bench", 1},
};

void Peer::run(const std::string &op, const std::vector<std::string> &a)
{
    if (op == "keys") {
        report(op, true, "\"key\":" + jsonString(shm->key()) + ",\"nativeKey\":" + jsonString(shm->nativeKey())
                 + ",\"qtVersion\":" + jsonString(QString::fromLatin1(qVersion())));
    } else if (op == "create") {
        shmResult(op, shm->create(std::stoll(a[0]), mode(a[1])));
    } else if (op == "attach") {
        shmResult(op, shm->attach(mode(a[0])));
    } else if (op == "detach") {
        shmResult(op, shm->detach());
    } else if (op == "lock") {
        shmResult(op, shm->lock());
    } else if (op == "unlock") {
        shmResult(op, shm->unlock());
    } else if (op == "size") {
        report(op, true, "\"size\":" + std::to_string(qint64(shm->size())));
    } else if (op == "write" || op == "writestr") {
        QByteArray bytes;
        long long off = 0;
        if (op == "writestr") {
            bytes = QByteArray::fromStdString(a[0]);
            bytes.append('\0');
        } else {
            off = std::stoll(a[0]);
            if (!decode(a[1], &bytes))
                return fail(op, QStringLiteral("data must be hex:... or str:..."));
        }
        if (!shm->isAttached())
            return fail(op, QStringLiteral("not attached"));
        if (off < 0 || off + bytes.size() > shm->size())
            return fail(op, QStringLiteral("write past the end of the segment"));
        std::memcpy(static_cast<char *>(shm->data()) + off, bytes.constData(), size_t(bytes.size()));
        report(op, true);
    } else if (op == "read") {
        const long long off = std::stoll(a[0]), n = std::stoll(a[1]);
        if (!shm->isAttached())
            return fail(op, QStringLiteral("not attached"));
        if (off < 0 || n < 0 || off + n > shm->size())
            return fail(op, QStringLiteral("read past the end of the segment"));
        const QByteArray b(static_cast<const char *>(shm->constData()) + off, int(n));
        report(op, true, "\"hex\":" + jsonString(QString::fromLatin1(b.toHex())));
    } else if (op == "readstr") {
        if (!shm->isAttached())
            return fail(op, QStringLiteral("not attached"));
        const char *p = static_cast<const char *>(shm->constData());
        report(op, true, "\"str\":" + jsonString(QString::fromUtf8(p, int(qstrnlen(p, uint(shm->size()))))));
    } else if (op == "inc") {
        quint64 v = 0;
        const bool ok = inc(std::stol(a[0]), &v);
        shmResult(op, ok, "\"value\":" + std::to_string(v));
    } else if (op == "bench") {
        const long n = std::stol(a[0]);
        QElapsedTimer timer;
        timer.start();
        bool ok = n > 0;
        for (long i = 0; i < n && ok; ++i)
            ok = shm->lock() && shm->unlock();
        const double ns = double(timer.nsecsElapsed()) / double(n > 0 ? n : 1);
        shmResult(op, ok, "\"nsPerOp\":" + std::to_string(ns));
    } else if (op == "sleep") {
        QThread::msleep(std::stoul(a[0]));
        report(op, true);
    } else if (op == "wait") {
        std::string line;
        std::getline(std::cin, line);
        report(op, true);
    } else if (op == "crash") {
        report(op, true);
        ::kill(::getpid(), SIGKILL);
    } else if (op == "close") {
        shm.reset(new QSharedMemory(key));
        report(op, true);
    } else if (op == "sem-open") {
        sem.reset(new QSystemSemaphore(QString::fromStdString(a[0]), std::stoi(a[1]),
                                       a[2] == "create" ? QSystemSemaphore::Create : QSystemSemaphore::Open));
        report(op, sem->error() == QSystemSemaphore::NoError, std::string(), semToShm(sem->error()), sem->errorString());
    } else if (op == "sem-acquire" || op == "sem-release") {
        if (!sem)
            return fail(op, QStringLiteral("no semaphore (sem-open first)"));
        const bool ok = op == "sem-acquire" ? sem->acquire() : sem->release(std::stoi(a[0]));
        report(op, ok, std::string(), semToShm(sem->error()), sem->errorString());
    } else if (op == "sem-close") {
        sem.reset();
        report(op, true);
    }
}

int usage(const std::string &msg)
{
    std::printf("{\"op\":\"usage\",\"ok\":false,\"errorString\":%s}\n", jsonString(QString::fromStdString(msg)).c_str());
    return 2;
}

int runOps(Peer &p, std::vector<std::string> args)
{
    size_t i = 0;
    while (i < args.size()) {
        const std::string op = args[i];
        const auto it = arity.find(op);
        if (it == arity.end() || i + 1 + size_t(it->second) > args.size())
            return usage("bad operation \"" + op + "\" (or too few arguments)");
        if (op == "stdin") {
            std::string line;
            while (std::getline(std::cin, line)) {
                std::vector<std::string> f;
                for (const QString &w : QString::fromStdString(line).split(QLatin1Char(' '), Qt::SkipEmptyParts))
                    f.push_back(w.toStdString());
                if (!f.empty() && runOps(p, f) == 2)
                    return 2;
            }
            ++i;
            continue;
        }
        std::vector<std::string> a(args.begin() + long(i) + 1, args.begin() + long(i) + 1 + it->second);
        try {
            p.run(op, a);
        } catch (const std::exception &e) {
            return usage(op + ": bad argument (" + e.what() + ")");
        }
        i += 1 + size_t(it->second);
    }
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    Peer p;
    std::vector<std::string> args(argv + 1, argv + argc);
    size_t i = 0;
    while (i < args.size() && args[i].rfind("--", 0) == 0) {
        if (i + 1 >= args.size())
            return usage("missing value for " + args[i]);
        if (args[i] == "--key")
            p.key = QString::fromStdString(args[i + 1]);
        else if (args[i] != "--flavor" && args[i] != "--backend") // accepted for symmetry with the Go peer
            return usage("unknown flag " + args[i]);
        i += 2;
    }
    p.shm.reset(new QSharedMemory(p.key));
    const int rc = runOps(p, std::vector<std::string>(args.begin() + long(i), args.end()));
    p.shm.reset();
    p.sem.reset();
    return rc != 0 ? rc : p.status;
}
