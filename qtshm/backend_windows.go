//go:build windows

package qtshm

import "github.com/qtshm/qtshm-go/internal/winipc"

// On Windows the pure Windows backend serves QString keys and Windows native keys.
func init() { windowsFactory = winipc.Factory }
