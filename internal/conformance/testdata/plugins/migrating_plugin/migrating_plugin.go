// Package migrating_plugin has version 3 of its settings layout.
package migrating_plugin

import (
	"fmt"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/conformance/probe"
)

type Migrating struct{ tentacle.Base }

func (p *Migrating) SettingsDefaults() map[string]any { return map[string]any{"layout": "new"} }

func (p *Migrating) SettingsVersion() int { return 3 }

func (p *Migrating) OnSettingsMigrate(target, current int) error {
	probe.Record("migrating_plugin", fmt.Sprintf("migrate %d->%d", current, target))
	return probe.Fault("migrating_plugin", "migrate")
}

var Plugin = tentacle.Definition{
	Name:           "Migrating Plugin",
	Version:        "1.0.0",
	Implementation: &Migrating{},
}
