// Command reader is the smallest useful Go counterpart of the article's Qt reader, using only the
// public qtshm API: attach to QSharedMemory("MySharedMemoryKey"), and every second read the
// NUL-terminated message under the lock and print it. Run the Qt article-writer (or
// `go run ./cmd/qtshm writer`) next to it.
//
//	go run ./examples/reader [-key MySharedMemoryKey]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

func main() {
	key := flag.String("key", "MySharedMemoryKey", "the key the Qt program passes to QSharedMemory")
	flag.Parse()
	if err := run(*key); err != nil {
		log.Fatal(err)
	}
}

func run(key string) error {
	shm := qtshm.New(key)
	defer shm.Close() // detach (the last process to detach removes the segment) and drop an owned lock
	if err := shm.Attach(qtshm.ReadOnly); err != nil {
		return fmt.Errorf("attach: %w (is the writer running?)", err)
	}
	fmt.Printf("attached to %s, %d bytes\n", shm.NativeKey(), shm.Size())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
		if err := shm.Lock(); err != nil {
			return err
		}
		msg := shm.Data()
		if i := bytes.IndexByte(msg, 0); i >= 0 {
			msg = msg[:i]
		}
		text := string(msg) // copy out before unlocking
		if err := shm.Unlock(); err != nil {
			return err
		}
		fmt.Println(text)
	}
}
