// Command reader is the article's Qt reader in Go, public qtshm API only: it attaches to
// QSharedMemory("MySharedMemoryKey") and every second reads the NUL-terminated message under
// the lock, splits it at '#', parses the timestamp and prints the delay, in the lines the Qt
// reader prints. Run the Qt article-writer (or examples/writer) next to it.
//
//	go run ./examples/reader [-key MySharedMemoryKey] [-interval 1s] [-ticks 0]
//
// SIGINT or SIGTERM stops it cleanly: Close detaches, and the last process to detach removes
// the segment.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// layout is Qt's "yyyy-MM-dd hh:mm:ss.zzz" in Go's notation.
const layout = "2006-01-02 15:04:05.000"

func main() {
	key := flag.String("key", "MySharedMemoryKey", "the key the Qt program passes to QSharedMemory")
	interval := flag.Duration("interval", time.Second, "time between reads")
	ticks := flag.Int("ticks", 0, "stop after this many reads (0: run until stopped)")
	flag.Parse()
	if *interval <= 0 || *ticks < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "reader: -interval must be positive, -ticks not negative, and no arguments")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *key, *interval, *ticks); err != nil {
		fmt.Fprintln(os.Stderr, "reader:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, key string, interval time.Duration, ticks int) error {
	shm := qtshm.New(key)
	defer shm.Close() // detach (the last process to detach removes the segment) and drop an owned lock
	if err := shm.Attach(qtshm.ReadOnly); err != nil {
		var qe *qtshm.Error
		if errors.As(err, &qe) {
			fmt.Printf("连接共享内存失败: %q\n", qe.Msg) // Qt's errorString()
		}
		return fmt.Errorf("%w (is the writer running?)", err)
	}
	fmt.Printf("已连接共享内存, key: %q 大小: %d\n", shm.Key(), shm.Size())

	tick := time.NewTicker(interval)
	defer tick.Stop()
	for n := 0; ticks == 0 || n < ticks; n++ {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		// Lock waits as long as another process holds the lock (as Qt's lock() does).
		if err := shm.Lock(); err != nil {
			return err
		}
		raw := shm.Data()
		if i := bytes.IndexByte(raw, 0); i >= 0 {
			raw = raw[:i]
		}
		msg, err := qtshm.FromLocal8Bit(raw) // a copy: it stays valid after Unlock
		if uerr := shm.Unlock(); err == nil {
			err = uerr
		}
		if err != nil {
			return err
		}
		printMessage(msg, time.Now())
	}
	return nil
}

// printMessage prints what the Qt reader prints for msg, received at now.
func printMessage(msg string, now time.Time) {
	parts := strings.Split(msg, "#")
	if len(parts) < 2 {
		fmt.Printf("消息格式错误(缺少#): %q\n", msg)
		return
	}
	fmt.Printf("收到消息: %q\n", parts[0])
	fmt.Printf("发送时间: %q\n", parts[1])
	fmt.Printf("当前时间: %q\n", now.Format(layout))
	sent, err := time.ParseInLocation(layout, parts[1], time.Local)
	if err != nil {
		fmt.Printf("时间格式错误: %q\n", parts[1])
		return
	}
	fmt.Printf("延迟: %d ms\n", now.Sub(sent).Milliseconds())
}
