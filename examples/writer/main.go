// Command writer is the article's Qt writer in Go, public qtshm API only: it creates
// QSharedMemory("MySharedMemoryKey") of 1024 bytes and every second, under the lock, stores
// the NUL-terminated message "程序1动态消息#<yyyy-MM-dd hh:mm:ss.zzz>" in Qt's local 8-bit
// encoding. It prints the lines the Qt writer prints. Run the Qt article-reader (or
// examples/reader) next to it.
//
//	go run ./examples/writer [-key MySharedMemoryKey] [-interval 1s] [-ticks 0] [-quit-on-eof]
//
// SIGINT or SIGTERM (and, with -quit-on-eof, the end of standard input) stops it cleanly:
// Close detaches, and the last process to detach removes the segment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

func main() {
	key := flag.String("key", "MySharedMemoryKey", "the key the Qt program passes to QSharedMemory")
	interval := flag.Duration("interval", time.Second, "time between messages")
	ticks := flag.Int("ticks", 0, "stop after this many messages (0: run until stopped)")
	quitOnEOF := flag.Bool("quit-on-eof", false, "also stop when standard input closes")
	flag.Parse()
	if *interval <= 0 || *ticks < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "writer: -interval must be positive, -ticks not negative, and no arguments")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *quitOnEOF {
		go func() { io.Copy(io.Discard, os.Stdin); stop() }()
	}
	if err := run(ctx, *key, *interval, *ticks); err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, key string, interval time.Duration, ticks int) error {
	shm := qtshm.New(key)
	defer shm.Close() // detach (the last process to detach removes the segment) and drop an owned lock
	if err := shm.Create(1024, qtshm.ReadWrite); err != nil {
		var qe *qtshm.Error
		if errors.As(err, &qe) {
			fmt.Printf("创建共享内存失败: %q\n", qe.Msg) // Qt's errorString()
		}
		return err
	}
	fmt.Printf("共享内存已创建, key: %q nativeKey: %q\n", shm.Key(), shm.NativeKey())

	tick := time.NewTicker(interval)
	defer tick.Stop()
	for n := 0; ticks == 0 || n < ticks; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		// The article's message, "yyyy-MM-dd hh:mm:ss.zzz" in Go's notation, as Qt's
		// toLocal8Bit() encodes it.
		msg := "程序1动态消息#" + time.Now().Format("2006-01-02 15:04:05.000")
		b, err := qtshm.ToLocal8Bit(msg)
		if err != nil {
			return err
		}
		// Lock waits as long as another process holds the lock (as Qt's lock() does); a stop
		// request is seen at the next tick.
		if err := shm.Lock(); err != nil {
			return err
		}
		data := shm.Data()
		data[copy(data[:len(data)-1], b)] = 0
		if err := shm.Unlock(); err != nil {
			return err
		}
		fmt.Printf("写入消息: %q\n", msg)
	}
	return nil
}
