//go:build linux

package interop_test

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

// The programs of examples/, built once (pure backend, no cgo) into the work directory.
var (
	examplesOnce sync.Once
	examplesBin  map[string]string
	examplesErr  error
)

// exampleBin returns the binary of examples/name. A build failure fails the test: the examples
// are this module's code, not a prerequisite.
func exampleBin(t *testing.T, name string) string {
	t.Helper()
	examplesOnce.Do(func() {
		examplesBin = map[string]string{}
		for _, n := range []string{"writer", "reader", "image"} {
			bin := filepath.Join(testenv.WorkDir(), "example-"+n)
			cmd := exec.CommandContext(testenv.Context(t, 10*time.Minute), "go", "build", "-o", bin, "../examples/"+n)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				examplesErr = errors.Join(examplesErr, fmt.Errorf("go build ./examples/%s: %v\n%s", n, err, out))
				continue
			}
			examplesBin[n] = bin
		}
	})
	if examplesErr != nil {
		t.Fatal(examplesErr)
	}
	return examplesBin[name]
}

func exampleWriter(t *testing.T, key string) *testenv.Proc {
	return startProgram(t, exampleBin(t, "writer"), "-key", key, "-interval", "150ms", "-ticks", "400", "-quit-on-eof")
}

func exampleReader(t *testing.T, key string) *testenv.Proc {
	return startProgram(t, exampleBin(t, "reader"), "-key", key, "-interval", "150ms", "-ticks", "3")
}

// expectNoSegment checks that the segment of key is gone: its last user removed it on exit.
func expectNoSegment(t *testing.T, key string) {
	t.Helper()
	expectGone(t, qtshm.New(key), key)
}

// expectGone checks that shm's segment does not exist, and closes shm.
func expectGone(t *testing.T, shm *qtshm.SharedMemory, key string) {
	t.Helper()
	defer shm.Close() // a failed Attach may still have made the lock semaphore
	if err := shm.Attach(qtshm.ReadOnly); !errors.Is(err, qtshm.ErrNotFound) {
		t.Fatalf("after the last program exited, attaching to %q gave %v, want NotFound", key, err)
	}
}

// TestExamplesArticle: examples/writer and examples/reader against the article's Qt programs,
// both directions, every Qt version; and against each other.
func TestExamplesArticle(t *testing.T) {
	t.Run("examples/writer→examples/reader", func(t *testing.T) {
		key := keyFor(t)
		w := exampleWriter(t, key)
		if line := expectWriterStarted(t, w); !reWritten.MatchString(line) {
			t.Fatalf("writer line %q does not match the article's", line)
		}
		checkReader(t, exampleReader(t, key), w)
		expectNoSegment(t, key)
	})
	for _, q := range qtKinds(t) {
		t.Run(fmt.Sprintf("examples/writer→%s_reader", q.Name), func(t *testing.T) {
			key := keyFor(t)
			w := exampleWriter(t, key)
			if line := expectWriterStarted(t, w); !reWritten.MatchString(line) {
				t.Fatalf("writer line %q does not match the article's", line)
			}
			checkReader(t, qtReader(t, q, key), w)
			expectNoSegment(t, key)
		})
		t.Run(fmt.Sprintf("%s_writer→examples/reader", q.Name), func(t *testing.T) {
			key := keyFor(t)
			w := qtWriter(t, q, key)
			expectWriterStarted(t, w)
			checkReader(t, exampleReader(t, key), w)
			expectNoSegment(t, key)
		})
	}
}

// TestExamplesStopOnSignal: SIGINT and SIGTERM end examples/writer and examples/reader with
// status 0 after Close, so that the segment is removed.
func TestExamplesStopOnSignal(t *testing.T) {
	for name, sig := range map[string]syscall.Signal{"SIGINT": syscall.SIGINT, "SIGTERM": syscall.SIGTERM} {
		t.Run(name, func(t *testing.T) {
			key := keyFor(t)
			w := exampleWriter(t, key)
			expectWriterStarted(t, w)
			r := startProgram(t, exampleBin(t, "reader"), "-key", key, "-interval", "150ms")
			r.Expect("已连接共享内存")
			r.Expect("收到消息")
			r.Cmd.Process.Signal(sig)
			r.MustSucceed()
			w.Cmd.Process.Signal(sig)
			w.MustSucceed()
			expectNoSegment(t, key)
		})
	}
}

