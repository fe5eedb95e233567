// Package article is the Go side of the seed article's demo: a writer that puts
// "程序1动态消息#<yyyy-MM-dd hh:mm:ss.zzz>" (NUL-terminated) into QSharedMemory("MySharedMemoryKey")
// every second under the lock, and a reader that reads it under the lock, splits it at '#',
// parses the timestamp and prints the delay — interoperating with cmake/article_writer.cpp and
// cmake/article_reader.cpp in both directions. Output lines match the Qt programs'.
package article

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/qtshm/qtshm-go/internal/local8bit"
	"github.com/qtshm/qtshm-go/qtshm"
)

// The article's constants.
const (
	DefaultKey      = "MySharedMemoryKey"
	DefaultSize     = 1024
	DefaultInterval = time.Second
	Prefix          = "程序1动态消息"
	// TimeLayout is Qt's "yyyy-MM-dd hh:mm:ss.zzz" in Go's notation.
	TimeLayout = "2006-01-02 15:04:05.000"
)

// Options are the flags both programs share; the zero value means the article's defaults.
type Options struct {
	Key      string
	Interval time.Duration
	Ticks    int // 0: run until ctx is done
	Backend  string
}

func (o Options) withDefaults() Options {
	if o.Key == "" {
		o.Key = DefaultKey
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	return o
}

// Message formats the article's message for time t. Qt writes its toLocal8Bit(), which is UTF-8
// on Linux (Qt 6 always, Qt 5 under a UTF-8 locale) and the ANSI code page on Windows (GBK
// under code page 936): see Encode.
func Message(t time.Time) string { return Prefix + "#" + t.Format(TimeLayout) }

// Encode is the message's bytes in the segment: QString::toLocal8Bit (internal/local8bit).
func Encode(msg string) ([]byte, error) { return local8bit.ToLocal8Bit(msg) }

// Decode is the message of the bytes in the segment: QString::fromLocal8Bit.
func Decode(b []byte) (string, error) { return local8bit.FromLocal8Bit(b) }

// Parsed is a message split at '#'.
type Parsed struct {
	Text string
	Sent time.Time
}

// ErrNoSeparator is returned by Parse for a message without '#'.
var ErrNoSeparator = errors.New("message has no '#'")

// Parse splits a message at the first '#' and parses the local timestamp after it.
func Parse(msg string) (Parsed, error) {
	text, ts, ok := strings.Cut(msg, "#")
	if !ok {
		return Parsed{Text: msg}, ErrNoSeparator
	}
	// Like QStringList::split + at(1): only the part up to a second '#' is the timestamp.
	ts, _, _ = strings.Cut(ts, "#")
	sent, err := time.ParseInLocation(TimeLayout, ts, time.Local)
	if err != nil {
		return Parsed{Text: text}, fmt.Errorf("bad timestamp %q: %w", ts, err)
	}
	return Parsed{Text: text, Sent: sent}, nil
}

// CString returns the bytes of b up to its first NUL (all of b if there is none).
func CString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// RunWriter creates the segment and writes a message every interval, printing each as the Qt
// writer does, until ctx is done or Ticks messages were written. A failed write to out (a
// closed pipe: errors.Is(err, syscall.EPIPE)) stops it too, and is returned; either way the
// segment is closed (and removed, if this was the last attachment) before it returns.
func RunWriter(ctx context.Context, o Options, out io.Writer) error {
	o = o.withDefaults()
	shm := qtshm.New(o.Key, backendOption(o.Backend))
	defer shm.Close()
	wctx := waitCtx(ctx, o)
	if err := shm.CreateContext(wctx, DefaultSize, qtshm.ReadWrite); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting for the lock
		}
		fmt.Fprintf(out, "创建共享内存失败: %q\n", errText(err))
		return err
	}
	if _, err := fmt.Fprintf(out, "共享内存已创建, key: %q nativeKey: %q\n", shm.Key(), shm.NativeKey()); err != nil {
		return outputError(err)
	}
	return everyTick(ctx, o, func() error {
		msg := Message(time.Now())
		b, err := Encode(msg)
		if err != nil {
			return err
		}
		if err := shm.LockContext(wctx); err != nil {
			return err
		}
		d := shm.Data()
		k := copy(d[:len(d)-1], b)
		d[k] = 0
		if err := shm.Unlock(); err != nil {
			return err
		}
		if _, err := fmt.Fprintf(out, "写入消息: %q\n", msg); err != nil {
			return outputError(err)
		}
		return nil
	})
}

