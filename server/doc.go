// Package server is the author-facing API of the tentacle server: the
// mixins it calls (OctoPrint's StartupPlugin, ShutdownPlugin,
// EventHandlerPlugin, SimpleApiPlugin, BlueprintPlugin, AssetPlugin,
// TemplatePlugin and the settings API's extras), declared once in
// [Mixins], the names of its core events, and typed access to what it
// injects (the event bus, plugin messages to browser clients).
//
// Package tentacle holds what every host understands; this package holds
// what the tentacle server adds. Like tentacle, it has no generic functions
// or types, so that interpreted plugins can use it.
//
// A plugin states the mixins it implements with interface guards:
//
//	var (
//		_ server.Startup   = (*Hello)(nil)
//		_ server.SimpleAPI = (*Hello)(nil)
//	)
package server
