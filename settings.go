package tentacle

// Settings is a plugin's view of the host's settings, bound to
// plugins.<identifier> (OctoPrint's PluginSettings). Paths are dotted keys
// relative to the plugin's root, such as "server.port"; the Global methods
// take paths from the root of the whole configuration.
//
// Values come from layers, highest first: the user's config.yaml, settings
// overlays, the plugin's defaults, the host's defaults. Set stores only what
// differs from the layers below, so a value equal to its default is not
// persisted. Save writes config.yaml atomically.
type Settings interface {
	// Get returns the merged value at path, or nil.
	Get(path string) any
	// GetString, GetInt, GetFloat and GetBool return the value at path
	// converted to the type, or the zero value when it is absent or of
	// another type.
	GetString(path string) string
	GetInt(path string) int
	GetFloat(path string) float64
	GetBool(path string) bool
	// Has reports whether any layer has a value at path.
	Has(path string) bool
	// Set stores value at path, or removes it from the user's layer when it
	// equals the default.
	Set(path string, value any) error
	// Remove deletes path from the user's layer, so the default shows again.
	Remove(path string) error
	// All returns a deep copy of the plugin's merged settings.
	All() map[string]any
	// Save persists the user's layer when it changed.
	Save() error

	// GlobalGet and GlobalSet read and write paths from the root.
	GlobalGet(path string) any
	GlobalSet(path string, value any) error
}

// SettingsPlugin is implemented by plugins that have settings
// (SettingsPlugin.get_settings_defaults). The defaults form the plugin's
// layer under plugins.<identifier>, registered on enable before injection.
// Without it, the plugin's settings have no defaults.
type SettingsPlugin interface {
	SettingsDefaults() map[string]any
}

// SettingsMigrator is implemented by plugins whose settings layout has
// versions (get_settings_version, on_settings_migrate). On enable, after
// Initialize, when the stored version (plugins.<identifier>._config_version,
// 0 when none was stored) is lower than SettingsVersion, OnSettingsMigrate is
// called once and the new version stored. An error aborts the enable.
// Without it, nothing is migrated.
type SettingsMigrator interface {
	SettingsVersion() int
	OnSettingsMigrate(target, current int) error
}
