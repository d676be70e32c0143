package scaffold

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// TentacleModule is the module path of Tentacle.
const TentacleModule = "github.com/tentacle-go/tentacle"

// goMod is what a skeleton needs of a go.mod.
type goMod struct {
	Module  string
	Go      string
	Require []requirement
}

type requirement struct{ Path, Version string }

// requires reports whether the module requires path.
func (m goMod) requires(path string) bool {
	for _, r := range m.Require {
		if r.Path == path {
			return true
		}
	}
	return false
}

// parseGoMod reads the module, go and require directives of a go.mod,
// single-line or in blocks; it ignores the others.
func parseGoMod(data []byte) (goMod, error) {
	var m goMod
	block := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			continue
		case block != "" && f[0] == ")":
			block = ""
			continue
		case block != "":
			f = append([]string{block}, f...)
		case len(f) == 2 && f[1] == "(":
			block = f[0]
			continue
		}
		for i := 1; i < len(f); i++ {
			if s, err := strconv.Unquote(f[i]); err == nil {
				f[i] = s
			}
		}
		switch f[0] {
		case "module":
			if len(f) != 2 {
				return m, fmt.Errorf("line %d: malformed module directive", n)
			}
			m.Module = f[1]
		case "go":
			if len(f) != 2 {
				return m, fmt.Errorf("line %d: malformed go directive", n)
			}
			m.Go = f[1]
		case "require":
			if len(f) != 3 {
				return m, fmt.Errorf("line %d: malformed requirement", n)
			}
			m.Require = append(m.Require, requirement{f[1], f[2]})
		}
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if m.Module == "" {
		return m, errors.New("no module directive")
	}
	return m, nil
}

// readGoMod reads dir/go.mod.
func readGoMod(dir string) (goMod, error) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return goMod{}, err
	}
	m, err := parseGoMod(data)
	if err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, "go.mod"), err)
	}
	return m, nil
}

// IsCheckout reports whether dir holds the tentacle module (its go.mod
// declares it).
func IsCheckout(dir string) bool {
	m, err := readGoMod(dir)
	return err == nil && m.Module == TentacleModule
}

// FindCheckout returns the root of a tentacle checkout, for a skeleton's
// replace directive, and how it was found: first the checkout this program
// was built from (the source path compiled into it, when that folder still
// holds the tentacle module), else the nearest folder up from wd whose
// go.mod declares the tentacle module. It returns "" when there is neither
// (a program built with -trimpath or from the module cache, run outside a
// checkout).
func FindCheckout(wd string) (dir, how string) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		// Built from the module cache (path@version): a release, not a
		// checkout; see PublishedVersion.
		if d := walkUp(filepath.Dir(file), IsCheckout); d != "" && !strings.Contains(filepath.Base(d), "@") {
			return d, "the checkout this tentacle was built from"
		}
	}
	if wd != "" {
		if d := walkUp(wd, IsCheckout); d != "" {
			return d, "the checkout around the working directory"
		}
	}
	return "", ""
}

// PublishedVersion returns the version of the tentacle module this program
// was built with, when it is a released one (built from the module cache
// rather than a checkout), else "".
func PublishedVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	mods := append([]*debug.Module{&bi.Main}, bi.Deps...)
	for _, m := range mods {
		if m.Path == TentacleModule && m.Replace == nil && strings.HasPrefix(m.Version, "v") && m.Version != "v0.0.0" {
			return m.Version
		}
	}
	return ""
}

// walkUp returns the first of dir and its parents for which ok holds, or
// "".
func walkUp(dir string, ok func(string) bool) string {
	dir = filepath.Clean(dir)
	for {
		if ok(dir) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// enclosingModule returns the root and go.mod of the module dir is in, if
// any.
func enclosingModule(dir string) (string, goMod, bool) {
	root := walkUp(dir, func(d string) bool {
		fi, err := os.Stat(filepath.Join(d, "go.mod"))
		return err == nil && fi.Mode().IsRegular()
	})
	if root == "" {
		return "", goMod{}, false
	}
	m, err := readGoMod(root)
	return root, m, err == nil
}

// toolchainLanguage is the language version of the Go that built this
// program, as a go directive (1.26.0), for a skeleton without a checkout
// (go mod tidy raises it when the tentacle module needs a newer one).
func toolchainLanguage() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	f := strings.SplitN(v, ".", 3)
	if len(f) < 2 {
		return "1.26.0" // a development toolchain
	}
	for _, s := range f[:2] {
		if _, err := strconv.Atoi(s); err != nil {
			return "1.26.0"
		}
	}
	return f[0] + "." + f[1] + ".0"
}

// modQuote quotes s for a go.mod when it needs it.
func modQuote(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"'`\\") {
		return strconv.Quote(s)
	}
	return s
}

// moduleFiles returns the go.mod of a skeleton of module path, and its
// go.sum (nil for none). With a checkout, go.mod requires the tentacle
// module from it (a replace directive) and, as indirect requirements, the
// tentacle module's own, whose sums go.sum copies from the checkout, so
// that the skeleton builds and tests without the network. Without one, it
// requires version (v0.0.0 when "") and has no go.sum.
func moduleFiles(path, checkout, version string) (mod, sum []byte, err error) {
	var b bytes.Buffer
	goVersion := toolchainLanguage()
	var tm goMod
	if checkout != "" {
		if tm, err = readGoMod(checkout); err != nil {
			return nil, nil, err
		}
		if tm.Module != TentacleModule {
			return nil, nil, fmt.Errorf("%s is the module %s, not %s", checkout, tm.Module, TentacleModule)
		}
		goVersion = tm.Go
		version = "v0.0.0"
	}
	if version == "" {
		version = "v0.0.0"
	}
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire %s %s\n", modQuote(path), goVersion, TentacleModule, version)
	if checkout == "" {
		return b.Bytes(), nil, nil
	}
	if len(tm.Require) > 0 {
		b.WriteString("\n// The tentacle module's own requirements, at the versions it is built\n// and tested with (go mod tidy keeps only those this plugin needs).\nrequire (\n")
		for _, r := range tm.Require {
			fmt.Fprintf(&b, "\t%s %s // indirect\n", modQuote(r.Path), modQuote(r.Version))
		}
		b.WriteString(")\n")
	}
	fmt.Fprintf(&b, "\n// The tentacle module is not published yet: it comes from this checkout.\nreplace %s => %s\n", TentacleModule, modQuote(checkout))
	sum, err = os.ReadFile(filepath.Join(checkout, "go.sum"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	return b.Bytes(), sum, nil
}
