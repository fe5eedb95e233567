package qtshm

import (
	"bytes"
	"testing"
)

// TestSegmentCopy: segmentCopy copies as copy does at every length around its thresholds, and
// for overlapping slices in either direction.
func TestSegmentCopy(t *testing.T) {
	for _, n := range []int{0, 1, 64, ntThreshold - 1, ntThreshold, ntThreshold + 1, 3*copyPiece + 7, cachedCopyMax - 1, cachedCopyMax} {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(i * 7)
		}
		dst := make([]byte, n+3)
		if got := segmentCopy(dst, src); got != n || !bytes.Equal(dst[:n], src) {
			t.Fatalf("n=%d: copied %d, or the bytes differ", n, got)
		}
		for _, d := range []int{-4096, -1, 1, 4096, copyPiece + 5} {
			buf := make([]byte, n+2*copyPiece+8192)
			for i := range buf {
				buf[i] = byte(i * 13)
			}
			ref := bytes.Clone(buf)
			so, do := 4096+copyPiece, 4096+copyPiece+d
			copy(ref[do:do+n], ref[so:so+n])
			segmentCopy(buf[do:do+n], buf[so:so+n])
			if !bytes.Equal(buf, ref) {
				t.Fatalf("n=%d, destination %+d bytes from the source: the overlapping copy differs", n, d)
			}
		}
	}
}
