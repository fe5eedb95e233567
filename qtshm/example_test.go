package qtshm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// A Go writer: the same segment and lock as QSharedMemory("ExampleKey") in a Qt process.
func ExampleNew() {
	shm := qtshm.New("ExampleKey")
	defer shm.Close() // detaches; the last process to detach removes the segment

	if err := shm.Create(1024, qtshm.ReadWrite); err != nil {
		log.Fatal(err)
	}
	if err := shm.Lock(); err != nil {
		log.Fatal(err)
	}
	n := copy(shm.Data(), "hello, Qt\x00")
	if err := shm.Unlock(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(shm.Size(), n, shm.Key())
	// Output: 1024 10 ExampleKey
}

// A Go reader attaching to a segment a Qt process (or another Go process) created.
func ExampleSharedMemory_Attach() {
	writer := qtshm.New("ExampleAttachKey")
	defer writer.Close()
	if err := writer.Create(64, qtshm.ReadWrite); err != nil {
		log.Fatal(err)
	}
	copy(writer.Data(), "ping")

	reader := qtshm.New("ExampleAttachKey")
	defer reader.Close()
	if err := reader.Attach(qtshm.ReadOnly); err != nil {
		log.Fatal(err)
	}
	reader.Lock()
	msg := string(reader.Data()[:4])
	reader.Unlock()
	fmt.Println(msg)

	missing := qtshm.New("NoSuchKey")
	defer missing.Close() // even a failed Attach may have created the lock semaphore
	err := missing.Attach(qtshm.ReadOnly)
	fmt.Println(errors.Is(err, qtshm.ErrNotFound))
	// Output:
	// ping
	// true
}

// The usual "create, or attach if it exists" start-up of a Qt application.
func ExampleSharedMemory_Create() {
	shm := qtshm.New("ExampleCreateOrAttach")
	defer shm.Close()
	err := shm.Create(4096, qtshm.ReadWrite)
	if errors.Is(err, qtshm.ErrAlreadyExists) {
		err = shm.Attach(qtshm.ReadWrite)
	}
	fmt.Println(err, shm.IsAttached())
	// Output: <nil> true
}

// A counting semaphore shared with QSystemSemaphore("ExampleSem", 2, QSystemSemaphore::Create).
func ExampleNewSystemSemaphore() {
	sem, err := qtshm.NewSystemSemaphore("ExampleSem", 2, qtshm.Create)
	if err != nil {
		log.Fatal(err)
	}
	defer sem.Close() // the owner removes the semaphore
	sem.Acquire()
	sem.Acquire()
	fmt.Println(sem.Release(2))
	// Output: <nil>
}

// A lock wait bounded by a deadline; goroutines share one object like a sync.Mutex.
func ExampleSharedMemory_LockContext() {
	shm := qtshm.New("ExampleLockContext")
	defer shm.Close()
	if err := shm.Create(8, qtshm.ReadWrite); err != nil {
		log.Fatal(err)
	}
	shm.Lock()
	// Another goroutine (or process) waits at most 50 ms for the lock.
	done := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		done <- shm.LockContext(ctx)
	}()
	err := <-done
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, qtshm.ErrLockError))
	shm.Unlock()
	// Output: true true
}

// After a crash: remove the segment nobody is attached to any more, so create works again.
func ExampleRemoveStale() {
	removed, err := qtshm.RemoveStale("ExampleStale")
	fmt.Println(removed, err)
	// Output: false <nil>
}
