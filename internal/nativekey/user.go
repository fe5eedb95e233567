package nativekey

import (
	"os"
	"os/user"
	"strconv"
)

// userName is QFileSystemEngine::resolveUserName(geteuid()): the passwd name, "" if none.
func userName() string {
	u, err := user.LookupId(strconv.Itoa(os.Geteuid()))
	if err != nil {
		return ""
	}
	return u.Username
}
