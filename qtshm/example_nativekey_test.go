package qtshm_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/qtshm/qtshm-go/qtshm"
)

// A key handed over as a string by a Qt 6.6+ process (QNativeIpcKey::toString), here a System V
// key whose key file the two programs agreed on. The lock is a semaphore keyed from the same
// file, as in Qt 6.6.1+.
func ExampleNewFromNativeKey() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fromQt := "systemv:" + filepath.Join(dir, "app.key") // what the Qt side printed

	k, err := qtshm.ParseNativeIpcKey(fromQt)
	if err != nil {
		log.Fatal(err)
	}
	shm := qtshm.NewFromNativeKey(k)
	defer shm.Close()
	if err := shm.Create(256, qtshm.ReadWrite); err != nil {
		log.Fatal(err)
	}
	if err := shm.Lock(); err != nil {
		log.Fatal(err)
	}
	copy(shm.Data(), "hello\x00")
	shm.Unlock()
	fmt.Println(shm.NativeIpcKey().Type == qtshm.SystemV, shm.Size(), shm.NativeIpcKey().String() == fromQt)
	// Output: true 256 true
}

// The key of QSharedMemory("K") as a QNativeIpcKey: a Qt 6.6+ process that was handed this
// string meets New("K") — segment and lock.
func ExampleNewFromNativeKey_legacy() {
	k := qtshm.LegacyNativeIpcKey("K", qtshm.SystemV)
	a, b := qtshm.NewFromNativeKey(k), qtshm.New("K")
	defer a.Close()
	defer b.Close()
	fmt.Println(a.NativeKey() == b.NativeKey(), a.Key())
	// Output: true K
}
