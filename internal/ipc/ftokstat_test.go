package ipc

import "testing"

// TestFtokStat checks the key formula on known values; it runs on every platform.
func TestFtokStat(t *testing.T) {
	// glibc's documented example: st_dev=0xfe00, st_ino=0x98401c → 0x5100401c.
	if got := FtokStat(0xfe00, 0x98401c, 'Q'); got != 0x5100401c {
		t.Fatalf("FtokStat = %#x", got)
	}
	if got := FtokStat(1, 1, 0xff); got >= 0 {
		t.Fatalf("proj 0xff must give a negative key_t, got %#x", got)
	}
}
