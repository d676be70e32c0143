package repository

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Notice is a message about a plugin, in the format of OctoPrint's
// notices.json: a list of these objects.
//
//	{"plugin": "filamentmanager", "date": "2020-09-14 08:45:00 +0000",
//	 "text": "Version 1.6.0 is available from a new maintainer ...",
//	 "link": "https://...", "pluginversions": ["<1.6.0"], "important": true}
//
// Encoded, it is that object again (unknown keys kept in Extra). OctoPrint's
// Plugin Manager sends a plugin's notices with its entry in another shape,
// {key, date (seconds since the epoch), text, link (null when none),
// versions, important}: [Notice.Time] and [Notice.AffectedVersions] give
// what that needs.
type Notice struct {
	// Plugin is the identifier of the plugin it is about.
	Plugin string `json:"plugin"`
	// Text is the message; it may contain HTML, as OctoPrint shows it.
	Text string `json:"text"`
	// Date is when it was published, "YYYY-MM-DD HH:MM:SS +0000".
	Date string `json:"date"`
	Link string `json:"link,omitempty"`
	// PluginVersions lists the plugin versions it is for: exact versions
	// ("1.0.0") and ranges ("<1.6.0", ">=0.7.0,<=0.7.1").
	PluginVersions []string `json:"pluginversions,omitzero"`
	// Versions lists exact plugin versions (the older key; PluginVersions
	// wins when both are present).
	Versions []string `json:"versions,omitzero"`
	// OctoVersions lists host versions it is for, OctoPrint's way: any
	// one matching suffices, and a version without an operator means at
	// least that version. Tentacle checks them against the host's API
	// version.
	OctoVersions []string `json:"octoversions,omitzero"`
	Important    bool     `json:"important,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`

	time time.Time
}

type noticeFields Notice

// UnmarshalJSON decodes leniently (unknown keys and values of the wrong
// type go to Extra) and parses Date when it can.
func (n *Notice) UnmarshalJSON(b []byte) error {
	if err := decodeObject(b, (*noticeFields)(n)); err != nil {
		return err
	}
	n.time, _ = parseNoticeDate(n.Date)
	return nil
}

// MarshalJSON encodes the fields, then Extra.
func (n Notice) MarshalJSON() ([]byte, error) {
	return encodeObject(noticeFields(n), n.Extra)
}

// Time returns Date parsed; the zero time when it does not parse (a list
// read by this package holds no such notice).
func (n Notice) Time() time.Time { return n.time }

// AffectedVersions returns the versions the notice is for as OctoPrint's
// Plugin Manager lists them: PluginVersions, else Versions, else an empty
// list (never nil).
func (n Notice) AffectedVersions() []string {
	switch {
	case n.PluginVersions != nil:
		return slices.Clone(n.PluginVersions)
	case n.Versions != nil:
		return slices.Clone(n.Versions)
	}
	return []string{}
}

// noticeDateLayouts are the forms of a notice's date: OctoPrint's (Jekyll
// writes "+0000"), any offset, and a trailing Z.
var noticeDateLayouts = []string{
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z",
	time.RFC3339,
}

func parseNoticeDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range noticeDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("notice date %q is not \"YYYY-MM-DD HH:MM:SS +0000\"", s)
}

// ParseNotices reads OctoPrint's notices.json: a JSON list of notices. It
// fails (with [ErrMalformed]) when data is not a JSON list. A notice
// without plugin or text, or whose date does not parse, is skipped, as
// OctoPrint does, and counted in skipped; so is an element that is not an
// object.
func ParseNotices(data []byte) (notices []Notice, skipped int, err error) {
	return parseList(data, func(n Notice) bool { return n.Plugin != "" && n.Text != "" && !n.time.IsZero() })
}

// relevant reports whether notice n concerns an installed plugin of
// version (empty when the plugin has none) on a host of version host
// (nil: unknown), by OctoPrint's rules:
//
//   - without pluginversions and versions, it concerns every version;
//   - pluginversions: its entries with an operator (=, <, >) are ranges,
//     the others exact versions; it concerns version if a range matches
//     or an exact version is equal to it, as a string ("1.0" is not
//     "1.0.0"). An empty list concerns no version;
//   - versions (when there is no pluginversions): exact versions, as
//     above;
//   - a plugin without a version is concerned only by notices for every
//     version;
//   - octoversions, when present and not empty, must admit the host (any
//     one of them; see parseSpecifier).
//
// A range or host version that does not parse matches nothing.
func (n Notice) relevant(version string, host *semver.Version) bool {
	if n.OctoVersions != nil && !anySpecifierMatches(n.OctoVersions, host, ">=") {
		return false
	}
	var ranges, exact []string
	switch {
	case n.PluginVersions != nil:
		for _, v := range n.PluginVersions {
			if strings.ContainsAny(v, "=<>") {
				ranges = append(ranges, v)
			} else {
				exact = append(exact, v)
			}
		}
	case n.Versions != nil:
		exact = n.Versions
	default:
		return true
	}
	if version == "" {
		return false
	}
	if slices.Contains(exact, version) {
		return true
	}
	if len(ranges) == 0 {
		return false
	}
	v, err := parseVersion(version)
	return err == nil && anySpecifierMatches(ranges, v, "")
}

// anySpecifierMatches reports whether any of specs admits v. An empty
// list admits every version, as OctoPrint's is_octoprint_compatible; a nil
// v or a specifier that does not parse admits nothing.
func anySpecifierMatches(specs []string, v *semver.Version, bare string) bool {
	if len(specs) == 0 {
		return true
	}
	if v == nil {
		return false
	}
	for _, s := range specs {
		if c, err := parseSpecifier(s, bare); err == nil && c.Check(v) {
			return true
		}
	}
	return false
}

// clone returns a deep copy of n.
func (n Notice) clone() Notice {
	c := n
	c.PluginVersions = slices.Clone(n.PluginVersions)
	c.Versions = slices.Clone(n.Versions)
	c.OctoVersions = slices.Clone(n.OctoVersions)
	c.Extra = cloneRaw(n.Extra)
	return c
}
