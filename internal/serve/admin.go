package serve

import "github.com/tentacle-go/tentacle/manager"

// InjectPluginAdmin is the name under which bundled plugins (and only they)
// get an [Admin]: the Plugin Manager uses it.
const InjectPluginAdmin = "plugin_admin"

// Admin is the server as its bundled plugins see it.
type Admin struct{ Server *Server }

// Manager returns the plugin manager.
func (a Admin) Manager() *manager.Manager { return a.Server.mgr }

// Info returns the server's state (safe mode, quarantine).
func (a Admin) Info() ServerInfo { return a.Server.Info() }
