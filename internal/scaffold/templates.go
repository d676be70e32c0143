package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"go/token"
	"strconv"
	"strings"
	"text/template"

	"github.com/tentacle-go/tentacle"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

var templates = template.Must(template.ParseFS(templateFS, "templates/*.tmpl"))

// data is what the templates are filled in with.
type data struct {
	ID      string
	Tier    string
	Package string // the Go package name
	Type    string // the implementation's type
	Name    string // the plugin's display name
	Compat  string
	// ImportPath is the package's import path, for a builtin plugin's
	// documentation.
	ImportPath string
	// File is the base name of the main file and its test, without .go.
	File string
}

func newData(id, tier string) data {
	return data{ID: id, Tier: tier, Package: packageName(id, tier), Type: typeName(id), Name: displayName(id),
		Compat: compat(tentacle.APIVersion), File: fileName(id, tier)}
}

// render returns the skeleton's Go files, gofmt-formatted.
func render(d data) ([]File, error) {
	main := map[string]string{"builtin": "the plugin: its Definition, implementation and registration",
		"source":  "the plugin: its Definition and implementation",
		"process": "the plugin's main package: its Definition, implementation and sdk.Serve"}[d.Tier]
	test := map[string]string{"builtin": "its test, with plugintest.New",
		"source":  "its test, with plugintest.NewSource (the plugins folder leaves test files out)",
		"process": "its test, with plugintest.NewProcess"}[d.Tier]
	var files []File
	for _, f := range []struct{ tmpl, name, purpose string }{
		{d.Tier + ".go.tmpl", d.File + ".go", main},
		{d.Tier + "_test.go.tmpl", d.File + "_test.go", test},
	} {
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, f.tmpl, d); err != nil {
			return nil, err
		}
		src, err := format.Source(b.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", f.name, err, b.Bytes()) // a bug in the template
		}
		files = append(files, File{Name: f.name, Purpose: f.purpose, data: src})
	}
	return files, nil
}

// packageName is the Go package name of plugin id: the identifier itself
// when it is one the go command takes, else plugin_<id>.
func packageName(id, tier string) string {
	switch {
	case tier == "process":
		return "main"
	case !token.IsIdentifier(id) || id == "main" || strings.HasPrefix(id, "_"):
		return "plugin_" + strings.TrimLeft(id, "_")
	}
	return id
}

// typeName is the implementation's type: the identifier in CamelCase, not
// clashing with the skeleton's other names.
func typeName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	name := b.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "Plugin" + name
	}
	if name == "Plugin" || name == "ID" {
		name += "Impl"
	}
	return name
}

// displayName is the plugin's name in listings: its identifier's words,
// capitalised.
func displayName(id string) string {
	var words []string
	for _, part := range strings.Split(id, "_") {
		if part != "" {
			words = append(words, strings.ToUpper(part[:1])+part[1:])
		}
	}
	if len(words) == 0 {
		return id
	}
	return strings.Join(words, " ")
}

// compat is the Compat constraint of a skeleton: this API version up to the
// next major one.
func compat(api string) string {
	f := strings.SplitN(api, ".", 3)
	major, _ := strconv.Atoi(f[0])
	minor := "0"
	if len(f) > 1 {
		minor = f[1]
	}
	return fmt.Sprintf(">=%d.%s, <%d", major, minor, major+1)
}

// fileName is the base name of the skeleton's main file: <id>, or plugin
// for a process plugin and for an identifier the go command would read as
// a test file or a file for another system (hello_test, hello_windows).
func fileName(id, tier string) string {
	if tier == "process" {
		return "main"
	}
	parts := strings.Split(id, "_")
	for _, p := range parts[1:] {
		if p == "test" || goosArch[p] {
			return "plugin"
		}
	}
	return id
}

// goosArch are the GOOS and GOARCH values that make a file name's suffix a
// build constraint (go/build's lists).
var goosArch = map[string]bool{
	"aix": true, "android": true, "darwin": true, "dragonfly": true, "freebsd": true, "hurd": true, "illumos": true,
	"ios": true, "js": true, "linux": true, "nacl": true, "netbsd": true, "openbsd": true, "plan9": true,
	"solaris": true, "wasip1": true, "windows": true, "zos": true,
	"386": true, "amd64": true, "amd64p32": true, "arm": true, "armbe": true, "arm64": true, "arm64be": true,
	"loong64": true, "mips": true, "mipsle": true, "mips64": true, "mips64le": true, "mips64p32": true,
	"mips64p32le": true, "ppc": true, "ppc64": true, "ppc64le": true, "riscv": true, "riscv64": true,
	"s390": true, "s390x": true, "sparc": true, "sparc64": true, "wasm": true,
}
