package repository

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
