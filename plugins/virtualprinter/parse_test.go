package virtualprinter

import "testing"

func TestChecksum(t *testing.T) {
	for _, s := range []string{"", "N", "N1 G1", "N123 G1 X10.5 Y20 E0.5", "N1000000 M104 S200 T0 ; a long line of many bytes"} {
		var want byte
		for i := 0; i < len(s); i++ {
			want ^= s[i]
		}
		if got := checksum([]byte(s)); got != int64(want) {
			t.Errorf("checksum(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestParseFloat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"10.5", 10.5, true}, {"-1", -1, true}, {".25", 0.25, true}, {"+3.", 3, true}, {"", 0, false}, {"-", 0, false}, {"x", 0, false},
	} {
		got, ok := parseFloat([]byte(tc.in))
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseFloat(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
