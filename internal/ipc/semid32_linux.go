//go:build linux && !android && (386 || arm)

package ipc

// semid64ds is struct semid64_ds on 386 and arm (arch/x86/include/uapi/asm/sembuf.h for
// __i386__, asm-generic/sembuf.h for 32 bits): each 64-bit time is split into a low word
// and a high word that follows it.
type semid64ds struct {
	perm      ipc64perm
	otime     uint32
	otimeHigh uint32
	ctime     uint32
	ctimeHigh uint32
	nsems     uint32
	_         [2]uint32
}

// ipc64perm is struct ipc64_perm on 386 and arm (asm-generic/ipcbuf.h with a 16-bit
// __kernel_mode_t): 36 bytes, mode at offset 20 followed by two bytes of padding.
type ipc64perm struct {
	key                  int32
	uid, gid, cuid, cgid uint32
	mode                 uint16
	_                    [14]byte
}

func (d *semid64ds) desc() SemDesc {
	return SemDesc{Uid: d.perm.uid, Gid: d.perm.gid, Cuid: d.perm.cuid, Cgid: d.perm.cgid, Mode: uint32(d.perm.mode),
		Otime: int64(uint64(d.otimeHigh)<<32 | uint64(d.otime)),
		Ctime: int64(uint64(d.ctimeHigh)<<32 | uint64(d.ctime)),
		Nsems: uint64(d.nsems)}
}
