//go:build linux

package qtshm_test

// Review: something other than a key file sits at a key-file path first (a directory, a FIFO,
// a symlink). Every call must refuse it quickly, leave it in place, and make no IPC object.
// (Passes: probes.)

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/qtshm/qtshm-go/internal/testenv"
	"github.com/qtshm/qtshm-go/qtshm"
)

func TestReviewPlantedKeyPaths(t *testing.T) {
	plants := map[string]func(path string) error{
		"directory": func(p string) error { return os.Mkdir(p, 0o700) },
		"fifo":      func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"symlink": func(p string) error {
			target := filepath.Join(testenv.WorkDir(), filepath.Base(p)+".target")
			if err := os.WriteFile(target, nil, 0o600); err != nil {
				return err
			}
			return os.Symlink(target, p)
		},
		"dangling symlink": func(p string) error {
			return os.Symlink(filepath.Join(testenv.WorkDir(), "nowhere", filepath.Base(p)), p)
		},
	}
	ops := map[string]func(key string) error{
		"Create": func(key string) error {
			m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			return m.CreateContext(ctx, 8, qtshm.ReadWrite)
		},
		"Attach": func(key string) error {
			m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
			defer m.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			return m.AttachContext(ctx, qtshm.ReadWrite)
		},
		"RemoveStale": func(key string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			removed, err := qtshm.RemoveStaleContext(ctx, key)
			if removed {
				return errors.New("RemoveStale removed something")
			}
			return err
		},
		"NewSystemSemaphore": func(key string) error {
			s, err := qtshm.NewSystemSemaphore(key, 1, qtshm.Create, qtshm.WithBackend(qtshm.BackendSysV))
			if s != nil {
				s.Close()
			}
			return err
		},
	}
	for pname, plant := range plants {
		for _, which := range []string{"segment", "lock"} {
			for oname, op := range ops {
				t.Run(pname+"/"+which+"/"+oname, func(t *testing.T) {
					removeLeaks(t, false)
					key := uniqueKey(t)
					path := qtshm.LegacyNativeKey(key)
					if which == "lock" {
						path = qtshm.LegacySemaphoreNativeKey(key)
					}
					if oname == "NewSystemSemaphore" {
						path = qtshm.LegacySemaphoreNativeKey(key)
					}
					if err := plant(path); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { os.Remove(path) })
					done := make(chan error, 1)
					go func() { done <- op(key) }()
					var err error
					select {
					case err = <-done:
					case <-time.After(15 * time.Second):
						t.Fatalf("%s with a %s at the %s key path did not return", oname, pname, which)
					}
					var st os.FileInfo
					st, serr := os.Lstat(path)
					if serr != nil {
						t.Errorf("the planted %s was removed by %s", pname, oname)
					} else if pname == "directory" && !st.IsDir() {
						t.Errorf("the planted directory was replaced")
					}
					var e *qtshm.Error
					t.Logf("%s: %v", oname, err)
					switch {
					case oname == "RemoveStale" && which == "lock" && err == nil:
						// nothing to remove: the segment key file does not exist
					case oname == "Attach" && errors.Is(err, qtshm.ErrNotFound):
						// no segment has the planted file's ftok key
					case pname == "dangling symlink" && which == "segment" && oname == "RemoveStale" && err == nil:
					case err == nil:
						t.Errorf("%s accepted a %s at the %s key path", oname, pname, which)
					case !errors.As(err, &e) || e.Code != qtshm.PermissionDenied && e.Code != qtshm.KeyError:
						t.Errorf("%s: %v, want PermissionDenied", oname, err)
					}
				})
			}
		}
	}
}

// removeLeaks removes, at cleanup, every SysV object made during the test and not removed; with
// fail it fails the test for them, else it logs them (they are another test's finding).
func removeLeaks(t *testing.T, fail bool) {
	before := testenv.Snapshot()
	t.Cleanup(func() {
		for _, o := range testenv.Snapshot().Minus(before) {
			if fail {
				t.Errorf("leaked %v", o)
			} else {
				t.Logf("leaked %v (see TestReviewRefusedLockKeyFileLeaksNoSet)", o)
			}
			o.Remove()
		}
	})
}

// TestReviewRefusedLockKeyFileLeaksNoSet: when the lock's key file is refused (not a regular
// file, or another user's file), Create and Attach must not leave a semaphore set behind. The
// set they just made with IPC_EXCL was never initialised (value 0); cleanHandle's
// releaseOwnedLock waits 2 s on it in vain, gives up ownership, and so never removes it.
func TestReviewRefusedLockKeyFileLeaksNoSet(t *testing.T) {
	plants := map[string]func(path string) error{
		"directory": func(p string) error { return os.Mkdir(p, 0o700) },
		"another user's file": func(p string) error {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				return err
			}
			return os.Chown(p, 65534, 65534)
		},
	}
	for name, plant := range plants {
		for _, op := range []string{"Create", "Attach"} {
			t.Run(name+"/"+op, func(t *testing.T) {
				testenv.Require(t, os.Getuid() == 0, "root (chown)")
				removeLeaks(t, true)
				key := uniqueKey(t)
				path := qtshm.LegacySemaphoreNativeKey(key)
				if err := plant(path); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.Remove(path) })
				m := qtshm.New(key, qtshm.WithBackend(qtshm.BackendSysV))
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				var err error
				if op == "Create" {
					err = m.CreateContext(ctx, 8, qtshm.ReadWrite)
				} else {
					err = m.AttachContext(ctx, qtshm.ReadWrite)
				}
				m.Close()
				if !errors.Is(err, qtshm.ErrPermissionDenied) {
					t.Errorf("%s: %v, want PermissionDenied", op, err)
				}
			})
		}
	}
}
