//go:build !unix

package nativekey

// checkRuntimeDir: Qt's checks are Unix ones (owner, mode 0700); elsewhere no directory passes
// them, so PlatformSafe gives "/"+key for a relative System V key, as Qt would with an empty
// RuntimeLocation.
func checkRuntimeDir(dir string) bool { return false }
