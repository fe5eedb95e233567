//go:build linux && !android && (mips || mipsle)

package ipc

// semid64ds is struct semid64_ds of 32-bit mips (arch/mips/include/uapi/asm/sembuf.h): the
// high words of the times come after sem_nsems.
type semid64ds struct {
	perm      ipc64perm
	otime     uint32
	ctime     uint32
	nsems     uint32
	otimeHigh uint32
	ctimeHigh uint32
}

// ipc64perm is struct ipc64_perm of 32-bit mips (asm-generic/ipcbuf.h, 32-bit mode_t): 36 bytes,
// mode at offset 20.
type ipc64perm struct {
	key                  int32
	uid, gid, cuid, cgid uint32
	mode                 uint32
	_                    [12]byte
}

func (d *semid64ds) desc() SemDesc {
	return SemDesc{Uid: d.perm.uid, Gid: d.perm.gid, Cuid: d.perm.cuid, Cgid: d.perm.cgid, Mode: d.perm.mode,
		Otime: int64(uint64(d.otimeHigh)<<32 | uint64(d.otime)),
		Ctime: int64(uint64(d.ctimeHigh)<<32 | uint64(d.ctime)),
		Nsems: uint64(d.nsems)}
}
