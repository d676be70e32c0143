package install_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tentacle-go/tentacle/install"
)

// exampleBase returns a new base directory and a one-file source plugin
// to install.
func exampleBase() (base, plugin string) {
	base, err := os.MkdirTemp("", "example-base-")
	if err != nil {
		log.Fatal(err)
	}
	plugin = filepath.Join(base, "..", filepath.Base(base)+"-hello.go")
	data, err := os.ReadFile(filepath.Join("testdata", "hello", "hello.go"))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(plugin, data, 0o644); err != nil {
		log.Fatal(err)
	}
	return base, plugin
}

// Install a plugin from a file, as an upload the caller saved: its Name
// decides the type and, for a Go file, the identifier.
func ExampleInstaller_Install() {
	base, upload := exampleBase()
	defer os.RemoveAll(base)
	defer os.Remove(upload)

	in, err := install.New(install.Options{
		BaseDir: base,
		Log:     func(line string) { fmt.Println(line) },
		Reserved: func(id string) string {
			if id == "pluginmanager" {
				return "the Plugin Manager itself"
			}
			return ""
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := in.Install(context.Background(), install.Source{Path: upload, Name: "hello.go"}, install.Mode{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %s (%s) in %s\n", res.ID, res.Version, res.Kind, res.Path)

	// Again, without Reinstall: refused.
	_, err = in.Install(context.Background(), install.Source{Path: upload, Name: "hello.go"}, install.Mode{})
	fmt.Println(errors.Is(err, install.ErrInstalled), err)
	// Output:
	// Installed hello 1.0.0 into plugins/hello.go
	// hello 1.0.0 (source) in plugins/hello.go
	// true install "hello": validate: hello is installed as plugins/hello.go: reinstall to replace it
}

// Prepare, look at what is staged, then place it and commit, or roll back.
func ExampleInstaller_Prepare() {
	base, file := exampleBase()
	defer os.RemoveAll(base)
	defer os.Remove(file)

	in, err := install.New(install.Options{BaseDir: base})
	if err != nil {
		log.Fatal(err)
	}
	p, err := in.Prepare(context.Background(), install.Source{Path: file, Name: "hello.go"}, install.Mode{})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Discard() // does nothing once committed or rolled back
	fmt.Println(p.ID, p.Name, p.Version, p.Kind, p.Replaces)
	if err := p.Place(); err != nil {
		log.Fatal(err)
	}
	// The host would enable the plugin here, and roll back if that fails.
	if err := p.Rollback(); err != nil {
		log.Fatal(err)
	}
	_, err = os.Stat(filepath.Join(base, "plugins", "hello.go"))
	fmt.Println(errors.Is(err, os.ErrNotExist))
	// Output:
	// hello Hello 1.0.0 source []
	// true
}

// At start, before anything scans the plugins, the server recovers from
// installs and removals a crash interrupted; an uninstall removes the
// plugin's file or folder.
func ExampleRecover() {
	base, file := exampleBase()
	defer os.RemoveAll(base)
	defer os.Remove(file)

	if err := install.Recover(base); err != nil {
		log.Fatal(err)
	}
	in, err := install.New(install.Options{BaseDir: base})
	if err != nil {
		log.Fatal(err)
	}
	res, err := in.Install(context.Background(), install.Source{Path: file, Name: "hello.go"}, install.Mode{})
	if err != nil {
		log.Fatal(err)
	}
	if err := install.Remove(base, res.Path); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(base, "plugins"))
	fmt.Println(len(entries), "plugins left")
	// Output:
	// 0 plugins left
}
