//go:build (qt5 || qt6) && !(qt5 && qt6)

package qtshm

import "github.com/qtshm/qtshm-go/internal/native"

// Built with -tags qt5 or qt6: Qt's own classes are the default backend.
func init() { nativeFactory = native.Factory }
