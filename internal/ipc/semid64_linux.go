//go:build linux && !android && (arm64 || riscv64 || loong64 || mips64 || mips64le || ppc64 || ppc64le || s390x)

package ipc

// semid64ds is struct semid64_ds of the other 64-bit architectures (asm-generic/sembuf.h, and
// mips's, powerpc's and s390's headers, which agree for 64 bits): times without padding.
type semid64ds struct {
	perm  ipc64perm
	otime int64
	ctime int64
	nsems uint64
	_     [2]uint64
}

func (d *semid64ds) desc() SemDesc {
	return SemDesc{Uid: d.perm.uid, Gid: d.perm.gid, Cuid: d.perm.cuid, Cgid: d.perm.cgid, Mode: d.perm.mode,
		Otime: d.otime, Ctime: d.ctime, Nsems: d.nsems}
}
