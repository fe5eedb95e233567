//go:build qt5 || qt6

package qtshm_test

// With -tags qt5 or qt6 the whole suite also runs against Qt's own classes.
import _ "github.com/qtshm/qtshm-go/native"
