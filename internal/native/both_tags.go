//go:build qt5 && qt6

package native

// Building with both tags is an error: Qt 5 and Qt 6 cannot be linked into one program.
var _ = "qtshm/native: the build tags qt5 and qt6 are mutually exclusive" + 1
