package ipc

const isAmd64 = true
