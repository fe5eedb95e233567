package qtshm

import (
	"runtime"
	"unsafe"
)

// The amd64 runtime's memmove writes copies of 1 MiB and more with non-temporal stores
// (runtime/memmove_amd64.s: "CMPQ BX, $0x100000; JAE gobble_big_data_fwd", on every AMD CPU and
// on Intel without ERMS+FSRM). They bypass the cache, which pays off only when source and
// destination do not fit in it together: a 1 MiB copy ran at 26 GB/s against glibc memcpy's 42
// (which keeps cached stores up to 240 MiB here), and at 48 GB/s in 512 KiB pieces. From 8 MiB
// on the runtime's choice wins (16 MiB: 22 GB/s against 15 in pieces, and twice memcpy's).
const (
	ntThreshold   = 1 << 20         // where the runtime's memmove turns non-temporal
	copyPiece     = ntThreshold / 2 // what segmentCopy copies at once, through the cache
	cachedCopyMax = 8 << 20         // from here on, the runtime's copy as it is
)

// segmentCopy is copy(dst, src), in pieces below ntThreshold when the length is in
// [ntThreshold, cachedCopyMax) on amd64 and the slices do not overlap (a forward copy in pieces
// would overwrite what it has yet to read).
func segmentCopy(dst, src []byte) int {
	n := min(len(dst), len(src))
	if runtime.GOARCH != "amd64" || n < ntThreshold || n >= cachedCopyMax || overlaps(dst[:n], src[:n]) {
		return copy(dst, src)
	}
	for off := 0; off < n; off += copyPiece {
		end := min(off+copyPiece, n)
		copy(dst[off:end], src[off:end])
	}
	return n
}

// overlaps reports whether a and b share memory.
func overlaps(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	pa, pb := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return pa < pb+uintptr(len(b)) && pb < pa+uintptr(len(a))
}
