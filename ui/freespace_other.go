//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly || windows)

package ui

import "errors"

func availableBytes(string) (int64, error) {
	return 0, errors.New("free space cannot be read on this system")
}
