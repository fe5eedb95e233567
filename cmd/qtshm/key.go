package main

import (
	"fmt"
	"io"
	"strings"
)

const keySynopsis = "key [--native] [--json] [--tmpdir DIR] [--flavor qt515|qt661] KEY"

// runKey is `qtshm key KEY`: the key's native keys and ftok keys, and the objects that exist.
func runKey(args []string, stdout io.Writer) (int, error) {
	c := newCommon("key")
	if help, err := c.parse(args, 1, keySynopsis, stdout); help || err != nil {
		return 0, err
	}
	ki, err := c.inspect(c.fs.Arg(0))
	if err != nil {
		return 0, err
	}
	if c.json {
		return 0, printJSON(stdout, ki)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "shared memory: %s\nlock:          %s\n", ki.NativeKey, ki.LockNativeKey)
	ftok := map[string]int{}
	for _, o := range ki.Objects {
		if o.Kind == "keyfile" {
			ftok[o.Path] = o.SysVKey
		}
	}
	for _, p := range []string{ki.NativeKey, ki.LockNativeKey} {
		if k, ok := ftok[p]; ok && k != 0 {
			fmt.Fprintf(&b, "ftok(%s, %d) = 0x%08x\n", p, uint32(k)>>24, uint32(k))
		}
	}
	yes := map[bool]string{true: "exists", false: "does not exist"}
	fmt.Fprintf(&b, "segment %s, lock %s\n", yes[ki.SegmentExists], yes[ki.LockExists])
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return 0, err
	}
	if len(ki.Objects) == 0 {
		return 0, nil
	}
	fmt.Fprintln(stdout)
	return 0, printTable(stdout, ki.Objects, termWidth(stdout))
}
