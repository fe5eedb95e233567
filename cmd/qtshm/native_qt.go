//go:build qt5 || qt6

package main

import _ "github.com/qtshm/qtshm-go/native" // -tags qt5|qt6: the native backend is available
