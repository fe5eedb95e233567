// qtshm-peer: the Qt side of the peer protocol, over Qt's own QSharedMemory and QSystemSemaphore.
//
//   qtshm-peer [--backend X] [--flavor X] --key KEY|--nkey S OP [ARGS] OP [ARGS] ...
//
// The protocol (command line, operations, argument types, result lines, the peer's own errors,
// exit status, stopping, and where this peer differs from the Go one) is documented once, in the
// package doc of internal/cmd/peer (internal/cmd/peer/doc.go). The table of operations is
// internal/cmd/peer/ops.txt, #included below, so both peers have the same operations and
// arguments; an operation of the table without a handler here reports "unimplemented op", which
// the interop tests catch (interop_test/protocol_test.go).
#include <QtCore/QByteArray>
#include <QtCore/QElapsedTimer>
#include <QtCore/QSharedMemory>
#include <QtCore/QString>
#include <QtCore/QSystemSemaphore>
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
#include <QtCore/QNativeIpcKey>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>
#endif
#include <QtCore/qglobal.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <map>
#include <memory>
#include <string>
#ifdef _WIN32
#include <condition_variable>
#include <io.h>
#include <mutex>
#include <windows.h>
#else
#include <poll.h>
#include <pthread.h>
#endif
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

// The operations: the contents of ops.txt (a C++ raw string literal).
const char opsText[] =
#include "../internal/cmd/peer/ops.txt"
    ;

struct ArgSpec {
    std::string name, type;
};
struct OpSpec {
    std::string name;
    std::vector<ArgSpec> args;
    std::string str() const
    {
        std::string s = name;
        for (const ArgSpec &a : args)
            s += " " + a.name + ":" + a.type;
        return s;
    }
};

// The integer types and their range; the other types are mode, semmode, data and text.
const std::map<std::string, std::pair<long long, long long>> intTypes = {
    {"int", {-2147483648LL, 2147483647LL}}, {"count", {0, 2147483647LL}}, {"pos", {1, 2147483647LL}}};

bool knownType(const std::string &t)
{
    return intTypes.count(t) || t == "mode" || t == "semmode" || t == "data" || t == "text";
}

std::vector<std::string> words(const std::string &line)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
            ++i;
        size_t j = i;
        while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j])))
            ++j;
        if (j > i)
            out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

// parseOps parses the table as the Go peer does (ParseOps); it returns an error text or "".
std::string parseOps(const std::string &text, std::vector<OpSpec> *ops)
{
    size_t start = 0;
    int lineNo = 1; // the raw string starts after the wrapper's first line
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::vector<std::string> f = words(text.substr(start, end - start));
        start = end + 1;
        ++lineNo;
        if (f.empty() || f[0][0] == '#')
            continue;
        OpSpec op{f[0], {}};
        for (const OpSpec &o : *ops)
            if (o.name == op.name)
                return "ops table line " + std::to_string(lineNo - 1) + ": " + op.name + " listed twice";
        for (size_t i = 1; i < f.size(); ++i) {
            const size_t colon = f[i].find(':');
            if (colon == std::string::npos || colon == 0 || !knownType(f[i].substr(colon + 1)))
                return "ops table line " + std::to_string(lineNo - 1) + ": argument \"" + f[i] + "\" is not NAME:TYPE with a known type";
            op.args.push_back({f[i].substr(0, colon), f[i].substr(colon + 1)});
        }
        ops->push_back(op);
    }
    return std::string();
}

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

std::string jsonString(const std::string &s) { return jsonString(QString::fromUtf8(s.data(), int(s.size()))); }

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

// --- stopping --------------------------------------------------------------------------------
// SIGINT, SIGTERM and SIGHUP are blocked in every thread and taken by a watcher thread
// (sigwait), so no Qt call is ever interrupted by them. The watcher sets stopSignal and wakes
// the main thread through a pipe; the main thread stops at the next operation boundary (sleep,
// wait and stdin return early) and destroys its objects. SIGPIPE is ignored: a write to a
// closed stdout fails, and that is a stop request too.

std::atomic<int> stopSignal{0};
std::atomic<bool> outputClosed{false};

#ifdef _WIN32
// Windows (mingw-w64): no POSIX signals, no poll on pipes. A console control event (Ctrl+C,
// Ctrl+Break, close) is the stop request (stopSignal is SIGINT then); a reader thread moves
// stdin into inputBuf, and waitFor waits on a condition variable for input, a stop or a timeout.
// stdin and stdout are switched to binary mode (no CRLF translation).
std::mutex inputMu;
std::condition_variable inputCv;
std::string inputBuf;
bool inputEof = false, inputStarted = false;

BOOL WINAPI onConsoleEvent(DWORD event)
{
    {
        std::lock_guard<std::mutex> l(inputMu);
        stopSignal = SIGINT;
    }
    inputCv.notify_all();
    std::thread([event] {
        std::this_thread::sleep_for(std::chrono::seconds(5));
        std::fprintf(stderr, "qtshm-peer: did not stop within 5 s of console event %lu; exiting without cleaning up\n", event);
        ::_exit(1);
    }).detach();
    return TRUE;
}

void startStopWatcher()
{
    _setmode(0, _O_BINARY);
    _setmode(1, _O_BINARY);
    SetConsoleCtrlHandler(onConsoleEvent, TRUE);
}

bool stopped() { return stopSignal != 0 || outputClosed; }

int waitFor(int fd, long long timeoutMs)
{
    std::unique_lock<std::mutex> l(inputMu);
    if (fd >= 0 && !inputStarted) {
        inputStarted = true;
        std::thread([] {
            char chunk[4096];
            for (;;) {
                const int n = ::_read(0, chunk, sizeof chunk);
                std::lock_guard<std::mutex> g(inputMu);
                if (n <= 0)
                    inputEof = true;
                else
                    inputBuf.append(chunk, size_t(n));
                inputCv.notify_all();
                if (n <= 0)
                    return;
            }
        }).detach();
    }
    const auto ready = [fd] { return stopped() || (fd >= 0 && (!inputBuf.empty() || inputEof)); };
    if (timeoutMs < 0)
        inputCv.wait(l, ready);
    else
        inputCv.wait_for(l, std::chrono::milliseconds(timeoutMs), ready);
    if (stopped())
        return -1;
    return fd >= 0 && (!inputBuf.empty() || inputEof) ? 1 : 0;
}

// readInput takes what the reader thread has read (0 at the end of stdin).
long readInput(char *buf, size_t size)
{
    std::lock_guard<std::mutex> l(inputMu);
    const size_t n = inputBuf.size() < size ? inputBuf.size() : size;
    inputBuf.copy(buf, n);
    inputBuf.erase(0, n);
    return long(n);
}
#else
int stopPipe[2] = {-1, -1};

void startStopWatcher()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    if (::pipe2(stopPipe, O_CLOEXEC) != 0) {
        std::perror("qtshm-peer: pipe2");
        std::exit(1);
    }
    std::thread([set] {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            return;
        stopSignal = sig;
        const char c = 1;
        if (::write(stopPipe[1], &c, 1) < 0) {
        }
        std::this_thread::sleep_for(std::chrono::seconds(5));
        std::fprintf(stderr, "qtshm-peer: did not stop within 5 s of signal %d; exiting without cleaning up\n", sig);
        ::_exit(1);
    }).detach();
}

bool stopped() { return stopSignal != 0 || outputClosed; }

// waitFor waits until fd (if >= 0) is readable (1), timeoutMs passed (0; -1: no timeout) or a
// stop is requested (-1).
int waitFor(int fd, long long timeoutMs)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs < 0 ? 0 : timeoutMs);
    for (;;) {
        if (stopped())
            return -1;
        int wait = -1;
        if (timeoutMs >= 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
            if (left <= 0)
                return 0;
            wait = int(left > 1000000 ? 1000000 : left);
        }
        pollfd fds[2] = {{stopPipe[0], POLLIN, 0}, {fd, POLLIN, 0}};
        const int n = ::poll(fds, fd >= 0 ? 2 : 1, wait);
        if (n < 0 && errno != EINTR)
            return -1;
        if (fds[0].revents)
            return -1;
        if (fd >= 0 && fds[1].revents)
            return 1;
    }
}

