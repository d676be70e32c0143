package repository

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// BlocklistEntry is one entry of the blocklist, in the format of
// OctoPrint's blocklist.json: a JSON list of these objects.
//
//	{"plugin": "tplinksmartplug", "pluginversions": [">=0.7.0,<=0.7.1"],
//	 "octoversions": ["<1.3.6"], "reason": "[Issue ...](https://...)"}
//
// Only plugin is required; without pluginversions or versions every
// version of the plugin is blocked. Encoded, it is that object again
// (unknown keys kept in Extra).
type BlocklistEntry struct {
	// Plugin is the identifier of the blocked plugin, matched exactly.
	Plugin string `json:"plugin"`
	// PluginVersions are version ranges (PEP 440 or semver: "<2.3.4",
	// ">=0.1.1,<=0.2.8"); any one matching blocks. An empty list blocks
	// nothing.
	PluginVersions []string `json:"pluginversions,omitzero"`
	// Versions are exact versions, the older key, read only when there is
	// no PluginVersions.
	Versions []string `json:"versions,omitzero"`
	// OctoVersions limit the entry to hosts whose version one of them
	// admits (a version without operator meaning at least it); Tentacle
	// checks them against the host's API version.
	OctoVersions []string `json:"octoversions,omitzero"`
	// PythonVersions limit the entry to Python versions in OctoPrint. A Go
	// host runs no Python: they are kept but never exclude the entry.
	PythonVersions []string `json:"pythonversions,omitzero"`
	// Reason says why, in Markdown.
	Reason string `json:"reason,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

type blocklistFields BlocklistEntry

// UnmarshalJSON decodes leniently: unknown keys and values of the wrong
// type go to Extra. A versions field of the wrong type is therefore read
// as absent, which blocks every version: the blocklist fails closed.
func (b *BlocklistEntry) UnmarshalJSON(data []byte) error {
	return decodeObject(data, (*blocklistFields)(b))
}

// MarshalJSON encodes the fields, then Extra.
func (b BlocklistEntry) MarshalJSON() ([]byte, error) {
	return encodeObject(blocklistFields(b), b.Extra)
}

// ParseBlocklist reads OctoPrint's blocklist.json: a JSON list of entries.
// It fails (with [ErrMalformed]) when data is not a JSON list. An element
// that is not an object, or has no plugin, is skipped and counted in
// skipped, as OctoPrint does.
func ParseBlocklist(data []byte) (entries []BlocklistEntry, skipped int, err error) {
	return parseList(data, func(e BlocklistEntry) bool { return e.Plugin != "" })
}

// blocks reports whether the entry blocks version (empty when the plugin
// has none) on a host of version host, and the reason. The entry applies
// when its octoversions admit the host (or it has none). Then, failing
// closed as the configuration's plugins._blocklist does:
//
//   - without pluginversions and versions, every version is blocked;
//   - pluginversions: a range that does not parse blocks every version; a
//     version that is not semver (or none) is blocked by any range;
//     otherwise version is blocked when a range matches it;
//   - versions: version is blocked when it is one of them ("1.0" is
//     "1.0.0", as PEP 440's ==).
func (b BlocklistEntry) blocks(version string, host *semver.Version) (string, bool) {
	if b.OctoVersions != nil && !anySpecifierMatches(b.OctoVersions, host, ">=") {
		return "", false
	}
	switch {
	case b.PluginVersions != nil:
		v, verr := parseVersion(version)
		for _, spec := range b.PluginVersions {
			c, err := parseSpecifier(spec, "")
			if err != nil || verr != nil || c.Check(v) {
				return b.reason("for versions " + strings.Join(b.PluginVersions, " or ")), true
			}
		}
		return "", false
	case b.Versions != nil:
		if slices.ContainsFunc(b.Versions, func(x string) bool { return sameVersion(x, version) }) {
			return b.reason("for versions " + strings.Join(b.Versions, ", ")), true
		}
		return "", false
	}
	return b.reason(""), true
}

// reason writes why the plugin is refused.
func (b BlocklistEntry) reason(which string) string {
	r := "blocklisted by the plugin repository"
	if which != "" {
		r += " " + which
	}
	if b.Reason != "" {
		r += ": " + b.Reason
	}
	return r
}
