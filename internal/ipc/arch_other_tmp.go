//go:build !amd64

package ipc

const isAmd64 = false
