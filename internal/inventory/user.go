package inventory

import (
	"os/user"
	"strconv"
	"sync"
)

var (
	usersMu sync.Mutex
	users   = map[uint32]string{}
)

// UserName is the user name of uid, or its number when it has none; names are looked up once.
func UserName(uid uint32) string {
	usersMu.Lock()
	defer usersMu.Unlock()
	if n, ok := users[uid]; ok {
		return n
	}
	n := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(n); err == nil {
		n = u.Username
	}
	users[uid] = n
	return n
}
