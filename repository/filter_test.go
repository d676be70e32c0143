package repository

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/semver/v3"
)

// TestNoticeRelevant is OctoPrint's filter: the cases of its own test
// (tests/plugins/pluginmanager/test_notification_filter.py), with the host
// of API version 1.5.0 in OctoPrint's place, and more.
func TestNoticeRelevant(t *testing.T) {
	host := semver.MustParse("1.5.0")
	tests := []struct {
		name    string
		notice  Notice
		version string
		host    *semver.Version
		want    bool
	}{
		{"no versions: every version", Notice{}, "1.0.0", host, true},
		{"no versions, plugin without version", Notice{}, "", host, true},
		{"pluginversions range matches", Notice{PluginVersions: []string{">=1.0.0"}}, "1.0.0", host, true},
		{"pluginversions exact among ranges", Notice{PluginVersions: []string{">=2.0.0", "0.9.0", "0.9.1", "1.0.0"}}, "1.0.0", host, true},
		{"pluginversions: neither range nor exact", Notice{PluginVersions: []string{">=2.0.0", "0.9.0", "0.9.1", "1.0.0"}}, "1.1.0", host, false},
		{"pluginversions range with and", Notice{PluginVersions: []string{">=0.7.0,<=0.7.1"}}, "0.7.1", host, true},
		{"pluginversions PEP 440 pre-release", Notice{PluginVersions: []string{"<2.0.0rc2"}}, "2.0.0rc1", host, true},
		{"pluginversions exact is a string match", Notice{PluginVersions: []string{"1.0"}}, "1.0.0", host, false},
		{"pluginversions empty: no version", Notice{PluginVersions: []string{}}, "1.0.0", host, false},
		{"pluginversions invalid range", Notice{PluginVersions: []string{">=one"}}, "1.0.0", host, false},
		{"pluginversions, version not semver", Notice{PluginVersions: []string{"<2"}}, "nightly", host, false},
		{"pluginversions, plugin without version", Notice{PluginVersions: []string{"<2"}}, "", host, false},
		{"versions match", Notice{Versions: []string{"0.9.0", "0.9.1", "1.0.0", "1.0.1"}}, "1.0.0", host, true},
		{"versions do not match", Notice{Versions: []string{"0.9.0", "0.9.1", "1.0.0", "1.0.1"}}, "1.1.0", host, false},
		{"versions, plugin without version", Notice{Versions: []string{"1.0.0"}}, "", host, false},
		{"pluginversions win over versions", Notice{PluginVersions: []string{"<1.0.0"}, Versions: []string{"1.0.0"}}, "1.0.0", host, false},
		{"octoversions bare means at least", Notice{OctoVersions: []string{"1.5.0"}}, "1.0.0", host, true},
		{"octoversions exact, other host", Notice{OctoVersions: []string{"==1.4.2"}}, "1.0.0", host, false},
		{"octoversions any one", Notice{OctoVersions: []string{"<1.0", ">=1.5"}}, "1.0.0", host, true},
		{"octoversions none match", Notice{OctoVersions: []string{">=2.0"}}, "1.0.0", host, false},
		{"octoversions empty: any host", Notice{OctoVersions: []string{}}, "1.0.0", host, true},
		{"octoversions, host unknown", Notice{OctoVersions: []string{">=1.0"}}, "1.0.0", nil, false},
		{"octoversions and versions both", Notice{OctoVersions: []string{">=1.0"}, Versions: []string{"2.0.0"}}, "1.0.0", host, false},
		{"octoversions ~=", Notice{OctoVersions: []string{"~=1.4"}}, "1.0.0", host, true},
	}
	for _, tc := range tests {
		if got := tc.notice.relevant(tc.version, tc.host); got != tc.want {
			t.Errorf("%s: relevant(%q) = %v, want %v", tc.name, tc.version, got, tc.want)
		}
	}
}

