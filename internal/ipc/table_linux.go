//go:build linux && !android

package ipc

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ShmTable reads every System V segment of this IPC namespace from /proc/sysvipc/shm.
func ShmTable() ([]ShmEntry, error) {
	rows, err := readTable("/proc/sysvipc/shm", "key", "shmid", "perms", "size", "cpid", "lpid", "nattch", "uid", "gid", "cuid", "cgid", "atime", "dtime", "ctime")
	if err != nil {
		return nil, err
	}
	out := make([]ShmEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, ShmEntry{
			Key: int(int32(r[0])), ID: int(r[1]), Mode: uint32(r[2]), Size: uint64(r[3]),
			Cpid: int32(r[4]), Lpid: int32(r[5]), Nattch: uint64(r[6]),
			Uid: uint32(r[7]), Gid: uint32(r[8]), Cuid: uint32(r[9]), Cgid: uint32(r[10]),
			Atime: r[11], Dtime: r[12], Ctime: r[13],
		})
	}
	return out, nil
}

// SemTable reads every System V semaphore set of this IPC namespace from /proc/sysvipc/sem.
func SemTable() ([]SemEntry, error) {
	rows, err := readTable("/proc/sysvipc/sem", "key", "semid", "perms", "nsems", "uid", "gid", "cuid", "cgid", "otime", "ctime")
	if err != nil {
		return nil, err
	}
	out := make([]SemEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, SemEntry{
			Key: int(int32(r[0])), ID: int(r[1]), Mode: uint32(r[2]), Nsems: uint64(r[3]),
			Uid: uint32(r[4]), Gid: uint32(r[5]), Cuid: uint32(r[6]), Cgid: uint32(r[7]),
			Otime: r[8], Ctime: r[9],
		})
	}
	return out, nil
}

// readTable reads a /proc/sysvipc table and returns, for each row, the values of the named
// columns in the order asked for. Columns are found by the header's names, so that added
// columns (rss, swap) do not matter. "perms" is octal, the rest decimal.
func readTable(path string, cols ...string) ([][]int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: no header line", path)
	}
	header := strings.Fields(sc.Text())
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = -1
		for j, h := range header {
			if h == c {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return nil, fmt.Errorf("%s: no column %q in %q", path, c, sc.Text())
		}
	}
	var rows [][]int64
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		row := make([]int64, len(cols))
		for i, j := range idx {
			if j >= len(f) {
				return nil, fmt.Errorf("%s: short line %q", path, sc.Text())
			}
			base := 10
			if cols[i] == "perms" {
				base = 8
			}
			v, err := strconv.ParseInt(f[j], base, 64)
			if err != nil {
				u, uerr := strconv.ParseUint(f[j], base, 64)
				if uerr != nil {
					return nil, fmt.Errorf("%s: column %s: %v", path, cols[i], err)
				}
				v = int64(u)
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}