// outputError is the error of a failed write to the output.
func outputError(err error) error { return fmt.Errorf("writing the output: %w", err) }

// everyTick calls f every o.Interval, o.Ticks times (forever when 0), until ctx is done.
func everyTick(ctx context.Context, o Options, f func() error) error {
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	for n := 0; o.Ticks == 0 || n < o.Ticks; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := f(); err != nil {
			if ctx.Err() != nil {
				return nil // stopped while waiting for the lock
			}
			return err
		}
	}
	return nil
}

// RunReader attaches to the segment and every interval reads, parses and prints the message and
// its delay as the Qt reader does, until ctx is done or Ticks messages were read. Like
// RunWriter it stops, detaching, when a write to out fails.
func RunReader(ctx context.Context, o Options, out io.Writer) error {
	o = o.withDefaults()
	shm := qtshm.New(o.Key, backendOption(o.Backend))
	defer shm.Close()
	wctx := waitCtx(ctx, o)
	if err := shm.AttachContext(wctx, qtshm.ReadOnly); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting for the lock
		}
		fmt.Fprintf(out, "连接共享内存失败: %q\n", errText(err))
		return err
	}
	if _, err := fmt.Fprintf(out, "已连接共享内存, key: %q 大小: %d\n", shm.Key(), shm.Size()); err != nil {
		return outputError(err)
	}
	return everyTick(ctx, o, func() error {
		if err := shm.LockContext(wctx); err != nil {
			return err
		}
		raw := bytes.Clone(CString(shm.Data()))
		if err := shm.Unlock(); err != nil {
			return err
		}
		msg, err := Decode(raw)
		if err != nil {
			return err
		}
		if err := printReceived(out, msg, time.Now()); err != nil {
			return outputError(err)
		}
		return nil
	})
}

// printReceived prints what the Qt reader prints for msg received at now.
func printReceived(out io.Writer, msg string, now time.Time) error {
	var b strings.Builder
	p, err := Parse(msg)
	switch {
	case errors.Is(err, ErrNoSeparator):
		fmt.Fprintf(&b, "消息格式错误(缺少#): %q\n", msg)
	case err != nil:
		fmt.Fprintf(&b, "收到消息: %q\n", p.Text)
		fmt.Fprintf(&b, "时间格式错误: %q\n", strings.SplitN(msg, "#", 2)[1])
	default:
		fmt.Fprintf(&b, "收到消息: %q\n", p.Text)
		fmt.Fprintf(&b, "发送时间: %q\n", p.Sent.Format(TimeLayout))
		fmt.Fprintf(&b, "当前时间: %q\n", now.Format(TimeLayout))
		fmt.Fprintf(&b, "延迟: %d ms\n", now.Sub(p.Sent).Milliseconds())
	}
	_, err = io.WriteString(out, b.String())
	return err
}

func errText(err error) string {
	var e *qtshm.Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return err.Error()
}

// waitCtx is the context that bounds the waits for the lock: ctx, so that a stop request ends
// them — except with the native backend, which cannot bound a wait.
func waitCtx(ctx context.Context, o Options) context.Context {
	b := o.Backend
	if b == "" {
		b = qtshm.Backends()[0] // the default
	}
	if b == qtshm.BackendNative {
		return context.Background()
	}
	return ctx
}

// backendOption selects the named backend; "" leaves the default.
func backendOption(name string) qtshm.Option {
	if name == "" {
		return nil
	}
	return qtshm.WithBackend(name)
}
