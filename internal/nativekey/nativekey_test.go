package nativekey

import "testing"

// FuzzParse: parsing never panics, and the string of a parsed key parses back to the same key.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"posix:/x", "systemv-7:/a%2Fb?legacyKey=a%26b", "SystemV:////k#f", "posix:/a%zz?legacyKey=%41%",
		"windows:Local\\x", "posix:/x?legacyKey=1&legacyKey=2&", "posix:/%FF%C3", "systemv-081:/k?legacy%4Bey=k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := Parse(s)
		if !ok {
			return
		}
		str := k.String()
		if k2, ok := Parse(str); !ok || k2 != k {
			t.Fatalf("%q parsed to %+v, printed %q, which parses to %+v (%v)", s, k, str, k2, ok)
		}
	})
}
