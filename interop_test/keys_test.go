//go:build linux

package interop_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qtshm/qtshm-go/qtshm"
)

var interopKeys = []string{
	"MySharedMemoryKey",
	"ключ with spaces",
	`punct !@#$%^&*()[]{};:'",.<>/?\|~`,
	"程序1动态消息",
	"emoji 😀 key",
	strings.Repeat("Key-0123456789 ", 20), // 300 characters; its key file name stays under NAME_MAX
	"1234567890",
}

// TestKeysMeet: for unusual keys, and with the Qt side's TMPDIR spelled differently (trailing
// slash, a symlink) but naming the same directory, Go and Qt compute the same native key and
// meet on the same segment, in both directions.
func TestKeysMeet(t *testing.T) {
	dir := os.Getenv("TMPDIR")
	link := filepath.Join(t.TempDir(), "tmp-link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{"TMPDIR_trailing_slash": dir + "/", "TMPDIR_symlink": link}
	for _, q := range qtKinds(t) {
		for form, qtTmp := range forms {
			for i, key := range interopKeys {
				t.Run(fmt.Sprintf("%s/%s/key%d", q.Name, form, i), func(t *testing.T) {
					env := []string{"TMPDIR=" + qtTmp}
					m := createSegment(t, key, 128)
					copy(m.Data(), "go→qt")
					p := q.start(t, key, env, "keys", "attach", "ro", "read", "0", "7", "detach")
					if r := expectOK(t, p, "keys"); r.NativeKey != m.NativeKey() {
						t.Fatalf("native key: Qt %q, Go %q", r.NativeKey, m.NativeKey())
					}
					expectOK(t, p, "attach")
					if r := expectOK(t, p, "read"); r.Hex != fmt.Sprintf("%x", "go→qt") {
						t.Fatalf("Qt read %s", r.Hex)
					}
					p.MustSucceed()
					m.Close()

					c := q.start(t, key, env, "create", "128", "rw", "write", "0", "str:qt→go", "wait", "close")
					expectOK(t, c, "create")
					expectOK(t, c, "write")
					g := qtshm.New(key)
					defer g.Close()
					if err := g.Attach(qtshm.ReadOnly); err != nil {
						t.Fatalf("Go attach to the segment %s created: %v", q.Name, err)
					}
					if got := string(g.Data()[:7]); got != "qt→go" {
						t.Fatalf("Go read %q", got)
					}
					g.Close()
					c.MustSucceed()
				})
			}
		}
	}
}

// TestTooLongKey: a key whose key file name exceeds NAME_MAX fails the same way in Qt and Go.
func TestTooLongKey(t *testing.T) {
	key := strings.Repeat("VeryLongKey", 30) // 330 letters: qipc_sharedmemory_<330 letters><sha1> > 255 bytes
	g := qtshm.New(key)
	defer g.Close()
	err := g.Create(64, qtshm.ReadWrite)
	var ge *qtshm.Error
	if !errors.As(err, &ge) {
		t.Fatalf("Go create with a too-long key: %v", err)
	}
	for _, k := range append(append([]peerKind{}, goKinds(t)...), qtKinds(t)...) {
		p := k.start(t, key, nil, "create", "64", "rw")
		r := expect(t, p, "create")
		if r.OK || r.Error != int(ge.Code) {
			t.Errorf("%s: create with a too-long key: ok=%v error=%d %q; Go: %v %q", k.Name, r.OK, r.Error, r.ErrorString, ge.Code, ge.Msg)
		}
		t.Logf("%s: %d %q", k.Name, r.Error, r.ErrorString)
		p.Wait()
	}
}
