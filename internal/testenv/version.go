package testenv

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a release number such as Qt's "6.8.2", compared by its numbers: 6.10 is later
// than 6.6, which string comparison gets wrong ("Qt6.10" < "Qt6.6").
type Version struct {
	Major, Minor, Patch int
}

// ParseVersion parses "MAJOR.MINOR" or "MAJOR.MINOR.PATCH" (what qVersion() returns), each a
// decimal number; anything else is an error.
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("version %q: want MAJOR.MINOR[.PATCH]", s)
	}
	var n [3]int
	for i, part := range parts {
		v, err := strconv.Atoi(part)
		if err != nil || v < 0 || part == "" || part[0] == '+' || (len(part) > 1 && part[0] == '0') {
			return Version{}, fmt.Errorf("version %q: %q is not a number", s, part)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// Compare returns -1, 0 or +1 as v is earlier than, the same as or later than o.
func (v Version) Compare(o Version) int {
	for _, d := range [3]int{v.Major - o.Major, v.Minor - o.Minor, v.Patch - o.Patch} {
		if d < 0 {
			return -1
		}
		if d > 0 {
			return 1
		}
	}
	return 0
}

// AtLeast reports whether v is major.minor.patch or later.
func (v Version) AtLeast(major, minor, patch int) bool {
	return v.Compare(Version{major, minor, patch}) >= 0
}

// Series reports whether v is of the series major.minor (any patch).
func (v Version) Series(major, minor int) bool { return v.Major == major && v.Minor == minor }

// String formats v as MAJOR.MINOR.PATCH.
func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }
