// Package goplugin is the glue of the earlier protocol of process plugins:
// hashicorp/go-plugin's handshake and gRPC. The host runs plugin
// executables built with an SDK that speaks it (see tier/process); the SDK
// serves it only when built with the tentacle_grpc build tag.
package goplugin

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/tentacle-go/tentacle/internal/lean"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
)

// Handshake is the go-plugin handshake of tentacle process plugins. The
// cookie only keeps a plugin executable run by hand from waiting for a
// host that is not there: it prints how to use it instead.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   lean.CookieEnv,
	MagicCookieValue: lean.CookieValue,
}

// PluginName is the name under which a process serves its plugin.
const PluginName = "tentacle"

// GRPCPlugin is the go-plugin glue of the Plugin service: the plugin side
// sets Serve; the host side gets a *Client.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Serve serves the plugin (plugin side only). It gets the broker, to
	// reach the host's services.
	Serve func(broker *plugin.GRPCBroker) pluginpb.PluginServer
}

// GRPCServer registers the plugin's service.
func (p *GRPCPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	pluginpb.RegisterPluginServer(s, p.Serve(broker))
	return nil
}

// Client is the host's end of a plugin process.
type Client struct {
	pluginpb.PluginClient
	Broker *plugin.GRPCBroker
}

// GRPCClient returns the host's client of the plugin's service.
func (p *GRPCPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return &Client{PluginClient: pluginpb.NewPluginClient(conn), Broker: broker}, nil
}
