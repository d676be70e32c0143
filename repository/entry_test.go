package repository

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestArchiveFor(t *testing.T) {
	perPlatform := map[string]Archive{
		"linux_amd64":   {URL: "https://x/linux-amd64.tgz", SHA256: "aa"},
		"Linux_ARM64":   {URL: "https://x/linux-arm64.tgz", SHA256: "bb"},
		"windows_amd64": {URL: "", SHA256: "cc"}, // no URL: not an archive
	}
	tests := []struct {
		name         string
		entry        Entry
		goos, goarch string
		url, sha     string
		ok           bool
	}{
		{"per-platform archive", Entry{Tier: TierProcess, Archives: perPlatform, Archive: "https://x/all.tgz", SHA256: "ff"},
			"linux", "amd64", "https://x/linux-amd64.tgz", "aa", true},
		{"platform key in any case", Entry{Tier: TierProcess, Archives: perPlatform},
			"linux", "arm64", "https://x/linux-arm64.tgz", "bb", true},
		{"other platform: the archive for all", Entry{Tier: TierProcess, Archives: perPlatform, Archive: "https://x/all.tgz", SHA256: "ff"},
			"darwin", "arm64", "https://x/all.tgz", "ff", true},
		{"per-platform entry without URL: the archive for all", Entry{Tier: TierProcess, Archives: perPlatform, Archive: "https://x/all.tgz"},
			"windows", "amd64", "https://x/all.tgz", "", true},
		{"other platform, no archive for all", Entry{Tier: TierProcess, Archives: perPlatform},
			"darwin", "arm64", "", "", false},
		{"source plugin", Entry{Tier: TierSource, Archive: "https://x/src.tgz", SHA256: "ee"},
			"plan9", "386", "https://x/src.tgz", "ee", true},
		{"source plugin without sha256", Entry{Tier: TierSource, Archive: "https://x/src.tgz"},
			"linux", "amd64", "https://x/src.tgz", "", true},
		{"nothing to download", Entry{Tier: TierSource},
			"linux", "amd64", "", "", false},
		{"OctoPrint's plugin (no tier)", Entry{Archive: "https://github.com/x/archive/master.zip"},
			"linux", "amd64", "", "", false},
		{"unknown tier", Entry{Tier: "builtin", Archive: "https://x/a.tgz"},
			"linux", "amd64", "", "", false},
	}
	for _, tc := range tests {
		url, sha, ok := tc.entry.ArchiveFor(tc.goos, tc.goarch)
		if url != tc.url || sha != tc.sha || ok != tc.ok {
			t.Errorf("%s: ArchiveFor(%s, %s) = %q, %q, %v; want %q, %q, %v",
				tc.name, tc.goos, tc.goarch, url, sha, ok, tc.url, tc.sha, tc.ok)
		}
	}
}

func TestFixtureEntries(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join("testdata", IndexFile))
	d, err := newIndexData(data, "1.0.0", "linux")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]IsCompatible{
		"weather":   {true, true, true},
		"camstream": {true, true, true},
		"mqtt":      {true, true, true},
		"oldthing":  {false, true, true},
	}
	for _, e := range d.entries {
		if e.IsCompatible != want[e.ID] {
			t.Errorf("%s: is_compatible %+v, want %+v", e.ID, e.IsCompatible, want[e.ID])
		}
	}
	old := d.entries[d.byID["oldthing"]]
	if !slices.Equal(old.Attributes, []string{"commercial", "abandoned"}) {
		t.Errorf("oldthing's attributes %v: abandoned is not added", old.Attributes)
	}
	if !old.IsDisabled() || *old.Disabled != "It breaks file uploads." || old.UpForAdoption == "" {
		t.Errorf("oldthing: disabled %v, up for adoption %q", old.Disabled, old.UpForAdoption)
	}
	if d.entries[d.byID["weather"]].IsDisabled() {
		t.Error("weather is disabled")
	}
	cam := d.entries[d.byID["camstream"]]
	if cam.PrivacyPolicy != "https://example.org/camstream/privacy" {
		t.Errorf("privacy policy %q", cam.PrivacyPolicy)
	}
	if url, sha, _ := cam.ArchiveFor("linux", "arm64"); !strings.HasSuffix(url, "linux-arm64.tar.gz") || !strings.HasPrefix(sha, "2222") {
		t.Errorf("camstream for linux/arm64: %s %s", url, sha)
	}
}

// TestUnknownFieldsPreserved: an entry served again holds every key of
// the index's object with the same value; only what OctoPrint adds or
// computes (is_compatible, the defaults, "abandoned" in attributes)
// differs.
func TestUnknownFieldsPreserved(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join("testdata", IndexFile))
	var originals []any
	if err := json.Unmarshal(data, &originals); err != nil {
		t.Fatal(err)
	}
	d, err := newIndexData(data, "1.0.0", "linux")
	if err != nil {
		t.Fatal(err)
	}
	added := map[string]bool{"is_compatible": true, "attributes": true, "privacypolicy": true,
		"follow_dependency_links": true, "no_build_isolation": true}
	for i, e := range d.entries {
		orig := originals[i].(map[string]any)
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range orig {
			if !reflect.DeepEqual(got[k], v) && !added[k] {
				t.Errorf("%s.%s: served %v, the index has %v", e.ID, k, got[k], v)
			}
		}
		for k := range got {
			if _, ok := orig[k]; !ok && !added[k] && got[k] != "" && got[k] != false {
				t.Errorf("%s.%s: served %v, which the index does not have", e.ID, k, got[k])
			}
		}
		for k := range added {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: %s missing, OctoPrint always sends it", e.ID, k)
			}
		}
	}
}

// TestWrongTypesKept: a known key whose value has another type is read
// as absent and written back as it came.
func TestWrongTypesKept(t *testing.T) {
	in := `{"id":"x","title":7,"attributes":"cloud","privacypolicy":true,"disabled":true,` +
		`"compatibility":{"os":"linux","tentacle":["^1"]},"archives":{"linux_amd64":"https://x"},"abandoned":"yes"}`
	var e Entry
	if err := json.Unmarshal([]byte(in), &e); err != nil {
		t.Fatal(err)
	}
	if e.Title != "" || len(e.Attributes) != 0 || e.PrivacyPolicy != "" || e.Disabled != nil ||
		e.Compatibility.OS != nil || e.Archives != nil || e.Abandoned {
		t.Errorf("wrong types read as values: %+v", e)
	}
	if !e.IsDisabled() {
		t.Error(`"disabled": true does not disable`)
	}
	if !OSCompatible(e.Compatibility.OS, "windows") {
		t.Error("an os of the wrong type restricts")
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	_ = json.Unmarshal(b, &got)
	_ = json.Unmarshal([]byte(in), &want)
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s: written back as %v, came as %v", k, got[k], v)
		}
	}
}

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
