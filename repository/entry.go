package repository

import (
	"encoding/json"
	"slices"
	"strings"
)

// Tiers an [Entry] names in its "tier": how Tentacle runs the plugin once
// it is installed.
const (
	TierSource  = "source"  // Go source for the interpreter, any platform
	TierProcess = "process" // a package with an executable, per platform
)

// Entry is one plugin of the repository index: OctoPrint's fields with
// their JSON names, then Tentacle's. Encoded, it is the object OctoPrint's
// Plugin Manager sends for the plugin in GET
// /plugin/pluginmanager/repository: the index's own fields, with
// follow_dependency_links, no_build_isolation and privacypolicy false when
// the index leaves them out, attributes a list ("abandoned" added when
// abandoned is true) and is_compatible computed for this host. Keys the
// index has that Entry does not know are kept in Extra and written back.
type Entry struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Archive is the URL to install from: OctoPrint's pip archive, or a
	// Tentacle plugin's archive for every platform (see [Entry.ArchiveFor]).
	Archive  string `json:"archive"`
	Author   string `json:"author"`
	Homepage string `json:"homepage"`
	// Page is the plugin's page on the repository's site.
	Page string `json:"page"`
	// Published is the date of the plugin's registration as the index
	// writes it ("2015-04-11 00:00:00 -0500"), not parsed.
	Published string `json:"published"`
	License   string `json:"license"`
	Image     string `json:"image,omitempty"`
	// Abandoned: its maintainer gave it up.
	Abandoned     bool          `json:"abandoned"`
	Compatibility Compatibility `json:"compatibility,omitzero"`
	// GitHub (releases, stars, issues) and Stats (instance and install
	// counts) are kept as they came, not interpreted.
	GitHub        json.RawMessage `json:"github,omitempty"`
	Stats         json.RawMessage `json:"stats,omitempty"`
	PrivacyPolicy PrivacyPolicy   `json:"privacypolicy"`
	// Attributes such as "commercial", "cloud", "free-tier", "abandoned";
	// never null.
	Attributes []string `json:"attributes"`
	// UpForAdoption is where to offer to maintain it (a URL), if its
	// maintainer is looking for someone.
	UpForAdoption string `json:"up_for_adoption,omitempty"`
	// Disabled, when present, is why installing it is switched off;
	// OctoPrint's Plugin Manager refuses to install it whatever the text
	// (see [Entry.IsDisabled]).
	Disabled              *string `json:"disabled,omitempty"`
	FollowDependencyLinks bool    `json:"follow_dependency_links"`
	NoBuildIsolation      bool    `json:"no_build_isolation"`
	// IsCompatible is computed by the [Repository] for this host: what an
	// index says under this key is replaced.
	IsCompatible IsCompatible `json:"is_compatible"`

	// Tier is Tentacle's: TierSource or TierProcess; empty for a plugin
	// of OctoPrint's (Python) index, which Tentacle cannot install.
	Tier string `json:"tier,omitempty"`
	// Version is the version the archives hold.
	Version string `json:"version,omitempty"`
	// SHA256 is the hex SHA-256 of Archive.
	SHA256 string `json:"sha256,omitempty"`
	// Archives are per-platform archives by "<goos>_<goarch>"
	// ("linux_arm64").
	Archives map[string]Archive `json:"archives,omitzero"`

	// Extra holds the keys of the index's object that Entry does not
	// know, or whose value had another type than Entry's field, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// Compatibility is what an entry says it runs with. Its lists keep the
