package ipc

// Flags and commands of the System V IPC calls (linux/ipc.h, linux/sem.h); the values are
// Linux's and the same on every Linux architecture.
const (
	IPC_PRIVATE = 0
	IPC_CREAT   = 0o1000
	IPC_EXCL    = 0o2000
	IPC_NOWAIT  = 0o4000
	IPC_RMID    = 0
	IPC_STAT    = 2
	SEM_UNDO    = 0x1000
	GETPID      = 11
	GETVAL      = 12
	GETNCNT     = 14
	GETZCNT     = 15
	SETVAL      = 16
)

// ipc64 is IPC_64, the flag that asks the "old" semctl/shmctl entry points for the 64-bit
// structure layouts (struct semid64_ds, shmid64_ds).
const ipc64 = 0x100

// Sembuf is struct sembuf (the same on every Linux architecture).
type Sembuf struct {
	Num uint16
	Op  int16
	Flg int16
}

// SemDesc is what semctl(IPC_STAT) reports about a semaphore set ([Semstat]), read from the
// architecture's struct semid64_ds.
type SemDesc struct {
	Uid, Gid   uint32 // owner
	Cuid, Cgid uint32 // creator
	Mode       uint32 // permission bits (sem_perm.mode)
	// Otime is the time of the last successful semop on the set, in seconds since the epoch;
	// 0 if no semop ever completed on it (a set that was created and never used).
	Otime int64
	// Ctime is the time of creation or of the last change by semctl (IPC_SET, SETVAL, SETALL).
	Ctime int64
	Nsems uint64 // number of semaphores in the set
}
