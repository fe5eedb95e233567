//go:build linux

package sysv

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/qtshm/qtshm-go/internal/inventory"
	"github.com/qtshm/qtshm-go/internal/ipc"
	"github.com/qtshm/qtshm-go/internal/qtipc"
	"golang.org/x/sys/unix"
)

// KeyFile names a System V key file to inspect: its path, the Qt class it is for
// (inventory.RoleSharedMemory or RoleSystemSem) and the ftok project id.
type KeyFile struct {
	Path string
	Role string
	Proj int
}

// List reports Qt's System V objects: every qipc_sharedmemory_… and qipc_systemsem_… key
// file in dir, every segment and semaphore set whose key one of them gives (ftok, 'Q'), and
// every other segment and set whose key looks like Qt's for dir (project id 'Q' and dir's
// device) — or, with all, every System V segment and set of this IPC namespace. Each object
// is marked stale as docs/cli.md#staleness says.
func List(dir string, all bool) ([]inventory.Object, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, qtipc.Errorf(qtipc.UnknownError, "list", err, "qtshm: cannot list the key file directory: "+err.Error())
	}
	var files []KeyFile
	for _, e := range ents {
		if role, _, _, ok := inventory.SplitQtName(e.Name()); ok {
			files = append(files, KeyFile{Path: filepath.Join(dir, e.Name()), Role: role, Proj: ipc.ProjQ})
		}
	}
	qtDev := -1
	var st unix.Stat_t
	if unix.Stat(dir, &st) == nil {
		qtDev = int(uint64(st.Dev) & 0xff)
	}
	return collect(files, func(key int) bool {
		return all || (key>>24)&0xff == ipc.ProjQ && (key>>16)&0xff == qtDev
	})
}

// Inspect reports the given key files and the System V objects their keys give, with
// staleness. Files that do not exist are left out.
func Inspect(files []KeyFile) ([]inventory.Object, error) {
	return collect(files, func(int) bool { return false })
}

