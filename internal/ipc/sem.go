package ipc

// Flags and commands of the System V semaphore calls (linux/ipc.h, linux/sem.h); the
// values are Linux's.
const (
	IPC_CREAT  = 0o1000
	IPC_EXCL   = 0o2000
	IPC_NOWAIT = 0o4000
	IPC_RMID   = 0
	IPC_STAT   = 2
	SEM_UNDO   = 0x1000
	GETPID     = 11
	GETVAL     = 12
	GETNCNT    = 14
	GETZCNT    = 15
	SETVAL     = 16
)

// Sembuf is struct sembuf.
type Sembuf struct {
	Num uint16
	Op  int16
	Flg int16
}
