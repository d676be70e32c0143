package tentacle

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
)

// Context is what the host injects into a plugin on every enable: OctoPrint's
// injected properties (_identifier, _plugin_name, _logger, _settings,
// _plugin_manager, _data_folder, ...) plus any injectable the host registers.
//
// It is also a [context.Context] that is cancelled when the plugin is
// disabled or unloaded: pass it to every goroutine and blocking call the
// plugin starts, so that they stop with it. A new Context is made on every
// enable.
type Context struct {
	context.Context
	cfg ContextConfig

	dataOnce sync.Once
	dataErr  error
}

// ContextConfig is what the host fills in to make a [Context].
type ContextConfig struct {
	// Identifier is the plugin's identifier (_identifier).
	Identifier string
	// Info is the plugin's metadata (_plugin_info).
	Info PluginInfo
	// BaseFolder is where the plugin's own files are (_basefolder); empty for
	// compiled-in plugins.
	BaseFolder string
	// DataFolder is the plugin's data folder, <basedir>/data/<identifier>. It
	// is created on first use, by [Context.DataFolder].
	DataFolder string
	// Logger is the plugin's logger, named tentacle.plugins.<identifier>.
	Logger *slog.Logger
	// Settings are the plugin's settings, bound to plugins.<identifier>.
	Settings Settings
	// Manager is the plugin manager (_plugin_manager).
	Manager PluginManager
	// Injected holds the host's own injectables by name (_printer,
	// _event_bus, ...), already resolved for this plugin.
	Injected map[string]any
}

// NewContext returns a Context for cfg, derived from parent (cancelled with
// it), and the function that cancels it. Hosts call this; plugins get theirs
// injected.
func NewContext(parent context.Context, cfg ContextConfig) (*Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	if cfg.Logger == nil {
		cfg.Logger = discardLogger
	}
	return &Context{Context: ctx, cfg: cfg}, cancel
}

// Identifier returns the plugin's identifier.
func (c *Context) Identifier() string { return c.cfg.Identifier }

// PluginName returns the plugin's human-readable name.
func (c *Context) PluginName() string { return c.cfg.Info.Name }

// PluginVersion returns the plugin's version.
func (c *Context) PluginVersion() string { return c.cfg.Info.Version }

// PluginInfo returns the plugin's metadata.
func (c *Context) PluginInfo() PluginInfo { return c.cfg.Info }

// BaseFolder returns the folder the plugin was loaded from, or "" for a
// compiled-in plugin.
func (c *Context) BaseFolder() string { return c.cfg.BaseFolder }

// DataFolder returns the plugin's data folder, <basedir>/data/<identifier>,
// creating it on first use.
func (c *Context) DataFolder() (string, error) {
	c.dataOnce.Do(func() {
		if c.cfg.DataFolder == "" {
			c.dataErr = fmt.Errorf("plugin %q: no data folder configured", c.cfg.Identifier)
			return
		}
		if err := os.MkdirAll(c.cfg.DataFolder, 0o755); err != nil {
			c.dataErr = fmt.Errorf("plugin %q: create data folder: %w", c.cfg.Identifier, err)
		}
	})
	return c.cfg.DataFolder, c.dataErr
}

// Logger returns the plugin's logger.
func (c *Context) Logger() *slog.Logger { return c.cfg.Logger }

// Settings returns the plugin's settings, bound to plugins.<identifier>.
func (c *Context) Settings() Settings { return c.cfg.Settings }

// PluginManager returns the plugin manager.
func (c *Context) PluginManager() PluginManager { return c.cfg.Manager }

// Injected returns the host injectable registered under name, or nil. A
// plugin in a process of its own gets, for each injectable whose methods
// can cross, a [RemoteCaller] that calls them in the host (the host's API
// package wraps it in the injectable's interface, such as the tentacle
// server's server.Bus); the others are nil there.
func (c *Context) Injected(name string) any { return c.cfg.Injected[name] }

// Injectables returns the names of the host's injectables, sorted.
func (c *Context) Injectables() []string {
	names := make([]string, 0, len(c.cfg.Injected))
	for name := range c.cfg.Injected {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// Base is embedded in a plugin's implementation to receive its [Context]:
//
//	type Hello struct{ tentacle.Base }
//
// Its accessors are safe to call before injection and on a nil *Base (they
// return zero values and a logger that discards), and from any goroutine.
type Base struct {
	ctx atomic.Pointer[Context]
}

// SetContext implements [Injectable]; the host calls it on every enable.
func (b *Base) SetContext(c *Context) { b.ctx.Store(c) }

// load returns the current context; nil before injection or on a nil Base.
func (b *Base) load() *Context {
	if b == nil {
		return nil
	}
	return b.ctx.Load()
}

// Context returns the plugin's current context, or nil before injection.
func (b *Base) Context() *Context { return b.load() }

// Identifier returns the plugin's identifier.
func (b *Base) Identifier() string {
	if c := b.load(); c != nil {
		return c.Identifier()
	}
	return ""
}

// PluginName returns the plugin's human-readable name.
func (b *Base) PluginName() string {
	if c := b.load(); c != nil {
		return c.PluginName()
	}
	return ""
}

// PluginVersion returns the plugin's version.
func (b *Base) PluginVersion() string {
	if c := b.load(); c != nil {
		return c.PluginVersion()
	}
	return ""
}

// PluginInfo returns the plugin's metadata.
func (b *Base) PluginInfo() PluginInfo {
	if c := b.load(); c != nil {
		return c.PluginInfo()
	}
	return PluginInfo{}
}

// BaseFolder returns the folder the plugin was loaded from.
func (b *Base) BaseFolder() string {
	if c := b.load(); c != nil {
		return c.BaseFolder()
	}
	return ""
}

// DataFolder returns the plugin's data folder, creating it on first use.
func (b *Base) DataFolder() (string, error) {
	if c := b.load(); c != nil {
		return c.DataFolder()
	}
	return "", errNotInjected
}

// Logger returns the plugin's logger; before injection, one that discards.
func (b *Base) Logger() *slog.Logger {
	if c := b.load(); c != nil {
		return c.Logger()
	}
	return discardLogger
}

// Settings returns the plugin's settings, or nil before injection.
func (b *Base) Settings() Settings {
	if c := b.load(); c != nil {
		return c.Settings()
	}
	return nil
}

// PluginManager returns the plugin manager, or nil before injection.
func (b *Base) PluginManager() PluginManager {
	if c := b.load(); c != nil {
		return c.PluginManager()
	}
	return nil
}

// Injected returns the host injectable registered under name, or nil.
func (b *Base) Injected(name string) any {
	if c := b.load(); c != nil {
		return c.Injected(name)
	}
	return nil
}

var errNotInjected = fmt.Errorf("plugin context not injected yet")
