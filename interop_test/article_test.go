//go:build linux

package interop_test

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
)

var (
	reWritten  = regexp.MustCompile(`^写入消息: "程序1动态消息#(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})"$`)
	reReceived = regexp.MustCompile(`^收到消息: "程序1动态消息"$`)
	reSent     = regexp.MustCompile(`^发送时间: "(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})"$`)
	reDelay    = regexp.MustCompile(`^延迟: (-?\d+) ms$`)
)

// startProgram runs an article program, stderr (qDebug) merged into stdout.
func startProgram(t *testing.T, argv ...string) *testenv.Proc {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"-c", `exec "$0" "$@" 2>&1`}, argv...)...)
	cmd.Env = peerEnv()
	return testenv.Start(t, cmd)
}

func qtWriter(t *testing.T, q peerKind, key string) *testenv.Proc {
	return startProgram(t, q.dir+"/article-writer", "--key", key, "--interval", "150", "--ticks", "400", "--quit-on-eof")
}

func qtReader(t *testing.T, q peerKind, key string) *testenv.Proc {
	return startProgram(t, q.dir+"/article-reader", "--key", key, "--interval", "150", "--ticks", "3")
}

func goWriter(t *testing.T, g peerKind, key string) *testenv.Proc {
	return startProgram(t, g.bin, "writer", "-backend", g.backend, "-key", key, "-interval", "150ms", "-ticks", "400", "-quit-on-eof")
}

func goReader(t *testing.T, g peerKind, key string) *testenv.Proc {
	return startProgram(t, g.bin, "reader", "-backend", g.backend, "-key", key, "-interval", "150ms", "-ticks", "3")
}

// expectWriterStarted reads a writer's first two lines: the segment is created, the first
// message written. It returns the message line.
func expectWriterStarted(t *testing.T, writer *testenv.Proc) string {
	t.Helper()
	writer.Expect("共享内存已创建")
	return writer.Expect("写入消息")
}

// checkReader reads a reader's output: attached, then 3 messages of 4 lines each: the text, a
// sent time the writer really wrote, the current time, and a delay that parses and is not
// negative (but for a millisecond between Qt versions' clocks).
func checkReader(t *testing.T, reader, writer *testenv.Proc) {
	t.Helper()
	reader.Expect("已连接共享内存")
	for i := 0; i < 3; i++ {
		if line := reader.Expect("收到消息"); !reReceived.MatchString(line) {
			t.Fatalf("reader line %q does not match the article's", line)
		}
		sent := reSent.FindStringSubmatch(reader.Expect("发送时间"))
		reader.Expect("当前时间")
		delay := reDelay.FindStringSubmatch(reader.Expect("延迟"))
		if sent == nil || delay == nil {
			t.Fatalf("reader output does not match the article's lines:\n%s", reader.Output())
		}
		d, _ := strconv.Atoi(delay[1])
		// −1 ms happens: a Qt 6.8 writer's timestamp against a Qt 5.15 reader's clock (seen
		// once: sent .782, read at .781). Anything more negative is a wrong timestamp.
		if d < -1 || d > 60_000 {
			t.Fatalf("implausible delay %d ms:\n%s", d, reader.Output())
		}
		if !regexp.MustCompile(regexp.QuoteMeta(sent[1])).MatchString(writer.Output()) {
			// The writer prints after unlocking, so its line may come a moment later.
			time.Sleep(500 * time.Millisecond)
			if !regexp.MustCompile(regexp.QuoteMeta(sent[1])).MatchString(writer.Output()) {
				t.Fatalf("reader got %q, which the writer never wrote:\n%s", sent[1], writer.Output())
			}
		}
		t.Logf("message %d: sent %s, delay %s ms", i+1, sent[1], delay[1])
	}
	reader.MustSucceed()
	writer.MustSucceed() // closes its stdin: it quits cleanly and removes the segment
}

// TestArticle runs the seed article's programs against ours: every Qt writer with every Go
// reader, and every Go writer with every Qt reader.
func TestArticle(t *testing.T) {
	qts, gos := qtKinds(t), goKinds(t)
	for _, q := range qts {
		for _, g := range gos {
			t.Run(fmt.Sprintf("%s_writer→%s_reader", q.Name, g.Name), func(t *testing.T) {
				key := keyFor(t)
				w := qtWriter(t, q, key)
				expectWriterStarted(t, w)
				checkReader(t, goReader(t, g, key), w)
			})
			t.Run(fmt.Sprintf("%s_writer→%s_reader", g.Name, q.Name), func(t *testing.T) {
				key := keyFor(t)
				w := goWriter(t, g, key)
				expectWriterStarted(t, w)
				checkReader(t, qtReader(t, q, key), w)
			})
		}
	}
}

// TestArticleQtToQt runs the article's two programs against each other (the article itself).
func TestArticleQtToQt(t *testing.T) {
	qts := qtKinds(t)
	for i, w := range qts {
		r := qts[(i+1)%len(qts)]
		for _, pair := range [][2]peerKind{{w, w}, {w, r}} {
			t.Run(fmt.Sprintf("%s_writer→%s_reader", pair[0].Name, pair[1].Name), func(t *testing.T) {
				key := keyFor(t)
				wp := qtWriter(t, pair[0], key)
				if line := expectWriterStarted(t, wp); !reWritten.MatchString(line) {
					t.Fatalf("writer line %q does not match the article's", line)
				}
				checkReader(t, qtReader(t, pair[1], key), wp)
			})
		}
	}
}

// TestArticleReaderSurvivesMessageWithoutSeparator: the article's reader would crash on a
// message without '#'; ours (Qt and Go) print an error line.
func TestArticleReaderSurvivesMessageWithoutSeparator(t *testing.T) {
	qts, gos := qtKinds(t), goKinds(t)
	readers := []func(*testing.T, string) *testenv.Proc{
		func(t *testing.T, key string) *testenv.Proc { return qtReader(t, qts[0], key) },
		func(t *testing.T, key string) *testenv.Proc { return goReader(t, gos[0], key) },
	}
	for i, reader := range readers {
		t.Run([]string{qts[0].Name, gos[0].Name}[i], func(t *testing.T) {
			key := keyFor(t)
			w := gos[0].start(t, key, nil, "create", "1024", "rw", "writestr", "no separator here", "wait")
			expectOK(t, w, "create")
			expectOK(t, w, "writestr")
			r := reader(t, key)
			r.Expect("已连接共享内存")
			r.Expect("消息格式错误")
			r.MustSucceed()
			w.MustSucceed()
		})
	}
}
