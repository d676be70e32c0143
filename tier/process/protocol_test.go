//go:build unix

package process

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/lean"
)

// chunked reads from r at most n bytes at a time.
type chunked struct {
	r io.Reader
	n int
}

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestScanProtocol: the marker is found wherever it lies in the file,
// across reads of any size; a file without it, or with only part of it,
// speaks the earlier protocol. The SHA-256 is the file's either way.
func TestScanProtocol(t *testing.T) {
	m := string(lean.Marker())
	pad := strings.Repeat("x", 70000)
	cases := []struct {
		name, content, want string
	}{
		{"at the start", m + pad, protocolLean},
		{"in the middle", pad + m + pad, protocolLean},
		{"at the end", pad + m, protocolLean},
		{"none", pad, protocolGRPC},
		{"cut short", pad + m[:len(m)-1], protocolGRPC},
		{"in two halves apart", pad + m[:10] + "y" + m[10:], protocolGRPC},
		{"empty", "", protocolGRPC},
	}
	for _, tc := range cases {
		want, _ := readerSHA256(strings.NewReader(tc.content))
		for _, n := range []int{1, 7, len(m) - 1, len(m), 4096, 1 << 20} {
			sum, got, err := scanSHA256(chunked{strings.NewReader(tc.content), n})
			if err != nil || got != tc.want || sum != want {
				t.Errorf("%s, reads of %d: %s, %s, %v; want %s", tc.name, n, got, sum, err, tc.want)
			}
		}
	}
}

// TestChecksRecordProtocol: a check records the protocol found, and a
// start answered from the record gets it without reading the file; a
// record from a host before protocols were recorded reads the file again.
func TestChecksRecordProtocol(t *testing.T) {
	content := "#!/bin/sh\n# " + string(lean.Marker()) + "\n"
	fx := newCheckFixture(t, content)
	want := sum(t, content)
	for i, wantRead := range []bool{true, false} {
		f, protocol, err := verifyOpen(fx.exe, want, fx.checks)
		if err != nil {
			t.Fatal(err)
		}
		off, _ := f.Seek(0, io.SeekCurrent)
		f.Close()
		if protocol != protocolLean || (off > 0) != wantRead {
			t.Errorf("check %d: protocol %q, read %v; want %q, %v", i, protocol, off > 0, protocolLean, wantRead)
		}
	}
	// The record as a host before protocols wrote it: no protocol.
	data, err := os.ReadFile(fx.records)
	if err != nil {
		t.Fatal(err)
	}
	var recs map[string]map[string]any
	if err := json.Unmarshal(data, &recs); err != nil || recs[fx.exe]["protocol"] != protocolLean {
		t.Fatalf("record %s, %v; want the protocol in it", data, err)
	}
	delete(recs[fx.exe], "protocol")
	data, _ = json.Marshal(recs)
	if err := os.WriteFile(fx.records, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if read, err := fx.check(fx.open(), want); err != nil || !read {
		t.Errorf("a record without a protocol: read %v, %v; want the file read again", read, err)
	}
}
