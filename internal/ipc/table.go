package ipc

// ShmEntry is one line of the kernel's table of System V segments (/proc/sysvipc/shm) of the
// caller's IPC namespace.
type ShmEntry struct {
	Key          int    // the segment's key (0: IPC_PRIVATE)
	ID           int    // shmid
	Mode         uint32 // permission bits and SHM_DEST / SHM_LOCKED
	Size         uint64
	Cpid, Lpid   int32 // creator, last shmat/shmdt
	Nattch       uint64
	Uid, Gid     uint32
	Cuid, Cgid   uint32
	Atime, Dtime int64 // last attach and detach, seconds since the epoch (0: never)
	Ctime        int64 // creation or last IPC_SET
}

// SemEntry is one line of the kernel's table of System V semaphore sets (/proc/sysvipc/sem).
type SemEntry struct {
	Key        int
	ID         int // semid
	Mode       uint32
	Nsems      uint64
	Uid, Gid   uint32
	Cuid, Cgid uint32
	Otime      int64 // last semop (0: never)
	Ctime      int64
}
