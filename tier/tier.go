// Package tier defines how the plugin manager finds plugins and runs their
// code: a [Origin] scans one place (compiled-in registrations, the plugins
// folder, installed packages) and returns [Candidate]s described without
// running any of their code; a candidate's Load returns an [Instance], the
// plugin's code as one tier runs it (compiled in, interpreted, or in another
// process). The manager only ever talks to plugin code through an Instance,
// so one lifecycle serves every tier.
package tier

import (
	"context"
	"log/slog"
	"reflect"
	"time"

	"github.com/tentacle-go/tentacle"
)

// Tier names: how a plugin's code runs.
const (
	BuiltinTier = "builtin" // compiled into the host
	SourceTier  = "source"  // Go source run by an interpreter
	ProcessTier = "process" // a separate executable
)

// Origin names: where a plugin was found.
const (
	OriginBundled = "bundled" // registered at init in the host binary
	OriginFolder  = "folder"  // the plugins folder of the base directory
	OriginPackage = "package" // an installed package
)

// An Origin is one place plugins come from. The manager scans sources in the
// order they are configured; the first source to provide an identifier wins.
type Origin interface {
	// Name names the source in listings and messages.
	Name() string
	// Scan lists the plugins found, without running any plugin code. An
	// error means the source as a whole could not be read; a problem with
	// one plugin is reported in its Candidate.
	Scan(ctx context.Context) ([]Candidate, error)
}

// Metadata is what can be known of a plugin without running it: the
// metadata fields of [tentacle.Definition].
type Metadata struct {
	Name                 string
	Version              string
	Description          string
	Author               string
	URL                  string
	License              string
	PrivacyPolicy        string
	Compat               string
	Hidden               bool
	DisablingDiscouraged string
	Permissions          []string
}

// MetadataOf returns the metadata fields of def.
func MetadataOf(def *tentacle.Definition) Metadata {
	return Metadata{
		Name:                 def.Name,
		Version:              def.Version,
		Description:          def.Description,
		Author:               def.Author,
		URL:                  def.URL,
		License:              def.License,
		PrivacyPolicy:        def.PrivacyPolicy,
		Compat:               def.Compat,
		Hidden:               def.Hidden,
		DisablingDiscouraged: def.DisablingDiscouraged,
		Permissions:          def.Permissions,
	}
}

// Candidate is a plugin a source found.
type Candidate struct {
	// ID is the plugin's identifier.
	ID string
	// Metadata was read without running plugin code.
	Metadata Metadata
	// Origin and Tier say where the plugin was found and how it runs.
	Origin string
	Tier   string
	// Bundled plugins are part of the host: never incompatible, never safe
	// mode victims, never uninstalled.
	Bundled bool
	// Location is the plugin's file, folder or executable; empty for
	// compiled-in plugins.
	Location string
	// BaseFolder is the folder the plugin's own files are in (its
	// Context.BaseFolder); default Location.
	BaseFolder string
	// Disabled is set when the source itself marks the plugin disabled (a
	// name ending in _disabled).
	Disabled bool
	// NotAPlugin is set when the candidate declares no plugin definition; it
	// is listed but never loaded.
	NotAPlugin bool
	// Invalid is set when the source could not read the plugin (a file that
	// does not parse, a broken manifest); it is listed as incompatible with
	// this error and never loaded.
	Invalid error
	// Warnings are problems worth reporting that do not stop the plugin.
	Warnings []string
	// Digest identifies the plugin's code as found (a hash of its files);
	// a rescan that finds another digest found a changed plugin. Empty for
	// compiled-in plugins.
	Digest string
	// Declares returns what the plugin declares that decides whether
	// toggling it needs a restart, as the origin can tell without running
	// any of its code; nil (or a nil result): nothing is known. The manager
	// asks only when it lists a plugin that is not loaded (disabled at
	// start, held, blocklisted, ...); once the plugin is loaded, its code
	// tells. It may be called from any goroutine, more than once.
	Declares func() *Declaration

	// Load loads the plugin's code. It is nil when the candidate cannot be
	// loaded (NotAPlugin, Invalid).
	Load func(ctx context.Context, env Env) (Instance, error)
	// Remove deletes the plugin's files, for an uninstall. It is nil when the
	// plugin cannot be uninstalled (bundled plugins).
	Remove func() error
}

// Declaration is what a plugin declares that decides whether toggling it
// needs a restart, as an origin tells it without running the plugin's
// code: the hooks it has handlers for, what its implementation implements
// and whether it has a settings overlay. An origin reports these facts
// only; the manager judges from them, with the host's mixin descriptors
// ([tentacle.Mixin.RestartNeeding]) and hook registry, as it does once the
// plugin is loaded.
//
// Every part can be unknown, in which case its Known flag is false: what it
// lists is still true, but there may be more (Hooks built in init or Load,
// an Implementation set outside the Definition literal, a manifest that
// does not say). Unknown is never taken as "no".
type Declaration struct {
	// Hooks are hooks the plugin has handlers for; HooksKnown: these are
	// all of them.
	Hooks      []string
	HooksKnown bool
	// Methods are names of methods of the plugin's implementation (the
	// value of Definition.Implementation) as its tier sees them: a mixin
	// whose methods are all among them counts as implemented (methods are
	// matched by name only). MethodsKnown: these are all of them, so that
	// a mixin with a method not among them is not implemented; with no
	// Methods, the plugin has no implementation (or one without methods).
	Methods      []string
	MethodsKnown bool
	// Mixins are mixins the implementation implements, by the names
	// listings show ([tentacle.Mixin.Name]: "tentacle.RestartNeeding",
	// "server.Startup"), for an origin that knows them by name (a process
	// plugin's manifest). MixinsChecked names the mixins the origin
	// checked, by the same names: one of them that is not in Mixins is not
	// implemented. A mixin in neither list is unknown, unless MethodsKnown
	// settles it.
	Mixins        []string
	MixinsChecked []string
	// SettingsOverlay: the plugin has a non-empty settings overlay.
	// SettingsOverlayKnown: SettingsOverlay is known (false then means it
	// has none).
	SettingsOverlay      bool
	SettingsOverlayKnown bool
}

