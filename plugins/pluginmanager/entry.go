package pluginmanager

import (
	"runtime"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// Entry is one plugin as OctoPrint's Plugin Manager lists it: OctoPrint's
// fields, with Tentacle's (those of [manager.Info]: tier, state, errors,
// faults, hooks, mixins, ...) beside them.
type Entry struct {
	manager.Info
	// DisablingDiscouraged is false, or why disabling the plugin is
	// discouraged (OctoPrint's type; manager.Info has it as a string).
	DisablingDiscouraged any `json:"disabling_discouraged"`
	// Python is always null: a Tentacle plugin has no Python
	// compatibility. (Compat, the host API versions a plugin works with,
	// is checked at discovery; a plugin that does not match is listed
	// incompatible.)
	Python *string `json:"python"`
	// Notifications are the repository's notices for this plugin's
	// version, as OctoPrint gives them; null while the plugin is disabled
	// or has none.
	Notifications []Notification `json:"notifications"`
	// Attributes are the plugin's attributes in the repository index
	// ("commercial", "abandoned", ...); empty when the index does not list
	// it.
	Attributes []string `json:"attributes"`
}

// Notification is a notice about a plugin as OctoPrint's Plugin Manager
// sends it with the plugin's entry.
type Notification struct {
	Key       string   `json:"key"`
	Date      float64  `json:"date"` // seconds since the epoch
	Text      string   `json:"text"`
	Link      *string  `json:"link"`
	Versions  []string `json:"versions"`
	Important bool     `json:"important"`
}

// entryOf makes a plugin's entry from its listing entry; notices and
// attributes come from the repository (nil when there is none).
func entryOf(in manager.Info, repo repoView) Entry {
	e := Entry{Info: in, DisablingDiscouraged: false, Attributes: []string{}}
	if in.DisablingDiscouraged != "" {
		e.DisablingDiscouraged = in.DisablingDiscouraged
	}
	if repo != nil {
		if in.Enabled {
			e.Notifications = repo.notifications(in.Key, in.Version)
		}
		if a := repo.attributes(in.Key); a != nil {
			e.Attributes = a
		}
	}
	return e
}

// repoView is what an entry needs from the plugin repository.
type repoView interface {
	notifications(id, version string) []Notification
	attributes(id string) []string
	archive(id string) string
	online() bool
}

// Listing is the answer of GET /plugin/pluginmanager/plugins: OctoPrint's
// fields, then Tentacle's.
type Listing struct {
	Plugins []Entry `json:"plugins"`
	// OS is the host's operating system with OctoPrint's names (linux,
	// windows, macos, freebsd).
	OS string `json:"os"`
	// OctoPrint is the version of the host API plugins are checked
	// against, where OctoPrint gives its own version.
	OctoPrint string `json:"octoprint"`
	// Pip says how plugins are installed: Tentacle installs them itself,
	// so it is always available.
	Pip Pip `json:"pip"`
	// SafeMode: the server runs in safe mode (SafeModeReason says why).
	SafeMode bool `json:"safe_mode"`
	// Online: the plugin repository could be reached at its last fetch.
	Online bool `json:"online"`
	// SupportedExtensions are the file name extensions an install takes.
	SupportedExtensions Extensions `json:"supported_extensions"`

	SafeModeReason *string `json:"safe_mode_reason"`
	// Quarantined lists the plugins kept from running this time.
	Quarantined []bundled.Quarantine `json:"quarantined"`
}

// Pip is OctoPrint's description of its installer, with Tentacle's
// values: plugins install into the base directory.
type Pip struct {
	Available      bool    `json:"available"`
	Version        string  `json:"version"`
	InstallDir     string  `json:"install_dir"`
	UseUser        bool    `json:"use_user"`
	VirtualEnv     bool    `json:"virtual_env"`
	AdditionalArgs *string `json:"additional_args"`
	Python         string  `json:"python"`
}

// Extensions are the file name extensions an install takes, by kind, as
// OctoPrint lists them: archives, single-file plugins (Go source here, in
// OctoPrint's "python" key) and plugin lists.
type Extensions struct {
	Archive []string `json:"archive"`
	Python  []string `json:"python"`
	JSON    []string `json:"json"`
}

// supported is what an install takes.
var supported = Extensions{
	Archive: []string{".zip", ".tar.gz", ".tgz", ".tar"},
	Python:  []string{".go"},
	JSON:    []string{},
}

// osName returns the host's operating system by OctoPrint's names.
func osName() string {
	if runtime.GOOS == "darwin" {
		return "macos"
	}
	return runtime.GOOS
}
