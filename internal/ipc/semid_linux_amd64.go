//go:build !android

package ipc

// semid64ds is struct semid64_ds on x86-64 (arch/x86/include/uapi/asm/sembuf.h): each time is
// followed by an unused word.
type semid64ds struct {
	perm  ipc64perm
	otime int64
	_     uint64
	ctime int64
	_     uint64
	nsems uint64
	_     [2]uint64
}

func (d *semid64ds) desc() SemDesc {
	return SemDesc{Uid: d.perm.uid, Gid: d.perm.gid, Cuid: d.perm.cuid, Cgid: d.perm.cgid, Mode: d.perm.mode,
		Otime: d.otime, Ctime: d.ctime, Nsems: d.nsems}
}