// Env is what the manager passes to a tier when loading a plugin.
type Env struct {
	// Mixins are the mixins the host detects on implementations (those of
	// package tentacle, then the host's own); a tier that cannot use
	// host-side type assertions (an interpreter, a remote process) prepares
	// exactly these.
	Mixins []tentacle.Mixin
	// Logger is the plugin's logger.
	Logger *slog.Logger
	// AllowUnsafe: the operator allows this plugin the restricted packages
	// its definition asks for (Metadata.Permissions).
	AllowUnsafe bool
	// HookType returns the handler type the host declares for a hook (false
	// when the hook is untyped or not declared), for tiers that must build
	// handlers as proxies of the right type.
	HookType func(hook string) (reflect.Type, bool)
	// HookFilter returns the type of the filter a handler of a hook may
	// carry (hooks.Spec.Filter; false when the hook takes none or is not
	// declared), for tiers that must decode a handler's filter.
	HookFilter func(hook string) (reflect.Type, bool)
	// HookBudget returns the time budget the host declares for one handler
	// of a hook (hooks.Spec.Budget; zero when it declares none), for tiers
	// that can abandon a call.
	HookBudget func(hook string) time.Duration
	// DataFolder is the plugin's data folder, not created yet (the
	// plugin's Context creates it when first asked), or empty when the host
	// has none. A tier whose plugin code runs elsewhere passes it on.
	DataFolder string
	// Crashed, when set, is called (on another goroutine) when the
	// instance's code stopped running on its own: a plugin process that
	// exited or crashed. The manager restarts it.
	Crashed func(err error)
}

// ProcessStatus is the state of a plugin that runs as a process.
type ProcessStatus struct {
	PID int `json:"pid"`
	// Crashed: the process stopped on its own.
	Crashed bool `json:"crashed"`
	// Exit describes how it stopped ("exit status 2", "signal: killed").
	Exit string `json:"exit,omitempty"`
	// LastLines are the last lines it wrote.
	LastLines []string `json:"last_lines,omitempty"`
	// Overruns counts calls that overran their deadline and were skipped.
	Overruns int64 `json:"overruns"`
	// Details are facts of the tier's own about the process (the process
	// tier: direct_calls and direct_host, how calls travel), for
	// diagnostics.
	Details map[string]any `json:"details,omitempty"`
}

// ProcessReporter is implemented by instances that run as a process; the
// manager shows their status in listings. Instances without it are listed
// without a process.
type ProcessReporter interface {
	ProcessStatus() ProcessStatus
}

// Isolating is implemented by origins whose plugins' code runs apart from
// the host's process, each in a process of its own (the process tier): a
// failure while one loads cannot take the host down, so the manager starts
// the imports of several of them side by side (at start, and for those a
// rescan found together), and tells a host's trace that a call into them
// is isolated (the manager's TraceEvent). The plugins of an origin without it
// run in the host's process, and load one at a time.
type Isolating interface {
	Origin
	// IsolatesPlugins is a marker.
	IsolatesPlugins()
}

// UnloadsWhenDisabled is implemented by instances whose code holds
// resources of its own for as long as it is loaded (the process tier: a
// process): an operator's disable also unloads such a plugin, and its next
// enable loads it again; while it is disabled it is listed as a plugin
// disabled at start is (state found), with nothing of it running. An
// instance without it stays loaded while its plugin is disabled, ready to
// be enabled again at once.
type UnloadsWhenDisabled interface {
	Instance
	// UnloadsWhenDisabled is a marker.
	UnloadsWhenDisabled()
}

// Instance is a loaded plugin's code as a tier runs it. Every method is
// called by the manager only, from one goroutine at a time; calls into the
// plugin are guarded by the manager against panics.
type Instance interface {
	// Definition returns the plugin's definition. For tiers that do not run
	// in the host, its functions, hooks and helpers are proxies.
	Definition() *tentacle.Definition
	// As returns the implementation as the mixin interface t (one of
	// Env.Mixins or the generic mixins of package tentacle) and true, or
	// false when it does not implement t. The returned value can be
	// type-asserted to t on the host side.
	As(t reflect.Type) (any, bool)
	// Inject hands the plugin's context to its implementation; it reports
	// whether the implementation accepted it.
	Inject(c *tentacle.Context) (bool, error)
	// Close releases the code: nothing for compiled-in plugins, the
	// interpreter for source plugins, the process for packages.
	Close() error
}

// PanicLocator is implemented by instances that know where in the plugin's
// own code its latest panic happened (an interpreter reports file:line,
// which the host's stack does not show). The manager adds it to the
// *PanicError it records. Instances without it add nothing.
type PanicLocator interface {
	LastPanic() string
}
