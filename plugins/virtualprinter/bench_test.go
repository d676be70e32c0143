package virtualprinter

import (
	"strconv"
	"testing"

	"github.com/tentacle-go/tentacle/internal/proctest"
)

// appendG1 appends the benchmark's numbered, checksummed G1 line n.
func appendG1(line []byte, n int64) []byte {
	start := len(line)
	line = append(line, 'N')
	line = strconv.AppendInt(line, n, 10)
	line = append(line, " G1 X10.5 Y20 E0.5"...)
	cs := checksum(line[start:])
	line = append(line, '*')
	line = strconv.AppendInt(line, cs, 10)
	return append(line, '\n')
}

// BenchmarkWriteG1 is one line of a print through the printer: a
// numbered, checksummed G1 written, its "ok" read.
func BenchmarkWriteG1(b *testing.B) {
	p := New(Options{})
	defer p.Close()
	line := make([]byte, 0, 64)
	buf := make([]byte, 64)
	n := int64(0)
	b.ReportAllocs()
	cpu := proctest.CPUTime()
	for b.Loop() {
		n++
		line = appendG1(line[:0], n)
		if _, err := p.Write(line); err != nil {
			b.Fatal(err)
		}
		if k, err := p.Read(buf); err != nil || string(buf[:k]) != "ok\n" {
			b.Fatalf("read %q, %v", buf[:k], err)
		}
	}
	if proctest.Supported {
		b.ReportMetric(float64(proctest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkM105 is a temperature query and its answer.
func BenchmarkM105(b *testing.B) {
	p := New(Options{})
	defer p.Close()
	line := []byte("M105\n")
	buf := make([]byte, 128)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Write(line); err != nil {
			b.Fatal(err)
		}
		if _, err := p.Read(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLineBuilding is the part of BenchmarkWriteG1 spent making the
// line, to subtract from it.
func BenchmarkLineBuilding(b *testing.B) {
	line := make([]byte, 0, 64)
	n := int64(0)
	for b.Loop() {
		n++
		line = appendG1(line[:0], n)
	}
	if len(line) == 0 {
		b.Fatal("no line")
	}
}

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
