package ipc

// ProjQ is the ftok project id Qt uses for its SysV keys: 'Q' (0x51), also the value of
// QNativeIpcKey::Type::SystemV.
const ProjQ = 'Q'

// FtokStat is glibc's ftok from already known device and inode numbers:
//
//	(proj&0xff)<<24 | (st_dev&0xff)<<16 | (st_ino&0xffff)
//
// The result is a key_t (a C int), so it is negative for proj >= 0x80.
func FtokStat(dev, ino uint64, proj int) int {
	return int(int32(uint32(proj&0xff)<<24 | uint32(dev&0xff)<<16 | uint32(ino&0xffff)))
}
