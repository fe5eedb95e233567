//go:build qt6 && !qt5

package native

// #cgo pkg-config: Qt6Core
// #cgo CXXFLAGS: -std=c++17 -fPIC -DQTSHM_EXPECT_QT_MAJOR=6
import "C"
