//go:build !unix

package qtshm_test

import "errors"

// inodeOf is the inode number of path (not on this system).
func inodeOf(path string) (uint64, error) { return 0, errors.ErrUnsupported }
