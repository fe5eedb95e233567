package ipc

import "golang.org/x/sys/unix"

// ProjQ is the ftok project id Qt uses for its SysV keys: 'Q' (0x51), also the value of
// QNativeIpcKey::Type::SystemV.
const ProjQ = 'Q'

// Ftok computes glibc's ftok(path, proj) from stat(2):
//
//	(proj&0xff)<<24 | (st_dev&0xff)<<16 | (st_ino&0xffff)
//
// The result is a key_t (a C int), so it is negative for proj >= 0x80.
func Ftok(path string, proj int) (int, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return -1, err
	}
	return FtokStat(uint64(st.Dev), uint64(st.Ino), proj), nil
}

// FtokStat is [Ftok] from already known device and inode numbers.
func FtokStat(dev, ino uint64, proj int) int {
	return int(int32(uint32(proj&0xff)<<24 | uint32(dev&0xff)<<16 | uint32(ino&0xffff)))
}
