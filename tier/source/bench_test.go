package source_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier"
)

const benchPlugin = `package %s

import (
	"strings"

	"github.com/tentacle-go/tentacle"
)

type Bench struct{ tentacle.Base }

func (b *Bench) Initialize() error { return nil }

func (b *Bench) SettingsDefaults() map[string]any { return map[string]any{"prefix": "N"} }

func sending(line string) string {
	if strings.HasPrefix(line, "M117") {
		return ""
	}
	return line
}

var Plugin = tentacle.Definition{
	Name:           "Bench",
	Version:        "1.0.0",
	Implementation: &Bench{},
	Hooks:          tentacle.Hooks{"bench.sending": tentacle.Hook(sending, 10)},
	Helpers:        tentacle.Helpers{"sending": sending},
}
`

func benchDir(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("bench%d", i)
		if err := os.WriteFile(filepath.Join(dir, id+".go"), []byte(fmt.Sprintf(benchPlugin, id)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// benchMixins are two of package tentacle's mixins, as the benchmarks have
// always used.
var benchMixins = func() (out []tentacle.Mixin) {
	for _, mx := range tentacle.Mixins() {
		if mx.Type == reflect.TypeFor[tentacle.Initializer]() || mx.Type == reflect.TypeFor[tentacle.SettingsPlugin]() {
			out = append(out, mx)
		}
	}
	return out
}()

// BenchmarkLoadOne: scan the folder, parse, rewrite, and load one plugin
// in a new interpreter.
func BenchmarkLoadOne(b *testing.B) {
	dir := benchDir(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		c := scanB(b, dir)[0]
		inst, err := c.Load(context.Background(), tier.Env{Mixins: benchMixins})
		if err != nil {
			b.Fatal(err)
		}
		inst.Close()
	}
}

// BenchmarkLoadOneServerMixins: LoadOne with every mixin the server
// offers (package server's and package tentacle's), as tentacle serve
// loads a plugin.
func BenchmarkLoadOneServerMixins(b *testing.B) {
	dir := benchDir(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		c := scanB(b, dir)[0]
		inst, err := c.Load(context.Background(), tier.Env{Mixins: server.Mixins()})
		if err != nil {
			b.Fatal(err)
		}
		inst.Close()
	}
}

// BenchmarkLoad100Parallel: load 100 plugins, one goroutine per core
// (docs/benchmarks.md has the targets).
func BenchmarkLoad100Parallel(b *testing.B) {
	dir := benchDir(b, 100)
	b.ReportAllocs()
	for b.Loop() {
		cands := scanB(b, dir)
		work := make(chan tier.Candidate, len(cands))
		for _, c := range cands {
			work <- c
		}
		close(work)
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range work {
					inst, err := c.Load(context.Background(), tier.Env{Mixins: benchMixins})
					if err != nil {
						b.Error(err)
						return
					}
					inst.Close()
				}
			}()
		}
		wg.Wait()
	}
}

type sendingHook func(string) string

// BenchmarkHookCall: one call of an interpreted hook handler through the
// typed hot path.
func BenchmarkHookCall(b *testing.B) {
	dir := benchDir(b, 1)
	inst, err := scanB(b, dir)[0].Load(context.Background(), tier.Env{Mixins: benchMixins})
	if err != nil {
		b.Fatal(err)
	}
	defer inst.Close()
	reg := hooks.NewRegistry(hooks.Options{})
	h := hooks.MustDeclare[sendingHook](reg, hooks.Spec{Name: "bench.sending"})
	hh := inst.Definition().Hooks["bench.sending"].(tentacle.HookHandler)
	if err := reg.Add("bench0", "bench.sending", hooks.Registration{Func: hh.Func, Order: hh.Order, HasOrder: true}); err != nil {
		b.Fatal(err)
	}
	line := "G1 X10.5 Y20.25 E0.1234 F1800"
	b.ReportAllocs()
	for b.Loop() {
		for _, hd := range h.Handlers() {
			line = hd.Fn(line)
		}
	}
	if line == "" {
		b.Fatal("line lost")
	}
}

func scanB(b *testing.B, dir string) []tier.Candidate {
	b.Helper()
	cands, err := newSource(dir).Scan(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return cands
}

const floorPlugin = `package floor

import "github.com/tentacle-go/tentacle"

func noop(line string) string { return line }

var Plugin = tentacle.Definition{
	Name:    "Floor",
	Version: "1.0.0",
	Helpers: tentacle.Helpers{"noop": noop},
}
`

// BenchmarkHandlerFloor: one call of an interpreted function that does
// nothing, func(string) string, called from the host as the typed Go
// function the interpreter hands out: the floor under any hook handler
// call of the source tier (docs/benchmarks.md).
func BenchmarkHandlerFloor(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "floor.go"), []byte(floorPlugin), 0o644); err != nil {
		b.Fatal(err)
	}
	inst, err := scanB(b, dir)[0].Load(context.Background(), tier.Env{})
	if err != nil {
		b.Fatal(err)
	}
	defer inst.Close()
	fn, ok := inst.Definition().Helpers["noop"].(func(string) string)
	if !ok {
		b.Fatalf("helper is a %T", inst.Definition().Helpers["noop"])
	}
	line := "G1 X10.5 Y20.25 E0.1234 F1800"
	b.ReportAllocs()
	for b.Loop() {
		line = fn(line)
	}
	if line == "" {
		b.Fatal("line lost")
	}
}
