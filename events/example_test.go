package events_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tentacle-go/tentacle/events"
)

func Example() {
	bus := events.New(events.Options{
		OnFault: func(subscriber string, ev events.Event, recovered any) {
			fmt.Printf("%s failed on %s: %v\n", subscriber, ev.Name, recovered)
		},
	})

	// A plugin's EventHandler gets the events it asked for, one at a time,
	// on its own goroutine.
	sub, err := bus.Subscribe("plugin:hello", func(ev events.Event) {
		if ev.Name == "Shutdown" {
			panic("not now")
		}
		fmt.Println("hello got", ev.Name, ev.Payload)
	}, "Startup", "Shutdown", events.PluginEvent("hello", "*"))
	if err != nil {
		fmt.Println(err)
		return
	}

	bus.Fire("Startup", nil)
	bus.Fire("ClientOpened", map[string]any{"remoteAddress": "127.0.0.1"}) // not subscribed
	bus.Fire(events.PluginEvent("hello", "greeted"), map[string]any{"name": "world"})
	bus.Fire("Shutdown", nil)

	// Close delivers what is queued, then stops the subscribers.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := bus.Close(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Println("fire after close:", bus.Fire("Startup", nil))
	fmt.Printf("%+v\n", sub.Stats())
	// Output:
	// hello got Startup map[]
	// hello got plugin_hello_greeted map[name:world]
	// plugin:hello failed on Shutdown: not now
	// fire after close: false
	// {Subscriber:plugin:hello Delivered:3 Dropped:0 Faults:1 Queued:0}
}

func ExampleSubscription_Close() {
	bus := events.New(events.Options{Logger: slog.New(slog.DiscardHandler)})
	started, release := make(chan struct{}), make(chan struct{})
	sub, _ := bus.Subscribe("socket:1", func(events.Event) {
		close(started)
		<-release
	})
	bus.Fire("Startup", nil)
	<-started // the handler is blocked on Startup

	// A handler that does not return in time is left behind.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	fmt.Println(sub.Close(ctx))

	close(release)
	fmt.Println(sub.Close(context.Background())) // now it has returned
	_ = bus.Close(context.Background())
	// Output:
	// context deadline exceeded
	// <nil>
}

func ExamplePluginEvent() {
	fmt.Println(events.PluginEvent("hello", "greeted"))
	// Output: plugin_hello_greeted
}
