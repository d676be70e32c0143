package settings_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tentacle-go/tentacle/settings"
)

func ExampleNew() {
	s := settings.New(map[string]any{
		"server": map[string]any{"host": "0.0.0.0", "port": 5000},
	})
	s.SetPluginDefaults("hello", map[string]any{"greeting": "hi"})

	if err := s.Set("server.port", 8080); err != nil {
		log.Fatal(err)
	}
	// Equal to the default: nothing is stored.
	if err := s.Set("server.host", "0.0.0.0"); err != nil {
		log.Fatal(err)
	}

	fmt.Println(s.GetInt("server.port"), s.GetString("server.host"))
	fmt.Println(s.GetString("plugins.hello.greeting"))
	fmt.Println(s.UserData())
	// Output:
	// 8080 0.0.0.0
	// hi
	// map[server:map[port:8080]]
}

func ExampleStore_AddOverlay() {
	s := settings.New(map[string]any{"theme": "light"})
	s.AddOverlay("kiosk", map[string]any{"theme": "dark"})
	fmt.Println(s.GetString("theme"))
	s.RemoveOverlay("kiosk")
	fmt.Println(s.GetString("theme"))
	// Output:
	// dark
	// light
}

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "settings-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.yaml")

	s, err := settings.Open(path, map[string]any{"server": map[string]any{"port": 5000}})
	if err != nil {
		log.Fatal(err)
	}
	ps := s.Plugin("hello")
	if err := ps.Set("greeting", "hello, world"); err != nil {
		log.Fatal(err)
	}
	if err := s.Set("server.port", 5000); err != nil { // the default
		log.Fatal(err)
	}
	if err := s.Save(); err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(data))

	reopened, err := settings.Open(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reopened.Plugin("hello").GetString("greeting"))
	// Output:
	// plugins:
	//   hello:
	//     greeting: hello, world
	// hello, world
}

func ExampleParseError() {
	dir, err := os.MkdirTemp("", "settings-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("server:\n  port: 5000\n  host: [\n"), 0o600); err != nil {
		log.Fatal(err)
	}

	s, err := settings.Open(path, map[string]any{"server": map[string]any{"port": 80}})
	var pe *settings.ParseError
	if errors.As(err, &pe) {
		fmt.Println("line", pe.Line, "-", pe.Err)
	}
	// The store serves the defaults but never overwrites the broken file.
	fmt.Println(s.GetInt("server.port"))
	fmt.Println(s.Set("server.port", 81) != nil)
	// Output:
	// line 3 - did not find expected node content
	// 80
	// true
}
