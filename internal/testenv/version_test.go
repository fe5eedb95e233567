package testenv

import "testing"

func TestParseVersion(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Version
	}{
		{"5.15.8", Version{5, 15, 8}},
		{"6.4.2", Version{6, 4, 2}},
		{"6.10", Version{6, 10, 0}},
		{"6.10.0", Version{6, 10, 0}},
		{"10.0.1", Version{10, 0, 1}},
	} {
		got, err := ParseVersion(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "6", "Qt6.8.2", "6.8.2.1", "6.x", "6..2", "6.8.", "-6.8", "6.+8", "6.08", " 6.8", "6.8.2-rc1"} {
		if v, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) = %v, want an error", bad, v)
		}
	}
}

// TestVersionOrder: versions compare by their numbers, where strings do not ("6.10" < "6.6").
func TestVersionOrder(t *testing.T) {
	ordered := []string{"5.9.9", "5.15", "5.15.8", "6.4.2", "6.6", "6.6.1", "6.8.2", "6.10", "6.10.1", "7.0"}
	for i, a := range ordered {
		va, _ := ParseVersion(a)
		for j, b := range ordered {
			vb, _ := ParseVersion(b)
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := va.Compare(vb); got != want {
				t.Errorf("%s.Compare(%s) = %d, want %d", a, b, got, want)
			}
		}
	}
	v := Version{6, 10, 0}
	if !v.AtLeast(6, 6, 1) || v.AtLeast(6, 10, 1) || !v.AtLeast(6, 10, 0) {
		t.Errorf("6.10.0 AtLeast: 6.6.1 %v, 6.10.1 %v, 6.10.0 %v", v.AtLeast(6, 6, 1), v.AtLeast(6, 10, 1), v.AtLeast(6, 10, 0))
	}
	if !v.Series(6, 10) || v.Series(6, 1) || v.String() != "6.10.0" {
		t.Errorf("6.10.0: Series(6,10) %v, Series(6,1) %v, String %q", v.Series(6, 10), v.Series(6, 1), v)
	}
}
