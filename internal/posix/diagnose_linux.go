//go:build linux && !android

package posix

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/qtshm/qtshm-go/internal/backend"
	"github.com/qtshm/qtshm-go/internal/psem"
	"github.com/qtshm/qtshm-go/internal/qtipc"
)

// recoverSample is how often RecoverLock reads the lock's value during its window.
const recoverSample = 10 * time.Millisecond

// Diagnose looks at the lock semaphore lockName without touching its value: its value and
// waiter count, the objects of this process that hold it, and every other live process that
// maps its file (from /proc/*/maps), each with whether it is blocked in a futex wait on its
// mapping of the semaphore (from /proc/PID/task/*/syscall, sampled several times). If any of
// these /proc entries cannot be read (another user's process when not root, hidepid, a
// ptrace restriction), the diagnosis is Unknown and Reason says which. Processes in other PID
// namespaces that share /dev/shm are invisible to it; so is a process that holds the lock in
// one thread while another of its threads waits for it (it looks like a waiter).
func Diagnose(lockName string) (Diagnosis, error) {
	d := Diagnosis{Name: lockName}
	if _, e := checkName("diagnose", "semaphore", lockName); e != nil {
		return d, e
	}
	p, err := psem.Path(lockName)
	if err != nil {
		return d, semErrno("diagnose", "QSystemSemaphore::handle", err)
	}
	d.Path = p
	if _, _, e := plantedObject("diagnose", "lock semaphore", p); e != nil {
		return d, e
	}
	s, _, err := psem.Open(lockName, 0, 0, 0)
	if err != nil {
		return d, semErrno("diagnose", "QSystemSemaphore::handle", err)
	}
	defer s.Close()
	dev, ino := s.File()
	id := fileID{dev, ino}
	d.Dev, d.Ino, d.Owner = dev, ino, s.Owner()
	_, d.HeldHere = regGet(id)
	d.SemaphoresHere = regPlain(id)
	ms, err := mappers(id)
	if err != nil {
		d.Unknown, d.Reason = true, err.Error()
		d.Value, d.Waiters = s.Value(), s.Waiters()
		return d, nil
	}
	ws, err := waitingSet(ms)
	if err != nil {
		d.Unknown, d.Reason = true, err.Error()
	}
	for pid := range ms {
		d.Mappers = append(d.Mappers, Mapper{PID: pid, Comm: comm(pid), Waiting: ws[pid]})
	}
	sort.Slice(d.Mappers, func(i, j int) bool { return d.Mappers[i].PID < d.Mappers[j].PID })
	// The value last: a holder that released meanwhile shows as a value of 1.
	d.Value, d.Waiters = s.Value(), s.Waiters()
	return d, nil
}

// String summarises the diagnosis in one line.
func (d Diagnosis) String() string {
	s := fmt.Sprintf("%s (%s, dev %d ino %d, owner uid %d): value %d, %d waiter(s) registered, held by %d object(s) of this process",
		d.Name, d.Path, d.Dev, d.Ino, d.Owner, d.Value, d.Waiters, d.HeldHere)
	for _, m := range d.Mappers {
		w := "not waiting"
		if m.Waiting {
			w = "waiting"
		}
		s += fmt.Sprintf("; process %d (%s) maps it, %s", m.PID, m.Comm, w)
	}
	if d.Unknown {
		s += "; unknown: " + d.Reason
	}
	return s
}

// recovering serialises the RecoverLock calls of this process.
var recovering = make(chan struct{}, 1)

// RecoverLock releases (posts once) the lock semaphore lockName that a dead holder left
// taken, and only then. It checks, at the start and at the end of a window of heldFor, that
// the lock looks abandoned (Diagnose: value 0, no holder in this process, every other process
// that maps it waiting for it, nothing unreadable), and during the window that the value
// stays 0 (read every 10 ms). Any other finding is an error (UnknownError, or LockError when
// ctx ends first) saying exactly why; it never posts on a guess. heldFor should exceed the
// longest critical section of the applications that use the lock. Another user's semaphore
// is refused unless cfg.AllowForeign.
func RecoverLock(ctx context.Context, lockName string, heldFor time.Duration, cfg backend.Config) error {
	const op = "recover"
	if ctx == nil {
		ctx = context.Background()
	}
	if heldFor <= 0 {
		return qtipc.Errorf(qtipc.UnknownError, op, nil, "qtshm: RecoverLock needs a positive window (heldFor)")
	}
	refuse := func(format string, args ...any) error {
		return qtipc.Errorf(qtipc.UnknownError, op, nil, "qtshm: not recovering the lock "+lockName+": "+fmt.Sprintf(format, args...))
	}
	// Recoverers of this process run one at a time: /proc shows other processes, not the other
	// goroutines of this one, so two of them could both post (a value of 2: two holders).
	select {
	case recovering <- struct{}{}:
		defer func() { <-recovering }()
	case <-ctx.Done():
		return qtipc.Errorf(qtipc.LockError, op, ctx.Err(), "qtshm: not recovering the lock "+lockName+": "+ctx.Err().Error())
	}
	d, err := Diagnose(lockName)
	if err != nil {
		var e *qtipc.Error
		if errors.As(err, &e) {
			return e.WithOp(op)
		}
		return err
	}
	if !cfg.AllowForeign {
		if e := foreignOwner(op, "lock semaphore", d.Path, d.Owner); e != nil {
			return e
		}
	}
	if !d.Abandoned() {
		return refuse("%s", d.Why())
	}
	s, _, err := psem.Open(lockName, 0, 0, 0)
	if err != nil {
		return semErrno(op, "QSystemSemaphore::handle", err)
	}
	defer s.Close()
	if dev, ino := s.File(); dev != d.Dev || ino != d.Ino {
		return refuse("the semaphore was replaced while we looked at it")
	}
	deadline := time.Now().Add(heldFor)
	for time.Now().Before(deadline) {
		if v := s.Value(); v != 0 {
			return refuse("its value became %d during the %v window: it is in use", v, heldFor)
		}
		if !sleepCtx(ctx, min(recoverSample, time.Until(deadline))) {
			return qtipc.Errorf(qtipc.LockError, op, ctx.Err(), "qtshm: not recovering the lock "+lockName+": the context ended during the window")
		}
	}
	end, err := Diagnose(lockName)
	if err != nil {
		return refuse("%v", err)
	}
	if end.Dev != d.Dev || end.Ino != d.Ino {
		return refuse("the semaphore was replaced during the window")
	}
	if !end.Abandoned() {
		return refuse("at the end of the window: %s", end.Why())
	}
	if v := s.Value(); v != 0 {
		return refuse("its value became %d: it is in use", v)
	}
	if err := s.Post(); err != nil {
		return semErrno(op, "QSystemSemaphore::modifySemaphore (sem_post)", err)
	}
	return nil
}
