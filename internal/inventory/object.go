// Package inventory declares what the listing and inspection of Qt's IPC objects report
// (qtshm.List, qtshm.Inspect, `qtshm ls`, `qtshm key`): one Object per key file, System V
// segment or semaphore set, or POSIX-realtime segment or semaphore, with a stale flag and its
// reason. The backends (internal/sysv, internal/posix) fill it; qtshm re-exports the types.
package inventory

import "strings"

// Kind is what an Object is.
type Kind string

// The kinds of objects.
const (
	KeyFile        Kind = "keyfile"   // a qipc_sharedmemory_… or qipc_systemsem_… file (System V key file)
	SysVSegment    Kind = "sysv-shm"  // a System V shared memory segment
	SysVSemaphore  Kind = "sysv-sem"  // a System V semaphore set (Qt's lock, or a QSystemSemaphore)
	PosixSegment   Kind = "posix-shm" // a POSIX-realtime segment, /dev/shm/NAME
	PosixSemaphore Kind = "posix-sem" // a POSIX named semaphore, /dev/shm/sem.NAME
)

// Roles: which Qt class a key file name belongs to.
const (
	RoleSharedMemory = "sharedmemory" // QSharedMemory (qipc_sharedmemory_…)
	RoleSystemSem    = "systemsem"    // QSystemSemaphore, including QSharedMemory's lock (qipc_systemsem_…)
)

// Object is one IPC object. Numbers that do not apply to the kind are -1 (Attach, Value,
// Waiters, ID) or 0 (times, pids). The JSON names are stable; docs/cli.md documents them.
type Object struct {
	Kind Kind `json:"kind"`
	// Role is RoleSharedMemory or RoleSystemSem when the object's name (or its key file's
	// name) is one Qt makes for a QString key, else "".
	Role string `json:"role"`
	// Letters is the letters part of Qt's name for a QString key: qipc_<role>_<letters><sha1>,
	// the ASCII letters of the key in order; SHA1 is the 40 hex digits after it.
	Letters string `json:"letters"`
	SHA1    string `json:"sha1"`
	// Path is the object's file: the key file, or /dev/shm/NAME; "" for a System V object.
	Path string `json:"path"`
	// KeyFile is, for a System V object, the key file its key is made from (ftok), "" when no
	// key file in the directory looked at gives its key.
	KeyFile string `json:"keyFile"`
	// SysVKey is a System V object's key (ftok of its key file), or the ftok key a key file
	// gives; 0 otherwise.
	SysVKey int `json:"sysvKey"`
	ID      int `json:"id"` // shmid or semid; -1 for files
	// Size is the size in bytes (segments, files), or the number of semaphores in a set.
	Size int64  `json:"size"`
	UID  uint32 `json:"uid"`
	User string `json:"user"` // the user name of UID, or its number
	// CreatorUID is the System V creator's uid (cuid); the file's uid otherwise.
	CreatorUID uint32 `json:"cuid"`
	Mode       uint32 `json:"mode"` // permission bits (and SHM_DEST 0o1000 for a segment being removed)
	// Attach is the number of attachments (System V nattch) or of live processes mapping a
	// POSIX object; -1 when it does not apply or cannot be known.
	Attach int `json:"attach"`
	// Value and Waiters: a semaphore's value and number of waiters (System V GETNCNT, POSIX
	// the waiter word); -1 for other kinds or unknown.
	Value   int `json:"value"`
	Waiters int `json:"waiters"`
	// CreatorPID and LastPID: a segment's creator and last shmat/shmdt, a semaphore's last
	// semop (GETPID); 0 when unknown.
	CreatorPID int `json:"cpid"`
	LastPID    int `json:"lpid"`
	// Times in seconds since the epoch, 0 when never or not applicable: Atime last attach,
	// Dtime last detach, Otime last semop, Ctime creation (System V: or last change), Mtime a
	// file's modification.
	Atime int64 `json:"atime"`
	Dtime int64 `json:"dtime"`
	Otime int64 `json:"otime"`
	Ctime int64 `json:"ctime"`
	Mtime int64 `json:"mtime"`
	// Stale says the object looks left behind by a process that died, and StaleReason why.
	// For an object that is not stale, StaleReason may still say something worth knowing.
	Stale       bool   `json:"stale"`
	StaleReason string `json:"staleReason"`
}

// Name is how an Object is named in one line: its path, or its kind and id.
func (o Object) Name() string {
	if o.Path != "" {
		return o.Path
	}
	return string(o.Kind) + " id " + itoa(o.ID)
}

// SplitQtName splits a Qt file name "qipc_<role>_<letters><sha1>" (or a POSIX name with a
// leading '/') into its role, letters and SHA-1; ok is false when name is not one.
func SplitQtName(name string) (role, letters, sha1 string, ok bool) {
	name = strings.TrimLeft(name, "/")
	for _, r := range []string{RoleSharedMemory, RoleSystemSem} {
		rest, found := strings.CutPrefix(name, "qipc_"+r+"_")
		if !found || len(rest) < 40 {
			continue
		}
		l, h := rest[:len(rest)-40], rest[len(rest)-40:]
		if !isLetters(l) || !isHex(h) {
			continue
		}
		return r, l, h, true
	}
	return "", "", "", false
}

// Partner is the name of the other object of the same QString key: the lock's key file for a
// segment's and the reverse ("" when name is not a Qt name). The directory part is kept.
func Partner(path string) string {
	i := strings.LastIndexByte(path, '/') + 1
	dir, base := path[:i], path[i:]
	role, _, _, ok := SplitQtName(base)
	if !ok {
		return ""
	}
	if role == RoleSharedMemory {
		return dir + strings.Replace(base, "qipc_sharedmemory_", "qipc_systemsem_", 1)
	}
	return dir + strings.Replace(base, "qipc_systemsem_", "qipc_sharedmemory_", 1)
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
