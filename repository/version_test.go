package repository

import "testing"

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