// imageSide is one side of Qt's Shared Memory Example: examples/image (flag -key, or -native
// for a Qt 6.6+ native key), or a Qt build of cmake/'s headless image-example (--key, or
// --nkey). Both take load|save FILE.
type imageSide struct {
	name, bin, keyFlag string
}

// native reports whether the side is given a native key.
func (s imageSide) native() bool { return s.keyFlag == "-native" || s.keyFlag == "--nkey" }

func (s imageSide) start(t *testing.T, key, op, file string) *testenv.Proc {
	t.Helper()
	cmd := exec.Command(s.bin, s.keyFlag, key, op, file)
	cmd.Env = peerEnv() // stderr (Qt's warnings, if any) goes to the test log
	return testenv.Start(t, cmd)
}

// object is the test's own object of the sides' segment.
func (s imageSide) object(t *testing.T, key string) *qtshm.SharedMemory {
	t.Helper()
	if !s.native() {
		return qtshm.New(key)
	}
	k, err := qtshm.ParseNativeIpcKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return qtshm.NewFromNativeKey(k)
}

// exampleImages are the images the image tests pass through shared memory: every kind of
// image Qt's PNG reader and writer keep as they are (8-bit with varied alpha, gray 8 and 16,
// a palette with transparent entries, 16-bit with varied alpha), written as PNG files; and a
// GIF, which only examples/image loads (through image.Decode).
func exampleImages() map[string]image.Image {
	nrgba := image.NewNRGBA(image.Rect(0, 0, 37, 23))
	for y := 0; y < 23; y++ {
		for x := 0; x < 37; x++ {
			// A gradient, every alpha from 0 to 255 with colour behind it (even at alpha 0).
			nrgba.SetNRGBA(x, y, color.NRGBA{uint8(x * 7), uint8(y * 11), uint8(255 - x*3 - y*2), uint8((x + 37*y) * 255 / (37*23 - 1))})
		}
	}
	gray := image.NewGray(image.Rect(0, 0, 29, 17))
	gray16 := image.NewGray16(image.Rect(0, 0, 29, 17))
	for y := 0; y < 17; y++ {
		for x := 0; x < 29; x++ {
			gray.SetGray(x, y, color.Gray{uint8(x*9 + y*13)})
			gray16.SetGray16(x, y, color.Gray16{uint16(x*2311 + y*997 + 1)}) // low bits set: a cut to 8 bits shows
		}
	}
	pal := color.Palette{}
	for i := 0; i < 16; i++ {
		pal = append(pal, color.NRGBA{uint8(i * 17), uint8(255 - i*13), uint8(i * i), uint8(255 - i*16)}) // 255 … 15
	}
	pal = append(pal, color.NRGBA{10, 20, 30, 0})
	paletted := image.NewPaletted(image.Rect(0, 0, 19, 13), pal)
	for y := 0; y < 13; y++ {
		for x := 0; x < 19; x++ {
			paletted.SetColorIndex(x, y, uint8((x+y*3)%len(pal)))
		}
	}
	// image.RGBA64 is premultiplied: image/png stores it as non-premultiplied 16-bit RGBA, which
	// rounds the colour of translucent pixels. That happens when the test writes the source file,
	// before any program reads it; the programs are compared with the file, exactly.
	rgba64 := image.NewRGBA64(image.Rect(0, 0, 31, 21))
	for y := 0; y < 21; y++ {
		for x := 0; x < 31; x++ {
			a := uint16(0xffff - x*1201 - y*877) // 0xffff … 0x2ebd, low bits set
			rgba64.SetRGBA64(x, y, color.RGBA64{uint16(x*2111) % a, uint16(y*3037+5) % a, uint16(x*y*101+3) % a, a})
		}
	}
	gifImg := image.NewPaletted(image.Rect(0, 0, 23, 11), palette.Plan9)
	for y := 0; y < 11; y++ {
		for x := 0; x < 23; x++ {
			gifImg.SetColorIndex(x, y, uint8(x*11+y*7))
		}
	}
	return map[string]image.Image{"nrgba": nrgba, "gray": gray, "gray16": gray16, "paletted": paletted, "rgba64": rgba64, "gif": gifImg}
}

