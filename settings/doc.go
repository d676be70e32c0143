// Package settings is Tentacle's settings store: a tree of values in
// layers, persisted as YAML (OctoPrint's config.yaml and its Settings
// class).
//
// A [Store] reads through its layers, highest first:
//
//  1. the user layer, which is what the settings file holds and the only
//     layer that is written;
//  2. overlays ([Store.AddOverlay]), the newest added highest;
//  3. plugin defaults ([Store.SetPluginDefaults]), each under
//     plugins.<id>;
//  4. the host defaults given to [New] or [Open].
//
// Maps merge across layers key by key; any other value, lists included,
// comes whole from the highest layer that has it. [Store.Set] keeps only
// what differs from the layers below the user layer, so the file holds the
// user's changes and nothing that equals a default. [Store.Save] replaces
// the file atomically and only when something changed; a file that does not
// parse is reported as a [*ParseError] with its line and is never
// overwritten.
//
// Paths are dotted keys such as "server.port", and the empty path is the
// root. Because a path is split at every dot, keys cannot contain dots.
//
// Values are normalised to a small model so that comparisons and YAML round
// trips are stable: int, float64, string, bool, nil, map[string]any and
// []any (see [Store.Set]). The store takes only what YAML and JSON both
// represent faithfully, within limits (see [Validate]): a write of anything
// else fails with an [ErrInvalidValue], and a settings file that holds such
// a value is read without it ([Store.Ignored]). [RemoveStaleTemporaryFiles]
// removes what saves killed half way left behind.
//
// A plugin sees its own subtree through a [PluginSettings], which
// implements [tentacle.Settings]:
//
//	st, err := settings.Open("config.yaml", hostDefaults)
//	st.SetPluginDefaults("hello", map[string]any{"greeting": "hi"})
//	ps := st.Plugin("hello")
//	ps.GetString("greeting") // "hi", from plugins.hello.greeting
package settings
