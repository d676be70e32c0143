package repository

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParseIndex: whatever ParseIndex accepts, encoding its entries and
// parsing them again gives the same entries, and encoding those gives the
// same bytes: decode → encode → decode is stable, so serving an index
// loses and invents nothing. The seed corpus is in
// testdata/fuzz/FuzzParseIndex, with the fixture added here.
func FuzzParseIndex(f *testing.F) {
	fixture, err := os.ReadFile(filepath.Join("testdata", IndexFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _, err := ParseIndex(data)
		if err != nil {
			return
		}
		enc, err := json.Marshal(entries)
		if err != nil {
			t.Fatalf("encoding parsed entries: %v", err)
		}
		again, skipped, err := ParseIndex(enc)
		if err != nil {
			t.Fatalf("parsing encoded entries: %v\n%s", err, enc)
		}
		if skipped != 0 {
			t.Fatalf("%d encoded entries skipped\n%s", skipped, enc)
		}
		if !reflect.DeepEqual(entries, again) {
			t.Fatalf("decode → encode → decode differs\nfirst:  %#v\nsecond: %#v\nencoded: %s", entries, again, enc)
		}
		enc2, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable\nfirst:  %s\nsecond: %s", enc, enc2)
		}
	})
}
