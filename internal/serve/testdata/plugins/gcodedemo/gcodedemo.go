// Package gcodedemo is a printer plugin for the server's tests of the
// G-code hooks in every tier: compiled in, interpreted from source and run
// in a process of its own, the same code. It rewrites M107 into M106 S0
// (a filtered handler under OctoPrint's hook name), suppresses M300 (a
// beep), panics on "M118 panic" and overruns a process plugin's budget on
// "M118 slow", counts the commands sent (an observe-only handler) and the "ok"
// lines and position reports received, and reports its counts at GET /api/plugin/gcodedemo.
package gcodedemo

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/server"
)

// ID is the plugin's identifier.
const ID = "gcodedemo"

// Demo is the implementation.
type Demo struct {
	tentacle.Base
	mu       sync.Mutex
	sent     int
	oks      int
	last     string
	codes    map[string]int // commands sent, by code
	position string         // the last position report (M114)
}

var (
	_ server.SimpleAPI = (*Demo)(nil)
	_ server.APIGetter = (*Demo)(nil)
)

// APICommands implements server.SimpleAPI.
func (d *Demo) APICommands() map[string][]string { return map[string][]string{"reset": nil} }

// OnAPICommand resets the counts.
func (d *Demo) OnAPICommand(command string, data map[string]any) (any, error) {
	d.mu.Lock()
	d.sent, d.oks = 0, 0
	d.last, d.position = "", ""
	d.codes = map[string]int{}
	d.mu.Unlock()
	return nil, nil
}

// OnAPIGet reports the counts.
func (d *Demo) OnAPIGet(r *http.Request) (any, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return map[string]any{"sent": d.sent, "oks": d.oks, "last": d.last, "codes": d.codes, "position": d.position}, nil
}

func (d *Demo) queuing(phase string, cmd server.Command) []server.Command {
	switch cmd.Gcode {
	case "M107":
		return server.Rewrite("M106 S0")
	case "M300":
		return server.Suppress()
	case "M118":
		switch cmd.Line {
		case "M118 panic":
			panic("gcodedemo panics on purpose")
		case "M118 slow":
			time.Sleep(200 * time.Millisecond) // over a process plugin's budget
			return server.Rewrite("M118 too late")
		}
	}
	return nil
}

func (d *Demo) sentLine(phase string, cmd server.Command) []server.Command {
	d.mu.Lock()
	d.sent++
	d.last = cmd.Line
	if d.codes == nil {
		d.codes = map[string]int{}
	}
	d.codes[cmd.Gcode]++
	d.mu.Unlock()
	return nil
}

func (d *Demo) received(line string) string {
	d.mu.Lock()
	if strings.HasPrefix(line, "X:") {
		d.position = line
	} else {
		d.oks++
	}
	d.mu.Unlock()
	return line
}

// hooks are the plugin's handlers.
func (d *Demo) hooks() tentacle.Hooks {
	return tentacle.Hooks{
		"octoprint.comm.protocol.gcode.queuing": tentacle.Filtered(d.queuing, server.Filter{Commands: []string{"M107", "M300", "M118"}}),
		server.HookGcodeSent:                    tentacle.Filtered(d.sentLine, server.Filter{Observe: true}),
		server.HookGcodeReceived:                tentacle.Filtered(d.received, server.Filter{Prefixes: []string{"ok", "X:"}}),
	}
}

// New returns the plugin's definition, with an implementation of its own.
func New() *tentacle.Definition {
	d := &Demo{}
	return &tentacle.Definition{Name: "G-code demo", Version: "1.0.0", Implementation: d, Hooks: d.hooks()}
}

var demo = &Demo{}

// Plugin is the definition the source tier reads.
var Plugin = tentacle.Definition{Name: "G-code demo", Version: "1.0.0", Implementation: demo, Hooks: demo.hooks()}
