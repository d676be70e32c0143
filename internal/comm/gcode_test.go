package comm

import (
	"strconv"
	"strings"
	"testing"
)

// TestChecksum: the checksum of every length up to 40 bytes is the XOR of
// its bytes, and a numbered line carries it in decimal.
func TestChecksum(t *testing.T) {
	text := []byte("N123456 G1 X10.5 Y20.25 E0.5 F3000 ;\xff\x80~|")
	for n := 0; n <= len(text); n++ {
		var want byte
		for _, c := range text[:n] {
			want ^= c
		}
		if got := Checksum(text[:n]); got != want {
			t.Errorf("Checksum(%q) = %d, want %d", text[:n], got, want)
		}
	}
	for _, tc := range []struct {
		n    int64
		line string
	}{{1, "M115"}, {2, "G28"}, {99, "G1 X1"}, {123456789, "G1 X10.5 Y20.25 E0.5"}, {7, "M117 ~~~~"}} {
		got := string(AppendNumbered([]byte("x"), tc.n, tc.line))
		head := "N" + strconv.FormatInt(tc.n, 10) + " " + tc.line
		want := "x" + head + "*" + strconv.Itoa(int(Checksum([]byte(head)))) + "\n"
		if got != want {
			t.Errorf("AppendNumbered(%d, %q) = %q, want %q", tc.n, tc.line, got, want)
		}
	}
	// The text of every checksum of ASCII lines, one to three digits.
	seen := map[byte]bool{}
	for i := range 5000 {
		line := "G1 X" + strconv.Itoa(i*7919%10007) + strings.Repeat("~", i%7) + string(rune('A'+i%26))
		head := "N" + strconv.Itoa(i) + " " + line
		cs := Checksum([]byte(head))
		seen[cs] = true
		if got, want := string(AppendNumbered(nil, int64(i), line)), head+"*"+strconv.Itoa(int(cs))+"\n"; got != want {
			t.Fatalf("AppendNumbered(%d, %q) = %q, want %q", i, line, got, want)
		}
	}
	if len(seen) != 128 {
		t.Errorf("%d checksums seen, want all 128", len(seen))
	}
}

// TestLineNumber: counting up the text in place gives every number's
// decimal text, across carries and after the number is set.
func TestLineNumber(t *testing.T) {
	var l lineNumber
	check := func() {
		t.Helper()
		want := l.n + 1
		if got := string(l.next()); got != strconv.FormatInt(want, 10) || l.n != want {
			t.Fatalf("next = %q (n %d), want %d", got, l.n, want)
		}
	}
	for range 12000 {
		check()
	}
	for _, n := range []int64{0, 8, 98, 999, 99999, 123456789, 9999999999} {
		l.set(n)
		for range 3 {
			check()
		}
	}
}
