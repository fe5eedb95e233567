//go:build plan9

package qtkey

import "path/filepath"

// resolve has no glibc to follow on Plan 9 (Qt does not run there): the path is only made
// absolute and cleaned.
func resolve(p string, rules PathRules) (string, resolveOutcome) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", failed
	}
	return filepath.Clean(abs), found
}
