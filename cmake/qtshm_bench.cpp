// qtshm-bench: the C++ Qt side of the benchmark harness (scripts/bench.sh, internal/cmd/bench).
// Each run does one loop with Qt's own QSharedMemory and prints one JSON line with the time per
// operation; internal/cmd/bench runs the same loops in Go, with the same command line.
//
//   qtshm-bench OP --key K [--n N] [--size S] [--interval MS] [--until SEQ]
//
// OP is one of
//   lock        N x (lock(); unlock()) on a segment of 64 bytes this process created
//   shimlock    the same through the C ABI of internal/native/qtshm_shim.h (what the native
//               Go backend calls): the cost of the shim itself, without Go
//   attach      N x (attach(); detach()) of a segment of 4096 bytes another object holds
//   create      N x (QSharedMemory(K); create(4096); destructor)
//   copy        N x (lock(); memcpy(data(), buf, S); unlock())
//   memcpy      N x memcpy(data(), buf, S), no lock: the reference for copies
//   incr        attaches to K (8 bytes or more, created by the driver), prints {"op":"ready"},
//               waits for a line on stdin, then N x (lock(); ++*(quint64 *)data(); unlock())
//   pollreader  the article's reader: every --interval ms reads K under the lock and prints
//               "seen=<unix ns> <text>" when the text changed, until the text "seq=<SEQ> …"
//
// The loops run N/10 times untimed first (warm-up). Output, one line:
//   {"op":"lock","ok":true,"n":N,"size":S,"nsPerOp":…,"wallNsPerOp":…,"cpuNsPerOp":…,"qt":"5.15.8"}
// Times are per operation: nsPerOp the median over about 100 timed batches of the loop (steady
// clock; batches the scheduler interrupted do not count), wallNsPerOp the mean over the whole
// loop, cpuNsPerOp the process's user+system CPU time (getrusage). incr adds "startNs"/"endNs" (unix ns, realtime clock) and "value".
// A failed Qt call prints {"op":…,"ok":false,"error":"…"} and exits with status 1; bad usage
// prints one line on stderr and exits with status 2.
#include "qtshm_shim.h"

#include <QtCore/QByteArray>
#include <QtCore/QSharedMemory>
#include <QtCore/QString>
#include <QtCore/qglobal.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
    std::string op;
    QString key;
    long n = 1000;
    long size = 64;
    long intervalMs = 1000;
    long until = 0;
};

[[noreturn]] void usage(const std::string &msg)
{
    std::fprintf(stderr, "qtshm-bench: %s\n", msg.c_str());
    std::exit(2);
}

long number(const char *name, const char *v, long min)
{
    char *end = nullptr;
    errno = 0;
    const long x = std::strtol(v, &end, 10);
    if (errno || end == v || *end || x < min)
        usage(std::string(name) + " wants an integer >= " + std::to_string(min) + ", not '" + v + "'");
    return x;
}

Options parse(int argc, char **argv)
{
    if (argc < 2)
        usage("want OP --key K [--n N] [--size S] [--interval MS] [--until SEQ]");
    Options o;
    o.op = argv[1];
    for (int i = 2; i < argc; i += 2) {
        const std::string f = argv[i];
        if (i + 1 >= argc)
            usage("missing value for " + f);
        const char *v = argv[i + 1];
        if (f == "--key")
            o.key = QString::fromUtf8(v);
        else if (f == "--n")
            o.n = number("--n", v, 1);
        else if (f == "--size")
            o.size = number("--size", v, 1);
        else if (f == "--interval")
            o.intervalMs = number("--interval", v, 1);
        else if (f == "--until")
            o.until = number("--until", v, 1);
        else
            usage("unknown option " + f);
    }
    if (o.key.isEmpty())
        usage("--key is required");
    return o;
}

double cpuNs()
{
    rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double(ru.ru_utime.tv_sec) + double(ru.ru_stime.tv_sec)) * 1e9 +
           (double(ru.ru_utime.tv_usec) + double(ru.ru_stime.tv_usec)) * 1e3;
}

long long unixNs()
{
    using namespace std::chrono;
    return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

[[noreturn]] void fail(const Options &o, const QString &why)
{
    std::string s = why.toStdString();
    std::string esc;
    for (char c : s) {
        if (c == '"' || c == '\\')
            esc += '\\';
        if (static_cast<unsigned char>(c) >= 0x20)
            esc += c;
    }
    std::printf("{\"op\":\"%s\",\"ok\":false,\"error\":\"%s\"}\n", o.op.c_str(), esc.c_str());
    std::exit(1);
}

// Timed runs f(i) for i in [0, n) after n/10 untimed warm-up calls and prints the result line.
// The loop is timed in about 100 batches: nsPerOp is the median batch's time per call (a batch
// the scheduler interrupted does not count), wallNsPerOp the whole loop's mean.
template <typename F>
void timed(const Options &o, long size, F f)
{
    for (long i = 0; i < o.n / 10; i++)
        f(i);
    const long batch = o.n >= 100 ? o.n / 100 : 1;
    std::vector<double> perOp;
    perOp.reserve(size_t(o.n / batch + 1));
    using clock = std::chrono::steady_clock;
    const double c0 = cpuNs();
    const auto t0 = clock::now();
    for (long i = 0; i < o.n;) {
        const long end = std::min(o.n, i + batch);
        const auto b0 = clock::now();
        for (long j = i; j < end; j++)
            f(j);
        perOp.push_back(double(std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - b0).count()) / double(end - i));
        i = end;
    }
    const auto t1 = clock::now();
    const double c1 = cpuNs();
    const double wall = double(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    std::sort(perOp.begin(), perOp.end());
    const size_t m = perOp.size() / 2;
    const double med = perOp.size() % 2 ? perOp[m] : (perOp[m - 1] + perOp[m]) / 2;
    std::printf("{\"op\":\"%s\",\"ok\":true,\"n\":%ld,\"size\":%ld,\"nsPerOp\":%.3f,\"wallNsPerOp\":%.3f,\"cpuNsPerOp\":%.3f,\"qt\":\"%s\"}\n",
                o.op.c_str(), o.n, size, med, wall / double(o.n), (c1 - c0) / double(o.n), qVersion());
}

// Keeps the compiler from dropping stores it cannot see used.
inline void clobber() { asm volatile("" ::: "memory"); }

void create(const Options &o, QSharedMemory &m, long size)
{
    if (!m.create(int(size)))
        fail(o, m.errorString());
}

} // namespace