// difference between absent (nil) and empty, as OctoPrint's checks do.
type Compatibility struct {
	// OctoPrint lists OctoPrint versions ("1.3.5" meaning ">=1.3.5");
	// Tentacle keeps them but does not check them (a Tentacle host is no
	// OctoPrint version).
	OctoPrint []string `json:"octoprint,omitzero"`
	// OS lists the operating systems it runs on, by OctoPrint's names
	// (linux, windows, macos, freebsd; the groups posix and nix; "!name"
	// excludes), empty or absent for any.
	OS []string `json:"os,omitzero"`
	// Python is a Python version specifier; a Go host runs no Python, so
	// it is never checked.
	Python string `json:"python,omitempty"`
	// Tentacle is a semver constraint on the host's API version, as a
	// plugin's Compat ("^1.0", ">=1.2, <2"); absent for any.
	Tentacle string `json:"tentacle,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// IsCompatible is OctoPrint's is_compatible, computed for this host (see
// [Entry.CompatibleWith]).
type IsCompatible struct {
	OctoPrint bool `json:"octoprint"`
	OS        bool `json:"os"`
	Python    bool `json:"python"`
}

// All reports whether every part is compatible, as OctoPrint's Plugin
// Manager decides whether to offer the install.
func (c IsCompatible) All() bool { return c.OctoPrint && c.OS && c.Python }

// Archive is one platform's archive of a Tentacle plugin.
type Archive struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// PrivacyPolicy is the URL of a plugin's privacy policy, or "" for none,
// written false as OctoPrint does.
type PrivacyPolicy string

// MarshalJSON writes the URL, or false when there is none.
func (p PrivacyPolicy) MarshalJSON() ([]byte, error) {
	if p == "" {
		return []byte("false"), nil
	}
	return json.Marshal(string(p))
}

// UnmarshalJSON reads a URL, or false or null as none; anything else is
// an error (and the entry keeps the value in Extra).
func (p *PrivacyPolicy) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "false", "null":
		*p = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = PrivacyPolicy(s)
	return nil
}

type (
	entryFields         Entry
	compatibilityFields Compatibility
	archiveFields       Archive
)

// UnmarshalJSON decodes an index entry leniently: unknown keys and values
// of the wrong type go to Extra. Attributes become a list, with
// "abandoned" added when Abandoned is set, as OctoPrint serves them.
func (e *Entry) UnmarshalJSON(b []byte) error {
	if err := decodeObject(b, (*entryFields)(e)); err != nil {
		return err
	}
	if e.Attributes == nil {
		e.Attributes = []string{}
	}
	if e.Abandoned && !slices.Contains(e.Attributes, "abandoned") {
		e.Attributes = append(e.Attributes, "abandoned")
	}
	return nil
}

// MarshalJSON encodes the entry's fields, then its Extra.
func (e Entry) MarshalJSON() ([]byte, error) {
	f := entryFields(e)
	if f.Attributes == nil {
		f.Attributes = []string{}
	}
	return encodeObject(f, e.Extra)
}

// UnmarshalJSON decodes leniently, as [Entry.UnmarshalJSON].
func (c *Compatibility) UnmarshalJSON(b []byte) error {
	return decodeObject(b, (*compatibilityFields)(c))
}

// MarshalJSON encodes the fields, then Extra.
func (c Compatibility) MarshalJSON() ([]byte, error) {
	return encodeObject(compatibilityFields(c), c.Extra)
}

// UnmarshalJSON decodes leniently, as [Entry.UnmarshalJSON].
func (a *Archive) UnmarshalJSON(b []byte) error {
	return decodeObject(b, (*archiveFields)(a))
}

// MarshalJSON encodes the fields, then Extra.
func (a Archive) MarshalJSON() ([]byte, error) {
	return encodeObject(archiveFields(a), a.Extra)
}

// IsDisabled reports whether the index switches the plugin's install off:
// it has a "disabled" key, whatever its value (OctoPrint's test).
func (e Entry) IsDisabled() bool {
	_, raw := e.Extra["disabled"]
	return e.Disabled != nil || raw
}

// ArchiveFor returns the archive to install on a machine of goos and
// goarch, and the hex SHA-256 it must have ("" when the index gives
// none: the caller decides whether to install unchecked). A per-platform
// archive, Archives["<goos>_<goarch>"], comes first; else Archive with
// SHA256, meant for a source plugin or a package whose archive holds
// every platform. ok is false when the entry has neither, and for an
// entry without a Tentacle tier (a plugin of OctoPrint's own index, which
// no Tentacle host can run). Platform keys are matched without regard to
// case.
func (e Entry) ArchiveFor(goos, goarch string) (url, sha256 string, ok bool) {
	if e.Tier != TierSource && e.Tier != TierProcess {
		return "", "", false
	}
	want := strings.ToLower(goos + "_" + goarch)
	for key, a := range e.Archives {
		if strings.ToLower(key) == want && a.URL != "" {
			return a.URL, a.SHA256, true
		}
	}
	if e.Archive != "" {
		return e.Archive, e.SHA256, true
	}
	return "", "", false
}

// clone returns a deep copy of e.
func (e Entry) clone() Entry {
	c := e
	c.Compatibility.OctoPrint = slices.Clone(e.Compatibility.OctoPrint)
	c.Compatibility.OS = slices.Clone(e.Compatibility.OS)
	c.Compatibility.Extra = cloneRaw(e.Compatibility.Extra)
	c.GitHub = slices.Clone(e.GitHub)
	c.Stats = slices.Clone(e.Stats)
	c.Attributes = slices.Clone(e.Attributes)
	if e.Disabled != nil {
		d := *e.Disabled
		c.Disabled = &d
	}
	if e.Archives != nil {
		c.Archives = make(map[string]Archive, len(e.Archives))
		for k, a := range e.Archives {
			a.Extra = cloneRaw(a.Extra)
			c.Archives[k] = a
		}
	}
	c.Extra = cloneRaw(e.Extra)
	return c
}

// searchable reports whether term (lower case) occurs in the entry's
// identifier, title, description or author, ignoring case.
func (e Entry) searchable(term string) bool {
	for _, s := range []string{e.ID, e.Title, e.Description, e.Author} {
		if strings.Contains(strings.ToLower(s), term) {
			return true
		}
	}
	return false
}
