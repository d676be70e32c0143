// Package tentacle is the author-facing API of Tentacle, OctoPrint's plugin
// system rebuilt in Go. It is to plugins what database/sql/driver is to
// database drivers: the small set of types a plugin author writes against.
// Hosts use the manager, hooks and settings packages, which consume it.
//
// A plugin is one [Definition]: its metadata (OctoPrint's __plugin_name__,
// __plugin_version__, ...), its [Definition.Implementation] (whose methods
// make it implement mixins, small interfaces such as [Initializer] detected by
// type assertion), its [Hooks] (hook name to handler, optionally with an
// order), its [Helpers] (functions for other plugins), a settings overlay and
// optional lifecycle functions (Check, Load, Unload, Enable, Disable).
//
// A bundled plugin registers its definition at init, as database/sql drivers
// do:
//
//	var Plugin = tentacle.Definition{
//		Name: "Hello", Version: "1.0.0", Compat: ">=1.0",
//		Implementation: &Hello{},
//		Hooks: tentacle.Hooks{"tentacle.comm.protocol.gcode.sending": tentacle.Hook(rewrite, 10)},
//	}
//
//	func init() { tentacle.Register("hello", &Plugin) }
//
// The same definition, unchanged, runs in every tier: compiled in, as Go
// source in the plugins folder (interpreted), or as a separate process.
//
// Injected properties (OctoPrint's _identifier, _logger, _settings, ...) reach
// the implementation through an embedded [Base], whose accessors read the
// plugin's [Context]:
//
//	type Hello struct{ tentacle.Base }
//
//	func (h *Hello) Initialize() error {
//		h.Logger().Info("hello", "greeting", h.Settings().GetString("greeting"))
//		return nil
//	}
//
// This package has no generic functions or types, on purpose: the source tier
// exposes it to an interpreter that cannot use them.
package tentacle

// APIVersion is the version of the plugin API this package defines. A
// plugin's [Definition.Compat] constraint is checked against the host's API
// version, which defaults to this one.
const APIVersion = "1.0.0"
