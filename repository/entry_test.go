package repository

import (
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

func TestCompatibleWith(t *testing.T) {
	tests := []struct {
		name   string
		compat Compatibility
		api    string
		goos   string
		want   IsCompatible
	}{
		{"nothing stated", Compatibility{}, "1.0.0", "linux", IsCompatible{true, true, true}},
		{"tentacle constraint met", Compatibility{Tentacle: "^1.0"}, "1.4.2", "linux", IsCompatible{true, true, true}},
		{"tentacle constraint not met", Compatibility{Tentacle: ">=2.0"}, "1.4.2", "linux", IsCompatible{false, true, true}},
		{"tentacle range", Compatibility{Tentacle: ">=1.0, <1.4"}, "1.4.0", "linux", IsCompatible{false, true, true}},
		{"tentacle or", Compatibility{Tentacle: "<1.0 || >=1.4"}, "1.4.0", "linux", IsCompatible{true, true, true}},
		{"invalid tentacle constraint", Compatibility{Tentacle: "soon"}, "1.0.0", "linux", IsCompatible{false, true, true}},
		{"API version not semver", Compatibility{Tentacle: "^1.0"}, "dev", "linux", IsCompatible{false, true, true}},
		{"octoprint versions not checked", Compatibility{OctoPrint: []string{">=9.0"}}, "1.0.0", "linux", IsCompatible{true, true, true}},
		{"python never checked", Compatibility{Python: ">=2.7,<3"}, "1.0.0", "linux", IsCompatible{true, true, true}},
		{"empty os list", Compatibility{OS: []string{}}, "1.0.0", "windows", IsCompatible{true, true, true}},
		{"os listed", Compatibility{OS: []string{"linux", "windows"}}, "1.0.0", "windows", IsCompatible{true, true, true}},
		{"os not listed", Compatibility{OS: []string{"linux", "windows"}}, "1.0.0", "darwin", IsCompatible{true, false, true}},
		{"macos is darwin", Compatibility{OS: []string{"macos"}}, "1.0.0", "darwin", IsCompatible{true, true, true}},
		{"darwin by its GOOS", Compatibility{OS: []string{"Darwin"}}, "1.0.0", "darwin", IsCompatible{true, true, true}},
		{"posix has macos", Compatibility{OS: []string{"posix"}}, "1.0.0", "darwin", IsCompatible{true, true, true}},
		{"posix has freebsd", Compatibility{OS: []string{"posix"}}, "1.0.0", "freebsd", IsCompatible{true, true, true}},
		{"posix has no windows", Compatibility{OS: []string{"posix"}}, "1.0.0", "windows", IsCompatible{true, false, true}},
		{"nix has linux", Compatibility{OS: []string{"nix"}}, "1.0.0", "linux", IsCompatible{true, true, true}},
		{"nix has no macos", Compatibility{OS: []string{"nix"}}, "1.0.0", "darwin", IsCompatible{true, false, true}},
		{"excluded", Compatibility{OS: []string{"!windows"}}, "1.0.0", "windows", IsCompatible{true, false, true}},
		{"not excluded", Compatibility{OS: []string{"!windows"}}, "1.0.0", "linux", IsCompatible{true, true, true}},
		{"group excluded", Compatibility{OS: []string{"!posix"}}, "1.0.0", "linux", IsCompatible{true, false, true}},
		{"listed and excluded", Compatibility{OS: []string{"posix", "!macos"}}, "1.0.0", "darwin", IsCompatible{true, false, true}},
		{"other system", Compatibility{OS: []string{"linux"}}, "1.0.0", "openbsd", IsCompatible{true, false, true}},
		{"everything wrong", Compatibility{OS: []string{"windows"}, Tentacle: "<1"}, "1.0.0", "linux", IsCompatible{false, false, true}},
	}
	for _, tc := range tests {
		e := Entry{Compatibility: tc.compat}
		if got := e.CompatibleWith(tc.api, tc.goos); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
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
