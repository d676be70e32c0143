package hooks_test

import (
	"fmt"
	"strings"

	"github.com/tentacle-go/tentacle/hooks"
)

func Example() {
	reg := hooks.NewRegistry(hooks.Options{
		OnFault: func(plugin, hook string, recovered any) {
			fmt.Printf("handler of %s for %s failed: %v\n", plugin, hook, recovered)
		},
	})
	// The host declares the hook with its handler type.
	sending := hooks.MustDeclare[func(line string) string](reg, hooks.Spec{
		Name: "tentacle.comm.protocol.gcode.sending",
		Doc:  "Called for every line before it is sent; returns the line to send.",
	})

	// The plugin manager registers plugins' handlers as it enables them.
	_ = reg.Add("uppercase", sending.Name(), hooks.Registration{Func: strings.ToUpper, Order: 10, HasOrder: true})
	_ = reg.Add("comment", sending.Name(), hooks.Registration{Func: func(line string) string { return line + " ; sent" }})
	_ = reg.Add("broken", sending.Name(), hooks.Registration{Func: func(string) string { panic("oops") }, Order: 20, HasOrder: true})

	// The hot path: no lock, no allocation.
	line := "g1 x10"
	sending.Call(func(h hooks.Handler[func(string) string]) { line = h.Fn(line) })
	fmt.Println(line)
	// Output:
	// handler of broken for tentacle.comm.protocol.gcode.sending failed: oops
	// G1 X10 ; sent
}

func ExampleRegistry_Explain() {
	reg := hooks.NewRegistry(hooks.Options{})
	const name = "tentacle.comm.protocol.gcode.queuing"
	_ = reg.Declare(hooks.Spec{Name: name})
	_ = reg.Add("foo", name, hooks.Registration{Func: func() {}, Order: 10, HasOrder: true})
	_ = reg.Add("bar", name, hooks.Registration{Func: func() {}})
	_ = reg.Add("baz", name, hooks.Registration{Func: func() {}})
	_ = reg.Add("qux", name, hooks.Registration{Func: func() {}, Order: 100, HasOrder: true})
	// The config (plugins._sortingOrder) moves qux first.
	reg.SetOrderOverrides(map[string]map[string]int{"qux": {name: 5}})

	for _, e := range reg.Explain(name) {
		fmt.Printf("%d. %s: %s\n", e.Position, e.Plugin, e.Reason)
	}
	// Output:
	// 1. qux: order 5 from config plugins._sortingOrder.qux.tentacle.comm.protocol.gcode.queuing (the plugin gives 100)
	// 2. foo: order 10 set by the plugin
	// 3. bar: default order 1000 (the plugin gives none)
	// 4. baz: default order 1000 (the plugin gives none); after "bar" by identifier
}

func ExampleHook_CallUntil() {
	reg := hooks.NewRegistry(hooks.Options{})
	atcommand := hooks.MustDeclare[func(cmd string) (handled bool)](reg, hooks.Spec{
		Name: "tentacle.comm.protocol.atcommand.sending",
	})
	_ = reg.Add("pause", atcommand.Name(), hooks.Registration{Func: func(cmd string) bool { return cmd == "@pause" }})
	_ = reg.Add("log", atcommand.Name(), hooks.Registration{Func: func(cmd string) bool { fmt.Println("log", cmd); return false }, Order: 1, HasOrder: true})

	for _, cmd := range []string{"@pause", "@resume"} {
		handled := atcommand.CallUntil(func(h hooks.Handler[func(string) bool]) bool { return h.Fn(cmd) })
		fmt.Println(cmd, "handled:", handled)
	}
	// Output:
	// log @pause
	// @pause handled: true
	// log @resume
	// @resume handled: false
}

func ExampleMatch() {
	restartNeeding := []string{"tentacle.server.http.*", "tentacle.printer.factory"}
	fmt.Println(hooks.Match("tentacle.server.http.routes", restartNeeding...))
	fmt.Println(hooks.Match("tentacle.comm.protocol.gcode.sending", restartNeeding...))
	// Output:
	// true
	// false
}
