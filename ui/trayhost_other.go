//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package ui

// SystemTrayHost reports whether a tray host is there to show Shardkeeper's
// icon. Windows' notification area and macOS's menu bar always are.
func SystemTrayHost() bool { return true }
