// Command image is Qt's Shared Memory Example (examples/corelib/ipc/sharedmemory) in Go,
// without the dialog. "load" puts an image into shared memory as the example's "Load Image
// From File..." button does: serialised with QDataStream << QImage, in a segment of exactly
// that size, copied under the lock. "save" takes it out as "Display Image From Shared Memory"
// does: attach, lock, QDataStream >> QImage, unlock, detach; then it writes a PNG. Either side
// can be the Qt example (or cmake/'s headless image-example), the other this program.
//
//	go run ./examples/image [-key QSharedMemoryExample] load FILE   # png, jpeg or gif
//	go run ./examples/image [-key QSharedMemoryExample] save FILE   # writes FILE as PNG
//	go run ./examples/image -native posix:QSharedMemoryExample load|save FILE
//
// -key is the QString key of Qt 5.15's example (and of cmake/'s image-example). Qt 6.8's
// example uses the native key QNativeIpcKey(u"QSharedMemoryExample"), which on Linux is POSIX:
// -native takes such a key in its QNativeIpcKey::toString form.
//
// load prints one line and keeps the segment, as the dialog does while it is open, until
// SIGINT or SIGTERM; then Close detaches, which removes a System V segment (the last process
// to detach removes it). Qt never removes a POSIX segment; load removes its own when nobody
// uses it any more, and one left behind by an earlier run before creating.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/gif" // image.Decode reads what the Qt example's file dialog offers
	_ "image/jpeg"
	"image/png"
	"os"
	"os/signal"
	"syscall"

	"github.com/qtshm/qtshm-go/qdatastream"
	"github.com/qtshm/qtshm-go/qtshm"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: image [-key KEY] load FILE | save FILE")
		flag.PrintDefaults()
	}
	key := flag.String("key", "QSharedMemoryExample", "the QString key of Qt's example")
	native := flag.String("native", "", "a Qt 6.6+ native key instead (posix:NAME, systemv:PATH)")
	flag.Parse()
	if flag.NArg() != 2 || flag.Arg(0) != "load" && flag.Arg(0) != "save" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	run := load
	if flag.Arg(0) == "save" {
		run = save
	}
	if err := run(ctx, *key, *native, flag.Arg(1)); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

// open returns the object of the QString key, or of the native key string if there is one, and
// the key to print.
func open(key, native string) (*qtshm.SharedMemory, string, *qtshm.NativeIpcKey, error) {
	if native == "" {
		return qtshm.New(key), key, nil, nil
	}
	k, err := qtshm.ParseNativeIpcKey(native)
	if err != nil {
		return nil, "", nil, fmt.Errorf("-native %q: %w", native, err)
	}
	return qtshm.NewFromNativeKey(k), native, &k, nil
}

// load is the example's loadFromFile: the image file into a new segment.
func load(ctx context.Context, key, native, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	w := qdatastream.NewWriter(qdatastream.Qt_5_15) // QImage's layout is the same for every version ≥ 5
	if err := w.WriteImage(img); err != nil {       // out << image, into a buffer
		return err
	}
	b := w.Bytes()

	shm, key, nk, err := open(key, native)
	if err != nil {
		return err
	}
	if nk != nil {
		qtshm.RemoveStaleNative(*nk)       // what an earlier run (or Qt) left, if nobody uses it
		defer qtshm.RemoveStaleNative(*nk) // after Close: ours, unless someone still uses it
	}
	defer shm.Close()
	if err := shm.Create(len(b), qtshm.ReadWrite); err != nil {
		return fmt.Errorf("unable to create shared memory segment: %w", err)
	}
	if err := shm.Lock(); err != nil {
		return err
	}
	copy(shm.Data(), b)
	if err := shm.Unlock(); err != nil {
		return err
	}
	size := img.Bounds().Size()
	fmt.Printf("loaded %s: %dx%d, %d bytes in %s\n", file, size.X, size.Y, len(b), key)
	<-ctx.Done() // the dialog stays open
	return nil
}

// save is the example's loadFromMemory, with the image written to a PNG file.
func save(_ context.Context, key, native, file string) error {
	shm, _, _, err := open(key, native)
	if err != nil {
		return err
	}
	defer shm.Close()
	if err := shm.Attach(qtshm.ReadOnly); err != nil {
		return fmt.Errorf("unable to attach to shared memory segment (load an image first): %w", err)
	}
	if err := shm.Lock(); err != nil {
		return err
	}
	// Like Qt's QBuffer over constData() and size(): the segment may be larger than the stream.
	img, err := qdatastream.NewReader(shm.Data(), qdatastream.Qt_5_15).ReadImage() // in >> image
	if uerr := shm.Unlock(); err == nil {
		err = uerr
	}
	if err != nil {
		return err
	}
	if err := shm.Detach(); err != nil {
		return err
	}
	if img == nil {
		return errors.New("the segment holds a null QImage")
	}

	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	size := img.Bounds().Size()
	fmt.Printf("saved %s: %dx%d\n", file, size.X, size.Y)
	return nil
}
