//go:build linux && (!(qt5 || qt6) || (qt5 && qt6))

package main

// qtVersion is the Qt version the native backend runs with ("" without one).
func qtVersion() string { return "" }
