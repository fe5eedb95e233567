//go:build qt5 && !qt6

package native

// #cgo pkg-config: Qt5Core
// #cgo CXXFLAGS: -std=c++17 -fPIC -DQTSHM_EXPECT_QT_MAJOR=5
import "C"