func TestNotices(t *testing.T) {
	srv, c := newFakeServer(t), newClock()
	opts := srv.options(t.TempDir(), c)
	opts.APIVersion = "1.0.0-rc.1" // octoversions see 1.0.0, as OctoPrint's base version
	r := open(t, opts)
	refresh(t, r, false)
	texts := func(ns []Notice) []string {
		out := make([]string, len(ns))
		for i, n := range ns {
			out[i] = n.Text[:12]
		}
		return out
	}
	tests := []struct {
		id, version string
		want        []string
	}{
		{"weather", "1.0.0", []string{"Version 1.2.", "The weather ", "A word for e"}},
		{"weather", "1.2.0", []string{"Version 1.2.", "A word for e"}},
		{"weather", "1.2.1", []string{"A word for e"}},
		{"weather", "", []string{"A word for e"}},
		{"camstream", "0.3.0", []string{"Hardware enc"}},
		{"camstream", "0.4.1", []string{"Hardware enc"}},
		{"camstream", "0.4.2", nil},
		{"mqtt", "1.0.0", nil},         // nothing about it
		{"notinstalled", "1.0.0", nil}, // only the plugin asked about
	}
	for _, tc := range tests {
		got := r.Notices(tc.id, tc.version)
		if g := texts(got); len(g) != len(tc.want) || (len(g) > 0 && !equalStrings(g, tc.want)) {
			t.Errorf("Notices(%s, %q) = %q, want %q", tc.id, tc.version, g, tc.want)
		}
	}
	n := r.Notices("weather", "1.2.0")[0]
	if !n.Time().Equal(time.Date(2025, 6, 2, 8, 30, 0, 0, time.UTC)) || !n.Important || n.Link == "" {
		t.Errorf("notice %+v, time %v", n, n.Time())
	}
	if v := n.AffectedVersions(); len(v) != 1 || v[0] != "<1.2.1" {
		t.Errorf("affected versions %v", v)
	}
	if v := r.Notices("weather", "1.0.0")[2].AffectedVersions(); v == nil || len(v) != 0 {
		t.Errorf("affected versions of a notice for every version: %#v, want []", v)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseNotices(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join("testdata", NoticesFile))
	notices, skipped, err := ParseNotices(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(notices) != 5 || skipped != 3 {
		t.Errorf("%d notices, %d skipped; want 5 and 3", len(notices), skipped)
	}
	b, _ := json.Marshal(notices[2])
	if want := `{"plugin":"weather","text":"A word for every user of this plugin.","date":"2025-07-01 00:00:00 +0000","x_channel":"forum"}`; string(b) != want {
		t.Errorf("encoded\n%s\nwant\n%s", b, want)
	}
	if _, _, err := ParseNotices([]byte(`{}`)); err == nil {
		t.Error("an object parsed as a notices list")
	}
	for _, date := range []string{"2020-09-15 00:00:00 +0000", "2020-09-15 00:00:00Z", "2020-09-15T00:00:00Z", "2020-09-15 02:00:00 +0200"} {
		if d, err := parseNoticeDate(date); err != nil || !d.Equal(time.Date(2020, 9, 15, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("date %q: %v, %v", date, d, err)
		}
	}
}

func TestBlocked(t *testing.T) {
	srv, c := newFakeServer(t), newClock()
	r := open(t, srv.options(t.TempDir(), c)) // host API 1.0.0
	if _, blocked := r.Blocked("roomtemp", "1.0.0"); blocked {
		t.Fatal("blocked before the blocklist was fetched")
	}
	refresh(t, r, false)
	tests := []struct {
		id, version string
		blocked     bool
		reason      string // a part of it
	}{
		{"roomtemp", "1.0.0", true, "blocklisted by the plugin repository: [Breaks the server's start]"},
		{"roomtemp", "", true, "plugin repository"}, // every version, even none
		{"RoomTemp", "1.0.0", false, ""},            // identifiers match exactly
		{"gcodeeditor", "0.2.5", true, "for versions >=0.1.1,<=0.2.8: Breaks file management."},
		{"gcodeeditor", "0.1.1", true, ""},
		{"gcodeeditor", "0.2.9", false, ""}, // pluginversions win over versions
		{"gcodeeditor", "0.1.0", false, ""},
		{"timegenius", "2.3.3", true, "<2.3.4"},
		{"timegenius", "2.3.4", false, ""},
		{"timegenius", "2.3.4rc1", false, ""}, // a pre-release needs a pre-release range
		{"timegenius", "nightly", true, ""},   // not semver: fails closed
		{"timegenius", "", true, ""},          // no version: fails closed
		{"futureonly", "1.0.0", false, ""},    // for hosts of API 2 only
		{"exact", "1.0", true, "for versions 1.0, 1.4.2"},
		{"exact", "1.0.0", true, ""}, // 1.0 is 1.0.0, as PEP 440's ==
		{"exact", "1.4.2", true, ""},
		{"exact", "1.4.3", false, ""},
		{"exact", "", false, ""},
		{"pyonly", "1.0.0", true, "Python 3 only."}, // pythonversions ignored
		{"nothing", "1.0.0", false, ""},             // an empty range list blocks nothing
		{"badrange", "1.0.0", true, "not a range"},  // fails closed
		{"tplinksmartplug", "0.7.9", true, "~=0.7.0"},
		{"tplinksmartplug", "0.8.0", false, ""},
		{"unknown", "1.0.0", false, ""},
	}
	for _, tc := range tests {
		reason, blocked := r.Blocked(tc.id, tc.version)
		if blocked != tc.blocked || !strings.Contains(reason, tc.reason) || (!blocked && reason != "") {
			t.Errorf("Blocked(%s, %q) = %q, %v; want %v with %q", tc.id, tc.version, reason, blocked, tc.blocked, tc.reason)
		}
	}
}

func TestBlockedOnOtherHost(t *testing.T) {
	srv, c := newFakeServer(t), newClock()
	opts := srv.options(t.TempDir(), c)
	opts.APIVersion = "2.1.0"
	r := open(t, opts)
	refresh(t, r, false)
	if _, blocked := r.Blocked("futureonly", "8.0.0"); !blocked {
		t.Error("an entry for hosts of API 2 does not block on such a host")
	}
	if _, blocked := r.Blocked("futureonly", "9.0.0"); blocked {
		t.Error("a version out of the entry's range is blocked")
	}
}

func TestParseBlocklist(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join("testdata", BlocklistFile))
	entries, skipped, err := ParseBlocklist(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 9 || skipped != 2 {
		t.Errorf("%d entries, %d skipped; want 9 and 2", len(entries), skipped)
	}
	last := entries[len(entries)-1]
	if string(last.Extra["x_ticket"]) != "19" {
		t.Errorf("unknown field lost: %v", last.Extra)
	}
	// A versions list of the wrong type is absent: every version blocked.
	e, _, _ := ParseBlocklist([]byte(`[{"plugin":"p","pluginversions":"<1"}]`))
	if _, blocked := e[0].blocks("5.0.0", nil); !blocked {
		t.Error("a malformed pluginversions does not fail closed")
	}
}
