//go:build linux && !android

package posix

import (
	"context"
	"errors"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/inventory"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// List reports the POSIX-realtime objects of /dev/shm that look like Qt's: those named as Qt
// names them for a QString key (qipc_…), and every segment NAME with a semaphore sem.NAME
// (the lock of a Qt 6.6+ native key) — or, with all, everything in /dev/shm. Each has the
// number of live processes that map it (from /proc/*/maps; -1 when that cannot be read) and
// a stale flag: a segment nobody maps (Qt never unlinks one on Linux), a semaphore nobody
// maps, a lock taken by a dead holder (Diagnose).
func List(all bool) ([]inventory.Object, error) {
	ents, err := os.ReadDir(shmDir)
	if err != nil {
		return nil, qtipc.Errorf(qtipc.UnknownError, "list", err, "qtshm: cannot list "+shmDir+": "+err.Error())
	}
	names := map[string]bool{}
	for _, e := range ents {
		names[e.Name()] = true
	}
	var out []inventory.Object
	for _, e := range ents {
		n := e.Name()
		sem := strings.HasPrefix(n, semPrefix)
		base := strings.TrimPrefix(n, semPrefix)
		_, _, _, qt := inventory.SplitQtName(base)
		paired := (sem && names[base]) || (!sem && names[semPrefix+n])
		if !all && !qt && !paired {
			continue
		}
		if o, ok := Inspect("/"+base, sem); ok {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.TrimPrefix(out[i].Path, shmDir+"/"+semPrefix) < strings.TrimPrefix(out[j].Path, shmDir+"/"+semPrefix)
	})
	return out, nil
}

// Inspect reports the segment (sem false) or semaphore named name; ok is false when it does
// not exist.
func Inspect(name string, sem bool) (inventory.Object, bool) {
	what := "segment"
	if sem {
		what = "semaphore"
	}
	base, e := checkName("inspect", what, name)
	if e != nil {
		return inventory.Object{}, false
	}
	path := shmDir + "/" + base
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil {
		return inventory.Object{}, false
	}
	o := inventory.Object{Kind: inventory.PosixSegment, Path: path, ID: -1, Size: st.Size, UID: st.Uid, User: inventory.UserName(st.Uid),
		CreatorUID: st.Uid, Mode: st.Mode & 0o7777, Attach: -1, Value: -1, Waiters: -1, Ctime: int64(st.Ctim.Sec), Mtime: int64(st.Mtim.Sec), Atime: int64(st.Atim.Sec)}
	o.Role, o.Letters, o.SHA1, _ = inventory.SplitQtName(strings.TrimPrefix(base, semPrefix))
	if sem {
		o.Kind = inventory.PosixSemaphore
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		o.StaleReason = "not a regular file (planted?)"
		return o, true
	}
	id := fileID{uint64(st.Dev), st.Ino}
	ms, err := mappers(id)
	if err != nil {
		o.StaleReason = "cannot tell who maps it: " + err.Error()
	} else {
		o.Attach = len(ms)
		if len(ownRanges(id)) > 0 {
			o.Attach++
		}
	}
	if sem {
		d, err := Diagnose(strings.TrimPrefix(name, "/"))
		if err == nil {
			o.Value, o.Waiters = d.Value, d.Waiters
			switch {
			case d.Unknown:
				o.StaleReason = "cannot tell whether a live process holds it: " + d.Reason
			case d.Value == 0 && d.Abandoned():
				o.Stale, o.StaleReason = true, "lock taken by a dead holder (no live process that maps it holds it)"
				if len(d.Mappers) > 0 {
					o.StaleReason += "; " + strconv.Itoa(len(d.Mappers)) + " process(es) wait for it forever"
				}
			case o.Attach == 0:
				o.Stale, o.StaleReason = true, "no live process has it open (Qt never unlinks it on Linux)"
			}
		}
		return o, true
	}
	if o.Attach == 0 {
		o.Stale, o.StaleReason = true, "no live process maps it (Qt never unlinks it on Linux)"
	}
	return o, true
}

// RemoveObject removes the POSIX object o (from List or Inspect) with RemoveStale: a segment
// together with its lock (sem.NAME, or the qipc_systemsem_ lock of a legacy name), a semaphore
// alone when no segment of its name exists. Objects in use are left alone: (false, nil).
func RemoveObject(ctx context.Context, o inventory.Object, cfg backend.Config) (bool, error) {
	base := strings.TrimPrefix(o.Path, shmDir+"/")
	switch o.Kind {
	case inventory.PosixSegment:
		lock := base
		if !inShmDir(semPrefix+base) && o.Role == inventory.RoleSharedMemory {
			if l := inventory.Partner(base); inShmDir(semPrefix + l) {
				lock = l
			}
		}
		return RemoveStale(ctx, "/"+base, "/"+lock, cfg)
	case inventory.PosixSemaphore:
		name := strings.TrimPrefix(base, semPrefix)
		if inShmDir(name) {
			return RemoveStale(ctx, "/"+name, "/"+name, cfg)
		}
		if o.Role == inventory.RoleSystemSem {
			if seg := inventory.Partner(name); inShmDir(seg) {
				return RemoveStale(ctx, "/"+seg, "/"+name, cfg)
			}
		}
		return RemoveStale(ctx, "/"+name, "/"+name, cfg)
	}
	return false, qtipc.Errorf(qtipc.KeyError, "remove", errors.ErrUnsupported, "qtshm: not a POSIX object: "+o.Name())
}

func inShmDir(base string) bool {
	var st unix.Stat_t
	return unix.Lstat(shmDir+"/"+base, &st) == nil
}