long readInput(char *buf, size_t size) { return long(::read(0, buf, size)); }
#endif

// LineReader reads stdin line by line without blocking a stop request.
struct LineReader {
    std::string buf;
    bool eof = false;
    // next returns false at the end of stdin or when a stop is requested.
    bool next(std::string *line)
    {
        for (;;) {
            const size_t nl = buf.find('\n');
            if (nl != std::string::npos) {
                *line = buf.substr(0, nl);
                buf.erase(0, nl + 1);
                return true;
            }
            if (eof) {
                if (buf.empty())
                    return false;
                *line = buf;
                buf.clear();
                return true;
            }
            if (waitFor(0, -1) < 0)
                return false;
            char chunk[4096];
            const long n = readInput(chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                eof = true;
            else
                buf.append(chunk, size_t(n));
        }
    }
};

// --- the peer --------------------------------------------------------------------------------

struct Args {
    std::vector<std::string> raw;
    std::vector<long long> ints;
    int integer(size_t i) const { return int(ints[i]); }
    QSharedMemory::AccessMode mode(size_t i) const { return raw[i] == "ro" ? QSharedMemory::ReadOnly : QSharedMemory::ReadWrite; }
    QByteArray bytes(size_t i) const
    {
        const std::string &s = raw[i];
        if (s.rfind("str:", 0) == 0)
            return QByteArray::fromStdString(s.substr(4));
        return QByteArray::fromHex(QByteArray::fromStdString(s.substr(4)));
    }
};

bool parseInt(const std::string &s, long long *v)
{
    const size_t digits = (!s.empty() && s[0] == '-') ? 1 : 0;
    if (s.size() == digits)
        return false;
    for (size_t i = digits; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9')
            return false;
    errno = 0;
    *v = std::strtoll(s.c_str(), nullptr, 10);
    return errno == 0;
}

bool validData(const std::string &s)
{
    if (s.rfind("str:", 0) == 0)
        return true;
    if (s.rfind("hex:", 0) != 0 || (s.size() - 4) % 2 != 0)
        return false;
    for (size_t i = 4; i < s.size(); ++i)
        if (!std::isxdigit(static_cast<unsigned char>(s[i])))
            return false;
    return true;
}

// checkArgs checks each argument against its type, as the Go peer's checkArgs does; it
// returns the "bad argument" text or "".
std::string checkArgs(const OpSpec &op, const std::vector<std::string> &raw, Args *a)
{
    a->raw = raw;
    a->ints.assign(raw.size(), 0);
    for (size_t i = 0; i < op.args.size(); ++i) {
        const std::string &s = raw[i], &t = op.args[i].type;
        const std::string bad = "bad argument " + op.args[i].name + "=\"" + s + "\": want ";
        if (t == "mode") {
            if (s != "ro" && s != "rw")
                return bad + "ro or rw";
        } else if (t == "semmode") {
            if (s != "open" && s != "create")
                return bad + "open or create";
        } else if (t == "data") {
            if (!validData(s))
                return bad + "hex:HEX (an even number of hex digits) or str:TEXT";
        } else if (t != "text") {
            const auto r = intTypes.at(t);
            long long v = 0;
            if (!parseInt(s, &v) || v < r.first || v > r.second)
                return bad + "an integer in " + std::to_string(r.first) + ".." + std::to_string(r.second);
            a->ints[i] = v;
        }
    }
    return std::string();
}

#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
// nativeKeyFields are the result fields of the nativekey-* operations for k: valid, type,
// native, legacy (the legacy key it records, which only QSharedMemory::key() reveals, and only
// for a supported type; otherwise read back from the query of toString(), as fromString reads
// it) and string (toString()).
std::string nativeKeyFields(const QNativeIpcKey &k)
{
    QString legacy;
    if (QSharedMemory::isKeyTypeSupported(k.type())) {
        legacy = QSharedMemory(k).key();
    } else {
        const QUrl u(k.toString(), QUrl::TolerantMode);
        for (const auto &item : QUrlQuery(u).queryItems())
            if (item.first == QLatin1String("legacyKey"))
                legacy = QUrl::fromPercentEncoding(item.second.toUtf8());
    }
    return "\"valid\":" + std::string(k.isValid() ? "true" : "false") + ",\"type\":" + std::to_string(int(k.type()))
        + ",\"native\":" + jsonString(k.nativeKey()) + ",\"legacy\":" + jsonString(legacy)
        + ",\"string\":" + jsonString(k.toString());
}
#endif

struct Peer;
using Handler = std::function<void(Peer &, const std::string &, const Args &)>;
extern const std::map<std::string, Handler> handlers;

struct Peer {
    QString key;         // --key
    bool native = false; // --nkey was given: the object is QSharedMemory(QNativeIpcKey::fromString(nkey))
    QString nkey;        // --nkey
    std::vector<OpSpec> table;
    std::unique_ptr<QSharedMemory> shm;
    std::unique_ptr<QSystemSemaphore> sem;
    LineReader lines;
    int status = 0;

    const OpSpec *find(const std::string &name) const
    {
        for (const OpSpec &o : table)
            if (o.name == name)
                return &o;
        return nullptr;
    }

    static void writeOut(const std::string &line)
    {
        size_t done = 0;
        while (done < line.size() && !outputClosed) {
            const ssize_t n = ::write(1, line.data() + done, line.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                outputClosed = true; // EPIPE (SIGPIPE is ignored) or another failure: stop
            else
                done += size_t(n);
        }
    }

    void report(const std::string &op, bool ok, const std::string &fields = std::string(),
                int error = 0, const QString &errorString = QString())
    {
        std::string line = "{\"op\":" + jsonString(op) + ",\"ok\":" + (ok ? "true" : "false");
        if (!fields.empty())
            line += "," + fields;
        if (!ok) {
            status = 1;
            line += ",\"error\":" + std::to_string(error) + ",\"errorString\":" + jsonString(errorString);
        }
        writeOut(line + "}\n");
    }
    // shmResult reports a QSharedMemory call's outcome with its error() and errorString().
    void shmResult(const std::string &op, bool ok, const std::string &fields = std::string())
    {
        report(op, ok, fields, int(shm->error()), shm->errorString());
    }
    void fail(const std::string &op, int code, const char *why, const std::string &fields = std::string())
    {
        report(op, false, fields, code, QString::fromUtf8(why));
    }

    // check returns what is wrong with a list of operations ("" if nothing), as the Go peer's check.
    std::string check(const std::vector<std::string> &list) const
    {
        size_t i = 0;
        while (i < list.size()) {
            const OpSpec *op = find(list[i]);
            if (!op)
                return "unknown operation \"" + list[i] + "\"";
            if (i + 1 + op->args.size() > list.size())
                return "operation \"" + op->name + "\" needs " + std::to_string(op->args.size()) + " argument(s) ("
                    + op->str() + "), got " + std::to_string(list.size() - i - 1);
            i += 1 + op->args.size();
        }
        return std::string();
    }

    int runOps(const std::vector<std::string> &list);

    // newShm makes a new object for the peer's key: QSharedMemory(key) for --key, and for
    // --nkey QSharedMemory(QNativeIpcKey::fromString(nkey)), an invalid key included (Qt then
    // reports the error on create and attach). Before Qt 6.6 a --nkey peer gets an unused
    // object: every operation answers "unsupported" (run).
    QSharedMemory *newShm() const
    {
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
        if (native)
            return new QSharedMemory(QNativeIpcKey::fromString(nkey));
#endif
        return new QSharedMemory(native ? QString() : key);
    }

    void run(const OpSpec &op, const std::vector<std::string> &raw)
    {
        Args a;
        const std::string bad = checkArgs(op, raw, &a);
        if (!bad.empty())
            return report(op.name, false, std::string(), QSharedMemory::UnknownError, QString::fromStdString(bad));
#if QT_VERSION < QT_VERSION_CHECK(6, 6, 0)
        if (native) // QNativeIpcKey is new in Qt 6.6
            return fail(op.name, QSharedMemory::UnknownError, "unsupported");
#endif
        const auto h = handlers.find(op.name);
        if (h == handlers.end())
            return fail(op.name, QSharedMemory::UnknownError, "unimplemented op");
        h->second(*this, op.name, a);
    }

    // inc does n times: lock m, add 1 to the uint64 at offset 0, unlock; *value is the last value
    // written. It reports nothing; on failure it returns false with *why set for a peer error
    // (else m's error() tells).
    static bool inc(QSharedMemory &m, long n, quint64 *value, const char **why)
    {
        *why = nullptr;
        if (!m.isAttached()) {
            *why = "not attached";
            return false;
        }
        if (m.size() < 8) {
            *why = "segment smaller than 8 bytes";
            return false;
        }
        for (long i = 0; i < n; ++i) {
            if (!m.lock())
                return false;
            quint64 v;
            std::memcpy(&v, m.constData(), 8); // little-endian host
            ++v;
            std::memcpy(m.data(), &v, 8);
            *value = v;
            if (!m.unlock())
                return false;
        }
        return true;
    }
    void incFailed(const std::string &op, QSharedMemory &m, const char *why, const std::string &fields)
    {
        if (why)
            fail(op, std::strcmp(why, "not attached") == 0 ? QSharedMemory::NotFound : QSharedMemory::InvalidSize, why, fields);
        else
            report(op, false, fields, int(m.error()), m.errorString());
    }

    // coaLoop runs n iterations of: a fresh QSharedMemory for the key, create(size) or, on
    // AlreadyExists, attach(), step (if set), delete. It stops at the first failure and reports.
    void coaLoop(const std::string &op, long n, int size, bool withInc)
    {
        long count = 0, created = 0;
        quint64 value = 0;
        const auto fields = [&] {
            std::string f = "\"count\":" + std::to_string(count) + ",\"created\":" + std::to_string(created);
            return withInc ? f + ",\"value\":" + std::to_string(value) : f;
        };
        while (count < n && !stopped()) {
            const std::unique_ptr<QSharedMemory> fresh(newShm());
            QSharedMemory &m = *fresh;
            bool c = m.create(size, QSharedMemory::ReadWrite);
            if (!c && (m.error() != QSharedMemory::AlreadyExists || !m.attach(QSharedMemory::ReadWrite)))
                return report(op, false, fields(), int(m.error()), m.errorString());
            const char *why = nullptr;
            if (withInc && !inc(m, 1, &value, &why))
                return incFailed(op, m, why, fields());
            ++count;
            if (c)
                ++created;
        }
        report(op, true, fields());
    }
};

int Peer::runOps(const std::vector<std::string> &list)
{
    size_t i = 0;
    while (i < list.size() && !stopped()) {
        const OpSpec &op = *find(list[i]);
        const std::vector<std::string> a(list.begin() + long(i) + 1, list.begin() + long(i + 1 + op.args.size()));
        i += 1 + op.args.size();
        if (op.name != "stdin") {
            run(op, a);
            continue;
        }
        std::string line;
        while (lines.next(&line)) {
            const std::vector<std::string> f = words(line);
            if (f.empty())
                continue;
            const std::string msg = check(f);
            if (!msg.empty()) {
                writeOut("{\"op\":\"usage\",\"ok\":false,\"errorString\":" + jsonString(msg) + "}\n");
                std::fprintf(stderr, "qtshm-peer: %s\n", msg.c_str());
                return 2;
            }
            if (runOps(f) == 2)
                return 2;
        }
    }
    return 0;
}

const std::map<std::string, Handler> handlers = {
    {"keys", [](Peer &p, const std::string &op, const Args &) {
         std::string f = "\"key\":" + jsonString(p.shm->key()) + ",\"nativeKey\":" + jsonString(p.shm->nativeKey());
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
         f += ",\"nativeIpcKey\":" + jsonString(p.shm->nativeIpcKey().toString());
#endif
         p.report(op, true, f + ",\"qtVersion\":" + jsonString(QString::fromLatin1(qVersion())));
     }},
    {"create", [](Peer &p, const std::string &op, const Args &a) { p.shmResult(op, p.shm->create(a.integer(0), a.mode(1))); }},
    {"attach", [](Peer &p, const std::string &op, const Args &a) { p.shmResult(op, p.shm->attach(a.mode(0))); }},
    {"detach", [](Peer &p, const std::string &op, const Args &) { p.shmResult(op, p.shm->detach()); }},
    {"lock", [](Peer &p, const std::string &op, const Args &) { p.shmResult(op, p.shm->lock()); }},
    {"unlock", [](Peer &p, const std::string &op, const Args &) { p.shmResult(op, p.shm->unlock()); }},
    {"lockfor", [](Peer &p, const std::string &op, const Args &a) {
         if (!p.shm->lock())
             return p.shmResult(op, false);
         waitFor(-1, a.ints[0]); // holding the lock; a stop request ends the sleep early
         p.shmResult(op, p.shm->unlock());
     }},
    // QSharedMemory::lock has no timeout.
    {"lockwithin", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
    {"size", [](Peer &p, const std::string &op, const Args &) { p.report(op, true, "\"size\":" + std::to_string(qint64(p.shm->size()))); }},
    {"write", [](Peer &p, const std::string &op, const Args &a) {
         const long long off = a.ints[0];
         const QByteArray bytes = a.bytes(1);
         if (!p.shm->isAttached())
             return p.fail(op, QSharedMemory::NotFound, "not attached");
         if (off + bytes.size() > p.shm->size())
             return p.fail(op, QSharedMemory::InvalidSize, "write past the end of the segment");
         // After attach(ReadOnly) this faults (SIGSEGV), as it would in any Qt program.
         std::memcpy(static_cast<char *>(p.shm->data()) + off, bytes.constData(), size_t(bytes.size()));
         p.report(op, true);
     }},
    {"writestr", [](Peer &p, const std::string &op, const Args &a) {
         QByteArray bytes = QByteArray::fromStdString(a.raw[0]);
         bytes.append('\0');
         if (!p.shm->isAttached())
             return p.fail(op, QSharedMemory::NotFound, "not attached");
         if (bytes.size() > p.shm->size())
             return p.fail(op, QSharedMemory::InvalidSize, "write past the end of the segment");
         std::memcpy(p.shm->data(), bytes.constData(), size_t(bytes.size()));
         p.report(op, true);
     }},
    {"read", [](Peer &p, const std::string &op, const Args &a) {
         const long long off = a.ints[0], n = a.ints[1];
         if (!p.shm->isAttached())
             return p.fail(op, QSharedMemory::NotFound, "not attached");
         if (off + n > p.shm->size())
             return p.fail(op, QSharedMemory::InvalidSize, "read past the end of the segment");
         const QByteArray b(static_cast<const char *>(p.shm->constData()) + off, int(n));
         p.report(op, true, "\"hex\":" + jsonString(QString::fromLatin1(b.toHex())));
     }},
    {"readstr", [](Peer &p, const std::string &op, const Args &) {
         if (!p.shm->isAttached())
             return p.fail(op, QSharedMemory::NotFound, "not attached");
         const char *d = static_cast<const char *>(p.shm->constData());
         p.report(op, true, "\"str\":" + jsonString(QString::fromUtf8(d, int(qstrnlen(d, uint(p.shm->size()))))));
     }},
    {"inc", [](Peer &p, const std::string &op, const Args &a) {
         quint64 v = 0;
         const char *why = nullptr;
         const bool ok = Peer::inc(*p.shm, a.integer(0), &v, &why);
         const std::string f = "\"value\":" + std::to_string(v);
         if (ok)
             p.report(op, true, f);
         else
             p.incFailed(op, *p.shm, why, f);
     }},
    {"bench", [](Peer &p, const std::string &op, const Args &a) {
         const long n = a.integer(0);
         QElapsedTimer timer;
         timer.start();
         bool ok = true;
         for (long i = 0; i < n && ok; ++i)
             ok = p.shm->lock() && p.shm->unlock();
         p.shmResult(op, ok, "\"nsPerOp\":" + std::to_string(double(timer.nsecsElapsed()) / double(n)));
     }},
    {"sleep", [](Peer &p, const std::string &op, const Args &a) {
         waitFor(-1, a.ints[0]);
         p.report(op, true);
     }},
    {"wait", [](Peer &p, const std::string &op, const Args &) {
         std::string line;
         p.lines.next(&line);
         p.report(op, true);
     }},
    {"crash", [](Peer &p, const std::string &op, const Args &) {
         p.report(op, true);
#ifdef _WIN32
         TerminateProcess(GetCurrentProcess(), 137); // no signals: exit as a shell reports SIGKILL
#else
         ::kill(::getpid(), SIGKILL);
#endif
     }},
    {"close", [](Peer &p, const std::string &op, const Args &) {
         p.shm.reset(); // the destructor: detach, and remove the segment if this was the last
         p.shm.reset(p.newShm());
         p.report(op, true);
     }},
    {"sem-open", [](Peer &p, const std::string &op, const Args &a) {
         p.sem.reset(); // destroy the previous one first, as the Go peer closes it first
         p.sem.reset(new QSystemSemaphore(QString::fromStdString(a.raw[0]), a.integer(1),
                                          a.raw[2] == "create" ? QSystemSemaphore::Create : QSystemSemaphore::Open));
         if (p.sem->error() != QSystemSemaphore::NoError) {
             p.report(op, false, std::string(), semToShm(p.sem->error()), p.sem->errorString());
             p.sem.reset();
             return;
         }
         p.report(op, true);
     }},
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    {"sem-open-native", [](Peer &p, const std::string &op, const Args &a) {
         p.sem.reset();
         p.sem.reset(new QSystemSemaphore(QNativeIpcKey::fromString(QString::fromUtf8(a.bytes(0))), a.integer(1),
                                          a.raw[2] == "create" ? QSystemSemaphore::Create : QSystemSemaphore::Open));
         if (p.sem->error() != QSystemSemaphore::NoError) {
             p.report(op, false, std::string(), semToShm(p.sem->error()), p.sem->errorString());
             p.sem.reset();
             return;
         }
         p.report(op, true);
     }},
#else
    {"sem-open-native", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
#endif
    {"sem-acquire", [](Peer &p, const std::string &op, const Args &) {
         if (!p.sem)
             return p.fail(op, QSharedMemory::UnknownError, "no semaphore (sem-open first)");
         const bool ok = p.sem->acquire();
         p.report(op, ok, std::string(), semToShm(p.sem->error()), p.sem->errorString());
     }},
    {"sem-release", [](Peer &p, const std::string &op, const Args &a) {
         if (!p.sem)
             return p.fail(op, QSharedMemory::UnknownError, "no semaphore (sem-open first)");
         const bool ok = p.sem->release(a.integer(0));
         p.report(op, ok, std::string(), semToShm(p.sem->error()), p.sem->errorString());
     }},
    {"sem-close", [](Peer &p, const std::string &op, const Args &) {
         if (!p.sem)
             return p.fail(op, QSharedMemory::UnknownError, "no semaphore (sem-open first)");
         p.sem.reset();
         p.report(op, true);
     }},
    {"ops", [](Peer &p, const std::string &op, const Args &) {
         std::string list;
         for (const OpSpec &o : p.table)
             list += (list.empty() ? "" : ",") + jsonString(o.str());
         p.report(op, true, "\"ops\":[" + list + "]");
     }},
    {"coa", [](Peer &p, const std::string &op, const Args &a) { p.coaLoop(op, a.integer(0), a.integer(1), false); }},
    {"coainc", [](Peer &p, const std::string &op, const Args &a) { p.coaLoop(op, a.integer(0), a.integer(1), true); }},
    // RemoveStale is qtshm-go's; Qt has nothing like it.
    {"stale", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
    // QSharedMemory is not thread-safe: sharing one object between threads is not something a
    // Qt program may do.
    {"threads", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    {"nativekey-parse", [](Peer &p, const std::string &op, const Args &a) {
         p.report(op, true, nativeKeyFields(QNativeIpcKey::fromString(QString::fromUtf8(a.bytes(0)))));
     }},
    {"nativekey-safe", [](Peer &p, const std::string &op, const Args &a) {
         p.report(op, true, nativeKeyFields(QSharedMemory::platformSafeKey(QString::fromUtf8(a.bytes(0)), QNativeIpcKey::Type(quint16(a.integer(1))))));
     }},
    {"nativekey-sem-safe", [](Peer &p, const std::string &op, const Args &a) {
         p.report(op, true, nativeKeyFields(QSystemSemaphore::platformSafeKey(QString::fromUtf8(a.bytes(0)), QNativeIpcKey::Type(quint16(a.integer(1))))));
     }},
    {"nativekey-legacy", [](Peer &p, const std::string &op, const Args &a) {
         p.report(op, true, nativeKeyFields(QSharedMemory::legacyNativeKey(QString::fromUtf8(a.bytes(0)), QNativeIpcKey::Type(quint16(a.integer(1))))));
     }},
    {"nativekey-sem-legacy", [](Peer &p, const std::string &op, const Args &a) {
         p.report(op, true, nativeKeyFields(QSystemSemaphore::legacyNativeKey(QString::fromUtf8(a.bytes(0)), QNativeIpcKey::Type(quint16(a.integer(1))))));
     }},
#else
    // QNativeIpcKey is new in Qt 6.6.
    {"nativekey-parse", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
    {"nativekey-safe", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
    {"nativekey-sem-safe", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
    {"nativekey-legacy", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
    {"nativekey-sem-legacy", [](Peer &p, const std::string &op, const Args &) { p.fail(op, QSharedMemory::UnknownError, "unsupported"); }},
#endif
};

int usage(const std::string &msg)
{
    Peer::writeOut("{\"op\":\"usage\",\"ok\":false,\"errorString\":" + jsonString(msg) + "}\n");
    std::fprintf(stderr, "qtshm-peer: %s\n", msg.c_str());
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    startStopWatcher();
    Peer p;
    const std::string bad = parseOps(opsText, &p.table);
    if (!bad.empty())
        return usage(bad);
    std::vector<std::string> args(argv + 1, argv + argc);
    size_t i = 0;
    bool haveKey = false;
    while (i < args.size() && args[i].rfind("--", 0) == 0) {
        if (i + 1 >= args.size())
            return usage("missing value for " + args[i]);
        if (args[i] == "--key") {
            p.key = QString::fromStdString(args[i + 1]);
            haveKey = true;
        } else if (args[i] == "--nkey") {
            p.nkey = QString::fromStdString(args[i + 1]);
            p.native = true;
        } else if (args[i] != "--flavor" && args[i] != "--backend") { // accepted for symmetry with the Go peer
            return usage("unknown flag " + args[i]);
        }
        i += 2;
    }
    if (haveKey && p.native)
        return usage("--key and --nkey exclude each other");
    if (!haveKey && !p.native)
        return usage("missing --key KEY or --nkey S");
    const std::vector<std::string> ops(args.begin() + long(i), args.end());
    if (ops.empty())
        return usage("no operations");
    const std::string msg = p.check(ops);
    if (!msg.empty())
        return usage(msg);
    p.shm.reset(p.newShm());
    const int rc = p.runOps(ops);
    p.shm.reset();
    p.sem.reset();
    return rc != 0 ? rc : p.status;
}
