package repository

import (
	"testing"
)

func TestSemverOf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1.2.3", "1.2.3"},
		{"1.2", "1.2.0"},
		{"v2", "2.0.0"},
		{"1.02.0", "1.2.0"},
		{"1.11.0rc1", "1.11.0-rc.1"},
		{"1.11rc1", "1.11.0-rc.1"},
		{"1.0a2", "1.0.0-alpha.2"},
		{"1.0.0b", "1.0.0-beta.0"},
		{"1.0.0-beta.3", "1.0.0-beta.3"},
		{"1.0.0.dev4", "1.0.0-0.dev.4"},
		{"1.0.post2", "1.0.0+post.2"},
		{"1.0-1", "1.0.0+post.1"},
		{"1.0+local.7", "1.0.0+local.7"},
		{"1.2.3.4", "1.2.3"},
		{"1.0.0-foo", "1.0.0-foo"}, // not PEP 440: unchanged
		{"nightly", "nightly"},
	} {
		if got := semverOf(tc.in); got != tc.want {
			t.Errorf("semverOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseSpecifier(t *testing.T) {
	tests := []struct {
		spec, bare, version string
		want                bool
	}{
		{">=1.0,<2", "", "1.5.0", true},
		{">=1.0,<2", "", "2.0.0", false},
		{">= 1.0, < 2", "", "1.5.0", true},
		{"==1.4.2", "", "1.4.2", true},
		{"==1.4", "", "1.4.0", true},
		{"==1.4.*", "", "1.4.9", true},
		{"==1.4.*", "", "1.5.0", false},
		{"!=1.4.*", "", "1.4.1", false},
		{"===1.0", "", "1.0.0", true},
		{"~=1.4.2", "", "1.4.9", true},
		{"~=1.4.2", "", "1.5.0", false},
		{"~=1.4.2", "", "1.4.1", false},
		{"~=2.2", "", "2.9.0", true},
		{"~=2.2", "", "3.0.0", false},
		{"<2.0.0rc2", "", "2.0.0rc1", true},
		{">=1.11.0rc1", "", "1.11.0", true},
		{"1.5.0", ">=", "1.6.0", true},
		{"1.5.0", ">=", "1.4.0", false},
		{"1.5.0", "", "1.6.0", false},
		{"^1.2", "", "1.9.0", true},
		{"^1.2", "", "2.0.0", false},
		{"<1 || >=3", "", "3.1.0", true},
		{">=1.0 <2", "", "1.5.0", true},
		{"1.0 - 1.4", "", "1.2.0", true},
	}
	for _, tc := range tests {
		c, err := parseSpecifier(tc.spec, tc.bare)
		if err != nil {
			t.Errorf("parseSpecifier(%q): %v", tc.spec, err)
			continue
		}
		v, err := parseVersion(tc.version)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Check(v); got != tc.want {
			t.Errorf("%q admits %s: %v, want %v", tc.spec, tc.version, got, tc.want)
		}
	}
	for _, bad := range []string{"", ",", "~=1", ">=one", "<<1"} {
		if _, err := parseSpecifier(bad, ""); err == nil {
			t.Errorf("parseSpecifier(%q) succeeded", bad)
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
