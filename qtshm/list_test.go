//go:build linux

package qtshm_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/qtshm"
)

// TestInspectListRemove: a key file without a segment is stale and RemoveObject removes it; a
// live segment is not stale and is kept without force.
func TestInspectListRemove(t *testing.T) {
	dir := t.TempDir()
	opt := qtshm.WithTempDir(dir)
	const orphan = "orphan key file"
	path := qtshm.LegacyNativeKey(orphan)
	path = filepath.Join(dir, filepath.Base(path))
	if err := os.WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	// Older than the grace a create in progress gets (a younger key file is not yet stale).
	old := time.Now().Add(-time.Minute)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	ki, err := qtshm.Inspect(orphan, opt)
	if err != nil || len(ki.Objects) != 1 || !ki.Stale || ki.SegmentExists || ki.Objects[0].Kind != qtshm.KindKeyFile ||
		ki.Objects[0].StaleReason != "key file without a segment" || ki.Objects[0].Letters != "orphankeyfile" {
		t.Fatalf("Inspect: %+v, %v", ki, err)
	}

	live := qtshm.New("live key", opt, qtshm.WithBackend(qtshm.BackendSysV)) // the native backend (Qt) cannot take a temp dir
	defer live.Close()
	if err := live.Create(100, qtshm.ReadWrite); err != nil {
		t.Fatal(err)
	}
	objs, err := qtshm.List(context.Background(), qtshm.ListOptions{TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var seg *qtshm.Object
	stale := 0
	for i, o := range objs {
		if o.Stale {
			stale++
		}
		if o.Kind == qtshm.KindSysVSegment && o.Letters == "livekey" {
			seg = &objs[i]
		}
	}
	if seg == nil || seg.Stale || seg.Attach != 1 || seg.Size != 100 || seg.CreatorPID != os.Getpid() || stale != 1 {
		t.Fatalf("List: segment %+v, %d stale, all: %+v", seg, stale, objs)
	}
	if removed, err := qtshm.RemoveObject(context.Background(), *seg, false, opt); removed || err != nil {
		t.Errorf("RemoveObject of a live segment: %v, %v", removed, err)
	}
	if !live.IsAttached() {
		t.Fatal("detached")
	}
	if ki, _ := qtshm.Inspect("live key", opt); !ki.SegmentExists || ki.Stale {
		t.Errorf("live segment after RemoveObject: %+v", ki)
	}
	if removed, err := qtshm.RemoveObject(context.Background(), ki.Objects[0], false, opt); !removed || err != nil {
		t.Errorf("RemoveObject of the orphan key file: %v, %v", removed, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the orphan key file is still there: %v", err)
	}
}
