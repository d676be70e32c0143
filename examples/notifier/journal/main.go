// Command tentacle-plugin-journal is a process plugin of the notifier: it
// raises a critical alert when a sensor jumps between two samples, and
// keeps every alert, whichever plugin raised it, in a journal file in its
// data folder. It runs in a process of its own, so the notifier is safe
// from it: a crash is restarted, a slow check is skipped.
//
// It imports package tentacle, package sdk and the notifier's API, notify;
// nothing else of the notifier or of tentacle.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/sdk"

	"example.com/tentacle-notifier/notify"
)

// Journal detects jumps and writes the journal.
type Journal struct {
	tentacle.Base

	mu      sync.Mutex
	jump    float64            // from the settings, read on Initialize
	last    map[string]float64 // each sensor's previous value
	file    *os.File
	written int
}

// Interface guards: a missing method is a compile error.
var (
	_ tentacle.SettingsPlugin  = (*Journal)(nil)
	_ tentacle.Initializer     = (*Journal)(nil)
	_ tentacle.DisableListener = (*Journal)(nil)
	_ notify.Sender            = (*Journal)(nil)
)

// SettingsDefaults: a jump is a change of more than 5 degrees between two
// samples of a sensor (plugins.journal.jump).
func (j *Journal) SettingsDefaults() map[string]any {
	return map[string]any{"jump": 5.0}
}

// Initialize opens the journal, on every enable.
func (j *Journal) Initialize() error {
	dir, err := j.DataFolder()
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "alerts.jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	j.mu.Lock()
	j.jump = j.Settings().GetFloat("jump")
	j.last = map[string]float64{}
	j.file, j.written = f, 0
	j.mu.Unlock()
	var sensors []string
	if s := notify.SensorsOf(j); s != nil {
		sensors = s.Names() // a call into the notifier's process
	}
	j.Logger().Info("journal open", "path", path, "sensors", sensors, "pid", os.Getpid())
	return nil
}

// OnPluginDisabled closes the journal.
func (j *Journal) OnPluginDisabled() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.file != nil {
		j.file.Close()
		j.file = nil
	}
	j.Logger().Info("journal closed", "alerts", j.written)
}

// check handles notify.CheckHook. The notifier calls it for every sample,
// so it answers from memory, quickly.
func (j *Journal) check(s notify.Sample) []notify.Alert {
	j.mu.Lock()
	defer j.mu.Unlock()
	prev, seen := j.last[s.Sensor]
	j.last[s.Sensor] = s.Value
	if !seen || math.Abs(s.Value-prev) <= j.jump {
		return nil
	}
	return []notify.Alert{{Seq: s.Seq, Sensor: s.Sensor, Level: notify.Critical,
		Text: fmt.Sprintf("jumped from %.1f to %.1f", prev, s.Value)}}
}

// Send appends the alert to the journal, one JSON object a line.
func (j *Journal) Send(a notify.Alert) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.file == nil {
		return fmt.Errorf("the journal is closed")
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if _, err := j.file.Write(append(b, '\n')); err != nil {
		return err
	}
	j.written++
	return nil
}

var impl = &Journal{}

// Plugin is the plugin's definition, written as for any tier.
var Plugin = tentacle.Definition{
	Name:           "Journal",
	Version:        "1.0.0",
	Description:    "Raises an alert when a sensor jumps, and keeps every alert in a journal file.",
	Author:         "The Tentacle Authors",
	License:        "Apache-2.0",
	Compat:         ">=1.0, <2",
	Implementation: impl,
	Hooks:          tentacle.Hooks{notify.CheckHook: tentacle.Hook(notify.Check(impl.check), 20)},
}

func main() { sdk.Serve("journal", &Plugin) }