// collect builds the objects of the key files and of the kernel's tables: a kernel object is
// reported when a key file gives its key or when extra(key) says so.
func collect(files []KeyFile, extra func(key int) bool) ([]inventory.Object, error) {
	shms, err := ipc.ShmTable()
	if err != nil {
		return nil, qtipc.Errorf(qtipc.UnknownError, "list", err, "qtshm: cannot read the System V segments: "+err.Error())
	}
	sems, err := ipc.SemTable()
	if err != nil {
		return nil, qtipc.Errorf(qtipc.UnknownError, "list", err, "qtshm: cannot read the System V semaphores: "+err.Error())
	}
	var out []inventory.Object
	segOf := map[string]*inventory.Object{} // key file → its segment
	semOf := map[string]*inventory.Object{}
	fileOf := map[string]int{}   // key file → index in out
	byKey := map[[2]int]string{} // (0 shm | 1 sem, key) → key file
	for _, f := range files {
		var fst unix.Stat_t
		if unix.Lstat(f.Path, &fst) != nil {
			continue
		}
		o := fileObject(f.Path, &fst)
		o.Role = f.Role
		if fst.Mode&unix.S_IFMT == unix.S_IFREG {
			o.SysVKey = ipc.FtokStat(uint64(fst.Dev), fst.Ino, f.Proj)
			if f.Role != inventory.RoleSystemSem {
				byKey[[2]int{0, o.SysVKey}] = f.Path
			}
			if f.Role != inventory.RoleSharedMemory { // a plain native key's file keys both
				byKey[[2]int{1, o.SysVKey}] = f.Path
			}
		} else {
			o.StaleReason = "not a regular file (planted?)"
		}
		fileOf[f.Path] = len(out)
		out = append(out, o)
	}
	var kernel []inventory.Object
	for _, s := range shms {
		kf, ok := byKey[[2]int{0, s.Key}]
		if !ok && (s.Key == 0 || !extra(s.Key)) {
			continue
		}
		o := inventory.Object{Kind: inventory.SysVSegment, KeyFile: kf, SysVKey: s.Key, ID: s.ID, Size: int64(s.Size),
			UID: s.Uid, User: inventory.UserName(s.Uid), CreatorUID: s.Cuid, Mode: s.Mode, Attach: int(s.Nattch), Value: -1, Waiters: -1,
			CreatorPID: int(s.Cpid), LastPID: int(s.Lpid), Atime: s.Atime, Dtime: s.Dtime, Ctime: s.Ctime}
		nameFrom(&o, kf)
		kernel = append(kernel, o)
	}
	for _, s := range sems {
		kf, ok := byKey[[2]int{1, s.Key}]
		if !ok && (s.Key == 0 || !extra(s.Key)) {
			continue
		}
		o := inventory.Object{Kind: inventory.SysVSemaphore, KeyFile: kf, SysVKey: s.Key, ID: s.ID, Size: int64(s.Nsems),
			UID: s.Uid, User: inventory.UserName(s.Uid), CreatorUID: s.Cuid, Mode: s.Mode, Attach: -1, Value: -1, Waiters: -1,
			Otime: s.Otime, Ctime: s.Ctime}
		if v, err := ipc.Semctl(s.ID, 0, ipc.GETVAL, 0); err == nil {
			o.Value = v
		}
		if n, err := ipc.Semctl(s.ID, 0, ipc.GETNCNT, 0); err == nil {
			o.Waiters = n
		}
		if p, err := ipc.Semctl(s.ID, 0, ipc.GETPID, 0); err == nil {
			o.LastPID = p
		}
		nameFrom(&o, kf)
		kernel = append(kernel, o)
	}
	base := len(out)
	out = append(out, kernel...)
	for i := base; i < len(out); i++ {
		o := &out[i]
		if o.KeyFile == "" {
			continue
		}
		if o.Kind == inventory.SysVSegment {
			segOf[o.KeyFile] = o
		} else {
			semOf[o.KeyFile] = o
		}
	}
	// Staleness: kernel objects first, then the key files that follow them.
	for i := base; i < len(out); i++ {
		o := &out[i]
		switch {
		case o.Kind == inventory.SysVSegment && o.Mode&0o1000 != 0:
			o.StaleReason = "marked for removal (goes away at its last detach)"
		case o.Kind == inventory.SysVSegment && o.Attach == 0 && o.KeyFile != "":
			o.Stale, o.StaleReason = true, "no process is attached: its creator died while attached"
		case o.Kind == inventory.SysVSegment && o.Attach == 0:
			o.Stale, o.StaleReason = true, "no key file and no process attached: nothing can reach it"
		case o.Kind == inventory.SysVSegment && o.KeyFile == "":
			o.StaleReason = "no key file in the directory looked at (another TMPDIR, or the file was deleted)"
		case o.Kind == inventory.SysVSemaphore && o.KeyFile == "":
			if why := loneSetInUse(o.ID); why != "" {
				o.StaleReason = "no key file in the directory looked at, but in use: " + why
			} else {
				o.Stale, o.StaleReason = true, "no key file: no new process can open it, and nobody uses it"
			}
		case o.Kind == inventory.SysVSemaphore:
			partner := inventory.Partner(o.KeyFile)
			if partner == "" {
				partner = o.KeyFile // a plain native key: one file keys both
			}
			seg := segOf[partner]
			switch {
			case seg != nil && seg.Stale:
				o.Stale, o.StaleReason = true, "lock of a stale segment"
			case seg != nil:
			default:
				if why := loneSetInUse(o.ID); why != "" {
					o.StaleReason = "no segment, but in use: " + why
				} else {
					o.Stale, o.StaleReason = true, "orphaned lock: no segment uses it, nobody waits, its last user died (its creator was killed), or a QSystemSemaphore nobody removed"
				}
			}
		}
	}
	for _, i := range fileOf {
		o := &out[i]
		if o.StaleReason != "" {
			continue
		}
		obj := segOf[o.Path]
		what := "segment"
		switch {
		case o.Role == inventory.RoleSystemSem:
			obj, what = semOf[o.Path], "semaphore"
		case o.Role == "" && obj == nil:
			obj, what = semOf[o.Path], "segment or semaphore"
		}
		switch {
		case obj == nil && youngFile(o.Mtime) != "":
			o.StaleReason = "no " + what + " yet: " + youngFile(o.Mtime)
		case obj == nil:
			o.Stale, o.StaleReason = true, "key file without a "+what
		case obj.Stale:
			o.Stale, o.StaleReason = true, "key file of a stale "+what
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return order(out[i]) < order(out[j]) })
	return out, nil
}

// order sorts objects by their key's name, files before kernel objects.
func order(o inventory.Object) string {
	n := o.Path
	if n == "" {
		n = o.KeyFile
	}
	if n == "" {
		n = "~" + strconv.Itoa(o.SysVKey)
	}
	n = strings.Replace(strings.Replace(n, "qipc_sharedmemory_", "", 1), "qipc_systemsem_", "", 1)
	return n + "\x00" + string(o.Kind) + o.Role
}

func nameFrom(o *inventory.Object, keyFile string) {
	if keyFile == "" {
		return
	}
	o.Role, o.Letters, o.SHA1, _ = inventory.SplitQtName(filepath.Base(keyFile))
	if o.Role == "" {
		if o.Kind == inventory.SysVSegment {
			o.Role = inventory.RoleSharedMemory
		} else {
			o.Role = inventory.RoleSystemSem
		}
	}
}

func fileObject(path string, st *unix.Stat_t) inventory.Object {
	o := inventory.Object{Kind: inventory.KeyFile, Path: path, ID: -1, Size: st.Size, UID: st.Uid, User: inventory.UserName(st.Uid),
		CreatorUID: st.Uid, Mode: st.Mode & 0o7777, Attach: -1, Value: -1, Waiters: -1,
		Ctime: int64(st.Ctim.Sec), Mtime: int64(st.Mtim.Sec)}
	_, o.Letters, o.SHA1, _ = inventory.SplitQtName(filepath.Base(path))
	return o
}
