//go:build !unix

package main

import "os"

// ttyWidth is 0 here: only $COLUMNS limits the width.
func ttyWidth(*os.File) int { return 0 }
