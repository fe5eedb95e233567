package qtkey

// CleanPath is QDir::cleanPath on Linux by the given rules: "." segments and repeated slashes
// go, ".." removes the segment before it, and a trailing slash goes except for "/". It differs
// from Go's path.Clean:
//   - ".." above the root of an absolute path stays: "/.." is "/..", "/../x" is "/../x"
//     (path.Clean: "/" and "/x");
//   - "" stays "" (path.Clean: ".").
//
// The Qt 6.8 algorithm ([RulesQt68]) also differs from the older one ([RulesQt5]) where a
// double slash follows a "." or ".." segment that it removes or keeps: "/.//a" is "/a" in Qt 5
// but "//a" in Qt 6.8, "..//a" is "../a" but "..//a", and "..//.." is "../.." but "..", so
// the last names a different directory. Both were checked against every path of up to eight
// characters from "/", "." and "a" with the real Qt libraries.
//
// path is valid UTF-8; bytes of multi-byte sequences are never '/' or '.', so working on bytes
// equals Qt's work on UTF-16.
func CleanPath(path string, rules PathRules) string {
	if path == "" {
		return path
	}
	var ret string
	if rules >= RulesQt68 {
		ret = normalizeQt68(path)
	} else {
		ret = normalizeQt5(path)
	}
	if len(ret) > 1 && ret[len(ret)-1] == '/' {
		ret = ret[:len(ret)-1]
	}
	return ret
}

// rootLength is Qt's rootLength on Unix without UNC paths: 1 for an absolute path, else 0.
func rootLength(name string) int {
	if name != "" && name[0] == '/' {
		return 1
	}
	return 0
}

// normalizeQt5 is qt_normalizePathSegments of Qt 5.15 and 6.0–6.7 for local paths. It scans
// from the end, counting ".." segments ("up") and skipping that many ordinary segments, and
// writes the result backwards.
func normalizeQt5(name string) string {
	n := len(name)
	if n == 0 {
		return name
	}
	prefixLength := rootLength(name)
	p := name[prefixLength:]
	// The output never outgrows the input in Qt; the slack only guards the port.
	out := make([]byte, 2*n+2)
	end := len(out)
	used := end
	push := func(c byte) { used--; out[used] = c }
	i := len(p) - 1
	up := 0

	// Keep a trailing slash (i > 0: p is more than one character).
	if i > 0 && p[i] == '/' {
		push('/')
		i--
	}
	for i >= 0 {
		if p[i] == '/' { // repeated slashes
			i--
			continue
		}
		if p[i] == '.' && (i == 0 || p[i-1] == '/') { // "." segment
			i--
			continue
		}
		if i >= 1 && p[i] == '.' && p[i-1] == '.' && (i < 2 || p[i-2] == '/') { // ".." segment
			up++
			if i >= 2 {
				i -= 3
			} else {
				i -= 2
			}
			continue
		}
		// An ordinary segment: a slash before it unless the output is empty or starts with one.
		if up == 0 && used != end && out[used] != '/' {
			push('/')
		}
		for i >= 0 {
			if p[i] == '/' {
				i--
				break
			}
			if up == 0 {
				push(p[i])
			}
			i--
		}
		if up > 0 {
			up--
		}
	}
	// ".." left over (for an absolute path too).
	for ; up > 0; up-- {
		if used != end && out[used] != '/' {
			push('/')
		}
		push('.')
		push('.')
	}
	isEmpty := used == end
	if prefixLength > 0 {
		if !isEmpty && out[used] == '/' {
			used++ // the prefix followed by slashes only
		}
		for k := prefixLength - 1; k >= 0; k-- {
			push(name[k])
		}
	} else if isEmpty || out[used] == '/' {
		push('.') // "foo/.." is ".", "./" is "./"
	}
	if end-used == n {
		return name // Qt returns the input when the length did not change
	}
	return string(out[used:])
}

// normalizeQt68 is qt_normalizePathSegments of Qt 6.8 for local paths: a forward pass in
// place, modelled on RFC 3986's remove_dot_segments.
func normalizeQt68(path string) string {
	prefixLength := rootLength(path)
	n := len(path)

	// Find the first "." or ".." segment or repeated slash; without one the path stays.
	i := prefixLength
	for lastWasSlash := true; i < n; i++ {
		if lastWasSlash && path[i] == '.' {
			if i+1 == n || path[i+1] == '/' {
				break
			}
			if path[i+1] == '.' && (i+2 == n || path[i+2] == '/') {
				break
			}
		}
		if lastWasSlash && path[i] == '/' && i > 0 {
			i-- // back up one, so that the loop below swallows the slashes
			break
		}
		lastWasSlash = path[i] == '/'
	}
	if i == n {
		return path
	}

	buf := []byte(path) // in and out share it, as in Qt; out never passes in
	start := prefixLength
	end := n
	out := i
	in := i
	at := func(k int) byte { // Qt reads the terminating NUL at the end
		if k < end {
			return buf[k]
		}
		return 0
	}
	for {
		// Copy one slash of a run.
		if buf[in] == '/' {
			buf[out] = buf[in]
			out++
			in++
			for in < end && buf[in] == '/' {
				in++
			}
		}
		const (
			nothing = iota
			dot
			dotDot
		)
		typ := nothing
		if at(in) == '.' {
			if in+1 == end || buf[in+1] == '/' {
				typ = dot
			} else if buf[in+1] == '.' && (in+2 == end || buf[in+2] == '/') {
				typ = dotDot
			}
		}
		if typ == nothing {
			for in < end && buf[in] != '/' {
				buf[out] = buf[in]
				out++
				in++
			}
			if in < end {
				continue
			}
			break
		}
		if typ == dotDot {
			if out == start {
				// Nothing to go up from: keep the ".." and "re-root" after it.
				buf[out] = '.'
				buf[out+1] = '.'
				out += 2
				if in+2 != end {
					buf[out] = '/'
					out++
					in++
				}
				start = out
				in += 2
				if in < end {
					continue
				}
				break
			}
			for out > start {
				out--
				if buf[out] == '/' {
					break
				}
			}
			for out > start && buf[out-1] == '/' {
				out--
			}
			for out > start && buf[out-1] != '/' {
				out--
			}
			in += 2
		} else {
			in++
		}
		if out > start {
			// Always back up one slash, then all of them.
			if buf[out-1] == '/' && in != end {
				out--
			}
			for out > start && buf[out-1] == '/' {
				out--
			}
		}
		if out == start {
			// At the root: do not turn a relative path into an absolute one.
			if in != end && buf[in] == '/' {
				in++
			}
			for prefixLength == 0 && in != end && buf[in] == '/' {
				in++
			}
		}
		if in >= end {
			break
		}
	}
	if out == 0 {
		return "."
	}
	return string(buf[:out])
}
