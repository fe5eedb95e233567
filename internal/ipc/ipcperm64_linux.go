//go:build linux && !android && (amd64 || arm64 || riscv64 || loong64 || mips64 || mips64le || ppc64 || ppc64le || s390x)

package ipc

// ipc64perm is struct ipc64_perm of the 64-bit architectures (asm-generic/ipcbuf.h; powerpc's
// and s390's differ only after mode): 48 bytes, a 32-bit mode at offset 20.
type ipc64perm struct {
	key                  int32
	uid, gid, cuid, cgid uint32
	mode                 uint32
	_                    [24]byte
}
