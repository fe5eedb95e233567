//go:build linux && (qt5 || qt6) && !(qt5 && qt6)

package main

import "github.com/qtshm/qtshm-go/internal/native"

// qtVersion is the Qt version the native backend runs with ("" without one).
func qtVersion() string { v, _ := native.QtVersion(); return v }
