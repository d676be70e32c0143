// Package lifecycle records every call the host makes into it, can be told
// to fail (error or panic) at any of them through the probe, and records what
// was injected into it.
package lifecycle

import (
	"fmt"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

const id = "lifecycle"

type Lifecycle struct{ tentacle.Base }

func (p *Lifecycle) Initialize() error {
	if err := probe.Fault(id, "initialize"); err != nil {
		return err
	}
	data, err := p.DataFolder()
	if err != nil {
		return err
	}
	probe.Record(id, "inject identifier="+p.Identifier())
	probe.Record(id, "inject name="+p.PluginName())
	probe.Record(id, "inject version="+p.PluginVersion())
	probe.Record(id, "inject info="+p.PluginInfo().Identifier+"/"+p.PluginInfo().Tier)
	probe.Record(id, "inject data="+data)
	probe.Record(id, "inject setting="+p.Settings().GetString("colour"))
	probe.Record(id, fmt.Sprintf("inject manager=%v", p.PluginManager() != nil))
	probe.Record(id, fmt.Sprintf("inject custom=%v", p.Injected("custom")))
	probe.Record(id, fmt.Sprintf("inject factory=%v", p.Injected("per_plugin")))
	probe.Record(id, fmt.Sprintf("inject context=%v", p.Context() != nil && p.Context().Err() == nil))
	p.Logger().Info("initialized")
	return nil
}

func (p *Lifecycle) OnPluginEnabled() { probe.Must(probe.Fault(id, "enabled")) }

func (p *Lifecycle) OnPluginDisabled() { probe.Must(probe.Fault(id, "disabled")) }

func (p *Lifecycle) OnPluginPendingUninstall() { probe.Must(probe.Fault(id, "uninstall")) }

func (p *Lifecycle) SettingsDefaults() map[string]any {
	probe.Must(probe.Fault(id, "defaults"))
	return map[string]any{"colour": "blue"}
}

func (p *Lifecycle) SortingKey(context string) (int, bool) {
	probe.Must(probe.Fault(id, "sorting"))
	return 5, true
}

func (p *Lifecycle) OnStartup(host string, port int) {
	probe.Must(probe.Fault(id, "startup"))
}

func ordered() string {
	probe.Must(probe.Fault(id, "hook"))
	return id
}

func ping() string {
	probe.Must(probe.Fault(id, "helper"))
	return "pong"
}

var Plugin = tentacle.Definition{
	Name:           "Lifecycle",
	Version:        "1.0.0",
	Description:    "Records every lifecycle call.",
	Author:         "Tentacle",
	URL:            "https://example.invalid/lifecycle",
	License:        "Apache-2.0",
	Implementation: &Lifecycle{},
	Hooks:          tentacle.Hooks{"conformance.ordered": tentacle.Hook(ordered, 50)},
	Helpers:        tentacle.Helpers{"ping": ping},
	Check:          func() bool { return probe.Fault(id, "check") == nil },
	Load:           func() error { return probe.Fault(id, "load") },
	Unload:         func() error { return probe.Fault(id, "unload") },
	Enable:         func() error { return probe.Fault(id, "enable") },
	Disable:        func() error { return probe.Fault(id, "disable") },
}
