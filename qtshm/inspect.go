package qtshm

import (
	"github.com/qtshm/qtshm-go/internal/inventory"
	"github.com/qtshm/qtshm-go/internal/posix"
	"github.com/qtshm/qtshm-go/internal/qtkey"
	"github.com/qtshm/qtshm-go/internal/sysv"
)

// KeyInfo is what [Inspect] and [InspectNative] report about one key. JSON names are stable
// (docs/cli.md).
type KeyInfo struct {
	Key           string `json:"key"`           // the QString key, or the native key's string form
	Type          string `json:"type"`          // "systemv", "systemv-N" (N the ftok project id) or "posix"
	NativeKey     string `json:"nativeKey"`     // the segment's native key: key file path or POSIX name
	LockNativeKey string `json:"lockNativeKey"` // the lock's
	// SegmentExists and LockExists: the segment and the lock semaphore exist (for System V:
	// the kernel objects, whatever the key files).
	SegmentExists bool `json:"segmentExists"`
	LockExists    bool `json:"lockExists"`
	// Stale is set when any of Objects is stale.
	Stale bool `json:"stale"`
	// Objects are the key's objects that exist: key files, segment, lock.
	Objects []Object `json:"objects"`
}

// Inspect reports the objects of QSharedMemory(key) with the System V backend: its two key
// files (in WithTempDir's directory, else QDir::tempPath() of WithFlavor's Qt), the segment and
// the lock semaphore they key, with owners, modes, size, attachments and staleness. It does
// not take the lock and changes nothing. Not on Windows or other systems but Linux (an error
// wrapping errors.ErrUnsupported).
func Inspect(key string, opts ...Option) (KeyInfo, error) {
	o := getOptions(opts)
	if key == "" {
		return KeyInfo{}, newError(KeyError, "inspect", key, "QSharedMemory::handle:: key is empty", nil)
	}
	dir := o.cfg.TempDir
	if dir == "" {
		dir = tempPathFor(o.cfg.Flavor)
	}
	ki := KeyInfo{Key: key, Type: "systemv",
		NativeKey:     qtkey.SysV(key, qtkey.SharedMemoryPrefix, dir),
		LockNativeKey: qtkey.SysV(key, qtkey.SemaphorePrefix, dir)}
	objs, err := sysv.Inspect([]sysv.KeyFile{
		{Path: ki.NativeKey, Role: inventory.RoleSharedMemory, Proj: 'Q'},
		{Path: ki.LockNativeKey, Role: inventory.RoleSystemSem, Proj: 'Q'}})
	if err != nil {
		return ki, err
	}
	ki.fill(objs)
	return ki, nil
}

// InspectNative is [Inspect] for a Qt 6.6+ native key: a System V one (its key file, the
// segment and lock it keys; the lock of a key that records a legacy key is that key's
// qipc_systemsem_ file) or a PosixRealtime one (/dev/shm/NAME and the lock's /dev/shm/sem.NAME,
// with the processes mapping them).
func InspectNative(k NativeIpcKey, opts ...Option) (KeyInfo, error) {
	if err := checkNativeKey("QSharedMemory", "inspect", k); err != nil {
		return KeyInfo{}, err
	}
	if k.Native == "" {
		return KeyInfo{}, newError(KeyError, "inspect", k.Legacy, "QSharedMemory::handle:: key is empty", nil)
	}
	o := getOptions(opts)
	ki := KeyInfo{Key: k.String(), NativeKey: k.Native}
	if k.Type == PosixRealtime {
		ki.Type = "posix"
		ki.LockNativeKey = posix.LockName(k.internal())
		var objs []Object
		if seg, ok := posix.Inspect(ki.NativeKey, false); ok {
			objs = append(objs, seg)
		}
		if lock, ok := posix.Inspect(ki.LockNativeKey, true); ok {
			objs = append(objs, lock)
		}
		ki.fill(objs)
		return ki, nil
	}
	ki.Type = "systemv"
	if k.Type != SystemV {
		ki.Type = "systemv-" + itoa(int(k.Type))
	}
	files := []sysv.KeyFile{{Path: k.Native, Role: "", Proj: int(k.Type)}}
	ki.LockNativeKey = k.Native
	if k.Legacy != "" {
		dir := o.cfg.TempDir
		if dir == "" {
			dir = tempPathFor(FlavorQt661)
		}
		ki.LockNativeKey = qtkey.SysV(k.Legacy, qtkey.SemaphorePrefix, dir)
		files[0].Role = inventory.RoleSharedMemory
		files = append(files, sysv.KeyFile{Path: ki.LockNativeKey, Role: inventory.RoleSystemSem, Proj: int(k.Type)})
	}
	objs, err := sysv.Inspect(files)
	if err != nil {
		return ki, err
	}
	ki.fill(objs)
	return ki, nil
}

func (ki *KeyInfo) fill(objs []Object) {
	ki.Objects = objs
	if ki.Objects == nil {
		ki.Objects = []Object{}
	}
	for _, o := range objs {
		ki.Stale = ki.Stale || o.Stale
		switch o.Kind {
		case KindSysVSegment, KindPosixSegment:
			ki.SegmentExists = true
		case KindSysVSemaphore, KindPosixSemaphore:
			ki.LockExists = true
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
