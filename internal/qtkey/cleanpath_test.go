package qtkey

import (
	"bufio"
	"os"
	"path"
	"strings"
	"testing"
)

// TestCleanPathCases: the inputs where Qt's QDir::cleanPath differs from Go's path.Clean, or
// Qt 6.8 from Qt 5; the expected values are what the real Qt libraries return.
func TestCleanPathCases(t *testing.T) {
	for _, c := range []struct {
		in, qt5, qt68 string
		goSame        bool // path.Clean gives the Qt 5 result too
	}{
		{"", "", "", false},
		{"/", "/", "/", true},
		{"//", "/", "/", true},
		{"//x", "/x", "/x", true},
		{"///x//", "/x", "/x", true},
		{"/tmp/", "/tmp", "/tmp", true},
		{".", ".", ".", true},
		{"./", ".", ".", true},
		{"./a", "a", "a", true},
		{"a/..", ".", ".", true},
		{"a/../..", "..", "..", true},
		{"../..", "../..", "../..", true},
		{"a/.", "a", "a", true},
		{"a/...", "a/...", "a/...", true},
		{"a/b/../../../c", "../c", "../c", true},
		{"/..", "/..", "/..", false},
		{"/../x", "/../x", "/../x", false},
		{"/x/../../y", "/../y", "/../y", false},
		{"/.//a", "/a", "//a", true},
		{"..//a", "../a", "..//a", true},
		{"..//..", "../..", "..", true},
		{"/..//", "/..", "/../", false},
		{"..//", "..", "../", true},
		{"a//./b", "a/b", "a/b", true},
		{":x/../y", "y", "y", true},
	} {
		if got := CleanPath(c.in, RulesQt5); got != c.qt5 {
			t.Errorf("CleanPath(%q, Qt5) = %q, want %q", c.in, got, c.qt5)
		}
		if got := CleanPath(c.in, RulesQt68); got != c.qt68 {
			t.Errorf("CleanPath(%q, Qt6.8) = %q, want %q", c.in, got, c.qt68)
		}
		if same := path.Clean(c.in) == c.qt5; same != c.goSame {
			t.Errorf("%q: path.Clean gives %q, Qt 5 %q: the table says same=%v", c.in, path.Clean(c.in), c.qt5, c.goSame)
		}
	}
}

// TestCleanPathRecorded: every path of up to six characters from "/", "." and "a", against
// the results recorded from the real Qt 5.15.8, 6.4.2 and 6.8.2 libraries (testdata).
func TestCleanPathRecorded(t *testing.T) {
	f, err := os.Open("testdata/cleanpath.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n, differ := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			t.Fatalf("bad line %q", line)
		}
		n++
		if cols[1] != cols[2] {
			differ++
		}
		if got := CleanPath(cols[0], RulesQt5); got != cols[1] {
			t.Errorf("CleanPath(%q, Qt5) = %q, Qt 5.15 says %q", cols[0], got, cols[1])
		}
		if got := CleanPath(cols[0], RulesQt68); got != cols[2] {
			t.Errorf("CleanPath(%q, Qt6.8) = %q, Qt 6.8 says %q", cols[0], got, cols[2])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 3+9+27+81+243+729 || differ == 0 {
		t.Fatalf("testdata has %d paths (%d where Qt versions differ); want all 1092", n, differ)
	}
}

func TestRulesFor(t *testing.T) {
	for _, c := range []struct {
		major, minor int
		want         PathRules
	}{{5, 15, RulesQt5}, {6, 4, RulesQt5}, {6, 7, RulesQt5}, {6, 8, RulesQt68}, {6, 10, RulesQt68}, {7, 0, RulesQt68}} {
		if got := RulesFor(c.major, c.minor); got != c.want {
			t.Errorf("RulesFor(%d, %d) = %v, want %v", c.major, c.minor, got, c.want)
		}
	}
}
