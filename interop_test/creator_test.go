//go:build linux

package interop_test

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/qtshm/qtshm-go/qtshm"
)

// TestCreatorExitsFirst: the creator owns the lock semaphore and removes it when it goes away,
// while others are still attached. The survivors (Go and Qt) re-create it on their next lock
// and still exclude each other: their concurrent increments add up exactly.
func TestCreatorExitsFirst(t *testing.T) {
	qts, gos := qtKinds(t), goKinds(t)
	all := append(append([]peerKind{}, gos...), qts...)
	for i, creator := range all {
		s1, s2 := gos[i%len(gos)], qts[i%len(qts)]
		t.Run(fmt.Sprintf("%s_creates_and_exits→%s+%s", creator.Name, s1.Name, s2.Name), func(t *testing.T) {
			const each = 2000
			key := keyFor(t)
			c := creator.start(t, key, nil, "create", "8", "rw", "wait", "close")
			expectOK(t, c, "create")
			var surv []peerKindProc
			for _, k := range []peerKind{s1, s2} {
				p := k.start(t, key, nil, "attach", "rw", "lock", "unlock", "wait", "inc", fmt.Sprint(each), "read", "0", "8", "detach")
				expectOK(t, p, "attach")
				expectOK(t, p, "lock")
				expectOK(t, p, "unlock")
				surv = append(surv, peerKindProc{k, p})
			}
			c.Send("go")
			expectOK(t, c, "wait")
			expectOK(t, c, "close")
			c.MustSucceed()
			if _, err := os.Stat(qtshm.LegacySemaphoreNativeKey(key)); !os.IsNotExist(err) {
				t.Fatalf("the creator's exit left the lock's key file (%v); Qt removes it", err)
			}
			for _, s := range surv {
				s.p.Send("go")
			}
			var max uint64
			for _, s := range surv {
				expectOK(t, s.p, "wait")
				expectOK(t, s.p, "inc")
				b, _ := hex.DecodeString(expectOK(t, s.p, "read").Hex)
				if v := binary.LittleEndian.Uint64(b); v > max {
					max = v
				}
				s.p.MustSucceed()
			}
			if max != 2*each {
				t.Fatalf("survivors' counter %d, want %d: they did not exclude each other", max, 2*each)
			}
			t.Logf("after %s left, %s and %s counted to %d", creator.Name, s1.Name, s2.Name, max)
		})
	}
}
