package ipc

// SHM_RDONLY is shmat's read-only flag (Linux's value, the same on every architecture).
const SHM_RDONLY = 0o10000

// ShmDesc is what shmctl(IPC_STAT) reports about a segment ([ShmStat]); its field names are
// those of golang.org/x/sys/unix.SysvShmDesc.
type ShmDesc struct {
	Perm   IpcPerm
	Segsz  uint64 // size in bytes, as given to shmget
	Nattch uint64 // number of current attachments
	Cpid   int32  // creator's pid
	Lpid   int32  // pid of the last shmat or shmdt
}

// IpcPerm is the owner, creator and mode of a System V object (struct ipc64_perm).
type IpcPerm struct {
	Uid, Gid   uint32 // owner
	Cuid, Cgid uint32 // creator
	// Mode holds the permission bits; for a segment also SHM_DEST (0o1000) once it is marked
	// for removal and SHM_LOCKED (0o2000).
	Mode uint32
}