// writeImageFile writes img as name.png (name.gif for the GIF) in dir.
func writeImageFile(t *testing.T, dir, name string, img image.Image) string {
	t.Helper()
	file := filepath.Join(dir, name+".png")
	encode := func(f *os.File) error { return png.Encode(f, img) }
	if name == "gif" {
		file = filepath.Join(dir, name+".gif")
		encode = func(f *os.File) error { return gif.Encode(f, img, nil) }
	}
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := encode(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return file
}

func decodeFile(t *testing.T, file string) image.Image {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return img
}

// nrgba64 is c as 16-bit non-premultiplied RGBA, exactly: 8-bit values are widened (v·0x101,
// as color.Color's RGBA does) without the premultiplied round trip that color.NRGBA64Model
// makes, which would lose the colour behind alpha 0 and round translucent ones. The other
// colour types image/png and image/gif decode to (Gray, Gray16, and RGBA, RGBA64 of opaque
// images and palette entries) have no translucency, so the model converts them exactly.
func nrgba64(c color.Color) color.NRGBA64 {
	switch c := c.(type) {
	case color.NRGBA:
		return color.NRGBA64{uint16(c.R) * 0x101, uint16(c.G) * 0x101, uint16(c.B) * 0x101, uint16(c.A) * 0x101}
	case color.NRGBA64:
		return c
	}
	return color.NRGBA64Model.Convert(c).(color.NRGBA64)
}

// samePixels fails the test unless got has want's size and every pixel's exact colour.
func samePixels(t *testing.T, want, got image.Image) {
	t.Helper()
	wb, gb := want.Bounds(), got.Bounds()
	if wb.Size() != gb.Size() {
		t.Fatalf("saved image is %v, want %v", gb.Size(), wb.Size())
	}
	bad := 0
	for y := 0; y < wb.Dy(); y++ {
		for x := 0; x < wb.Dx(); x++ {
			w, g := nrgba64(want.At(wb.Min.X+x, wb.Min.Y+y)), nrgba64(got.At(gb.Min.X+x, gb.Min.Y+y))
			if w != g {
				if bad < 5 {
					t.Errorf("pixel (%d,%d) is %v, want %v", x, y, g, w)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d pixels differ (source %T, saved %T)", bad, wb.Dx()*wb.Dy(), want, got)
	}
	t.Logf("%v pixels the same (source %T, saved %T)", wb.Size(), want, got)
}

var reLoaded = regexp.MustCompile(`^loaded (.+): (\d+)x(\d+), (\d+) bytes in (.+)$`)

// passImage loads file into shared memory with loader, saves it from there with saver, and
// compares the saved PNG's pixels with the file's.
func passImage(t *testing.T, loader, saver imageSide, key, file, outDir string) {
	want := decodeFile(t, file)
	size := want.Bounds().Size()

	l := loader.start(t, key, "load", file)
	m := reLoaded.FindStringSubmatch(l.Expect("loaded "))
	if m == nil || m[1] != file || m[2] != strconv.Itoa(size.X) || m[3] != strconv.Itoa(size.Y) || m[5] != key {
		t.Fatalf("%s printed %q, want \"loaded %s: %dx%d, N bytes in %s\"", loader.name, l.Output(), file, size.X, size.Y, key)
	}
	n, _ := strconv.Atoi(m[4])
	// The segment has exactly the stream's size, as in Qt's example.
	shm := loader.object(t, key)
	if err := shm.Attach(qtshm.ReadOnly); err != nil {
		t.Fatalf("attach to %s's segment: %v", loader.name, err)
	}
	if shm.Size() != n {
		t.Errorf("%s's segment has %d bytes, it printed %d", loader.name, shm.Size(), n)
	}
	shm.Close()

	out := filepath.Join(outDir, "saved.png")
	s := saver.start(t, key, "save", out)
	if line, exp := s.NextLine(), fmt.Sprintf("saved %s: %dx%d", out, size.X, size.Y); line != exp {
		t.Fatalf("%s printed %q, want %q", saver.name, line, exp)
	}
	s.MustSucceed()
	samePixels(t, want, decodeFile(t, out))
	t.Logf("%s → %s: %d bytes in the segment", loader.name, saver.name, n)

	l.Cmd.Process.Signal(syscall.SIGTERM) // the dialog closes: it detaches, the segment goes
	l.MustSucceed()
	if loader.keyFlag == "--nkey" {
		// Qt never removes a POSIX segment (the test's cleanup does); examples/image removes its own.
		return
	}
	expectGone(t, loader.object(t, key), key)
}

// TestExamplesImage: Qt's Shared Memory Example, examples/image against cmake/'s headless
// image-example of every Qt version, both ways, with the QString key; for Qt 6.6+ also with a
// POSIX native key spelt as Qt 6.8's own example spells it (-native / --nkey); and
// examples/image against itself with both kinds of key. The saved PNG has the same pixels as
// the file loaded.
func TestExamplesImage(t *testing.T) {
	goSide := imageSide{"examples/image", exampleBin(t, "image"), "-key"}
	goNative := imageSide{"examples/image_-native", goSide.bin, "-native"}
	pairs := [][2]imageSide{{goSide, goSide}, {goNative, goNative}}
	qts := qtKinds(t)
	var missing []string
	for _, q := range qts {
		bin := filepath.Join(q.dir, "image-example")
		if _, err := os.Stat(bin); err != nil {
			missing = append(missing, err.Error())
			continue
		}
		qtSide := imageSide{q.Name + "_image-example", bin, "--key"}
		pairs = append(pairs, [2]imageSide{goSide, qtSide}, [2]imageSide{qtSide, goSide})
		if q.version.AtLeast(6, 6, 0) { // native keys: the POSIX key of Qt 6.8's own example
			qtNative := imageSide{q.Name + "_image-example_--nkey", bin, "--nkey"}
			pairs = append(pairs, [2]imageSide{goNative, qtNative}, [2]imageSide{qtNative, goNative})
		}
	}
	dir := t.TempDir()
	images := exampleImages()
	files := map[string]string{}
	for _, name := range []string{"nrgba", "gray", "gray16", "paletted", "rgba64", "gif"} {
		files[name] = writeImageFile(t, dir, name, images[name])
	}
	for _, p := range pairs {
		for _, name := range []string{"nrgba", "gray", "gray16", "paletted", "rgba64", "gif"} {
			if name == "gif" && p[0].bin != goSide.bin {
				continue // Qt's GIF reader is a plugin a QtCore/QtGui build may lack; Go's is built in
			}
			t.Run(fmt.Sprintf("%s→%s/%s", p[0].name, p[1].name, name), func(t *testing.T) {
				key := keyFor(t)
				if p[0].native() {
					// Like Qt 6.8's example key: no leading '/'.
					posix := fmt.Sprintf("QSharedMemoryExample-qtshm-test-%d-%s", os.Getpid(), name)
					key = "posix:" + posix
					t.Cleanup(func() { removePosix(t, posix) }) // what Qt leaves, or a failed test
				}
				passImage(t, p[0], p[1], key, files[name], t.TempDir())
			})
		}
	}
	testenv.Require(t, len(missing) == 0, "Qt image-example: %v — run scripts/setup.sh", missing)
}