int main(int argc, char **argv)
{
    const Options o = parse(argc, argv);
    if (o.op == "lock") {
        QSharedMemory m(o.key);
        create(o, m, 64);
        timed(o, 64, [&](long) {
            if (!m.lock() || !m.unlock())
                fail(o, m.errorString());
        });
    } else if (o.op == "shimlock") {
        const QByteArray k = o.key.toUtf8();
        qtshm_shm *h = qtshm_shm_new(k.constData(), size_t(k.size()));
        qtshm_status st = qtshm_shm_create(h, 64, 1);
        if (!st.ok)
            fail(o, QString::fromUtf8(st.msg));
        timed(o, 64, [&](long) {
            qtshm_status a = qtshm_shm_lock(h), b = qtshm_shm_unlock(h);
            if (!a.ok || !b.ok)
                fail(o, QStringLiteral("shim lock/unlock failed"));
        });
        qtshm_shm_delete(h);
    } else if (o.op == "attach") {
        QSharedMemory holder(o.key);
        create(o, holder, 4096);
        QSharedMemory m(o.key);
        timed(o, 4096, [&](long) {
            if (!m.attach() || !m.detach())
                fail(o, m.errorString());
        });
    } else if (o.op == "create") {
        timed(o, 4096, [&](long) {
            QSharedMemory m(o.key);
            create(o, m, 4096);
        });
    } else if (o.op == "copy" || o.op == "memcpy") {
        QSharedMemory m(o.key);
        create(o, m, o.size);
        std::vector<char> buf(size_t(o.size), 'x');
        std::memset(m.data(), 0, size_t(o.size)); // touch every page before timing
        if (o.op == "copy") {
            timed(o, o.size, [&](long i) {
                buf[0] = char(i);
                if (!m.lock())
                    fail(o, m.errorString());
                std::memcpy(m.data(), buf.data(), buf.size());
                if (!m.unlock())
                    fail(o, m.errorString());
            });
        } else {
            void *d = m.data();
            timed(o, o.size, [&](long i) {
                buf[0] = char(i);
                std::memcpy(d, buf.data(), buf.size());
                clobber();
            });
        }
    } else if (o.op == "incr") {
        QSharedMemory m(o.key);
        if (!m.attach())
            fail(o, m.errorString());
        if (m.size() < 8)
            fail(o, QStringLiteral("segment smaller than 8 bytes"));
        std::printf("{\"op\":\"ready\",\"ok\":true}\n");
        std::fflush(stdout);
        char line[64];
        if (!std::fgets(line, sizeof line, stdin))
            fail(o, QStringLiteral("standard input closed before the start line"));
        // No warm-up: every increment counts (the driver checks the total).
        const long long start = unixNs();
        const double c0 = cpuNs();
        const auto t0 = std::chrono::steady_clock::now();
        for (long i = 0; i < o.n; i++) {
            if (!m.lock())
                fail(o, m.errorString());
            quint64 v;
            std::memcpy(&v, m.data(), sizeof v);
            ++v;
            std::memcpy(m.data(), &v, sizeof v);
            if (!m.unlock())
                fail(o, m.errorString());
        }
        const auto t1 = std::chrono::steady_clock::now();
        const double c1 = cpuNs();
        const long long end = unixNs();
        const double wall = double(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        std::printf("{\"op\":\"incr\",\"ok\":true,\"n\":%ld,\"size\":0,\"nsPerOp\":%.3f,\"cpuNsPerOp\":%.3f,\"qt\":\"%s\",\"startNs\":%lld,\"endNs\":%lld}\n",
                    o.n, wall / double(o.n), (c1 - c0) / double(o.n), qVersion(), start, end);
    } else if (o.op == "pollreader") {
        QSharedMemory m(o.key);
        if (!m.attach(QSharedMemory::ReadOnly))
            fail(o, m.errorString());
        std::printf("ready gen=0\n");
        std::fflush(stdout);
        const QByteArray last = "seq=" + QByteArray::number(qlonglong(o.until)) + " ";
        QByteArray prev;
        for (;;) {
            m.lock();
            const QByteArray text(static_cast<const char *>(m.constData()), int(qstrnlen(static_cast<const char *>(m.constData()), uint(m.size()))));
            m.unlock();
            if (text != prev) {
                prev = text;
                std::printf("gen=0 seen=%lld %s\n", unixNs(), text.constData());
                std::fflush(stdout);
                if (text.startsWith(last))
                    break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(o.intervalMs));
        }
    } else {
        usage("unknown OP " + o.op);
    }
    return 0;
}
