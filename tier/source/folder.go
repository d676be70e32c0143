// Package source is the source tier: the plugins folder of a base
// directory, whose plugins are Go source: a plugin is a Go file <id>.go or a folder <id>/ of Go files
// (one package) that the yaegi interpreter runs, no compiler needed. It is
// OctoPrint's plugins folder with .go instead of .py.
//
// A plugin declares, at package level, a variable named Plugin holding its
// tentacle.Definition, exactly as a compiled plugin does:
//
//	var Plugin = tentacle.Definition{Name: "Hello", Version: "1.0.0", Implementation: &Hello{}}
//
// Scanning reads metadata from that literal with go/parser, without running
// anything, so disabled, blocklisted and incompatible plugins are listed
// with their name and version and never run. Loading gives each plugin an
// interpreter of its own; unloading drops it.
package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source/symbols"
)

// Options configure the source.
type Options struct {
	// Symbols are more packages plugins may import, besides the standard
	// library (Go 1.22's, yaegi's) and packages tentacle and host: a host's
	// own API, as yaegi extract generates it.
	Symbols []map[string]map[string]reflect.Value
}

type source struct {
	dir  string
	opts Options

	hostOnce sync.Once
	host     *hostTables
}

// hostTables are the host packages plugins import (the host API and
// Options.Symbols), with read-only package variables.
type hostTables struct {
	exports []exports
	idx     []byPath                   // exports by import path
	vars    map[string]map[string]bool // import path -> its package variables
	names   map[string]string          // import path -> package name
}

// hostExports returns the host packages, made once per source (and
// once for every source without Options.Symbols).
func (s *source) hostExports() *hostTables {
	s.hostOnce.Do(func() {
		if len(s.opts.Symbols) == 0 {
			s.host = defaultHost()
			return
		}
		s.host = newHostTables(s.opts.Symbols)
	})
	return s.host
}

// defaultHost are the host tables of a source without Options.Symbols.
var defaultHost = sync.OnceValue(func() *hostTables { return newHostTables(nil) })

// newHostTables returns the host API and the packages of symbols.
func newHostTables(symbols []map[string]map[string]reflect.Value) *hostTables {
	sb := theSandbox()
	h := &hostTables{exports: []exports{sb.host}, vars: map[string]map[string]bool{}, names: map[string]string{}}
	for p, v := range sb.hostVars {
		h.vars[p] = v
	}
	for _, ex := range symbols {
		ro, vars := readOnlyExports(ex)
		h.exports = append(h.exports, ro)
		for p, v := range vars {
			h.vars[p] = v
		}
	}
	for _, ex := range h.exports {
		h.idx = append(h.idx, index(ex))
		for key := range ex {
			h.names[path.Dir(key)] = path.Base(key)
		}
	}
	return h
}

// New returns the source of the plugins folder dir. A folder that does not
// exist is an empty one.
func New(dir string, opts Options) tier.Origin {
	return &source{dir: dir, opts: opts}
}

func (s *source) Name() string { return tier.OriginFolder }

// entry is one plugin found in the folder, before parsing.
type entry struct {
	id       string
	location string   // the file or folder
	files    []string // the Go files, absolute, sorted
	warnings []string
}

// Scan lists the plugins of the folder, sorted by identifier. Ignored:
// names starting with "_" or ".", test files and anything that is not Go.
// When <id>.go and <id>/ both exist, the folder wins and the file is
// reported in a warning. What an interrupted uninstall left
// ([tier.RemoveAll]) is deleted first.
func (s *source) Scan(context.Context) ([]tier.Candidate, error) {
	_ = tier.CleanRemovals(s.dir) // a leftover is hidden from the scan anyway
	des, err := os.ReadDir(s.dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read plugins folder: %w", err)
	}
	found := make(map[string]*entry)
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(s.dir, name)
		fi, err := os.Stat(path) // follows links
		if err != nil {
			continue
		}
		switch {
		case fi.IsDir():
			files := goFiles(path)
			if len(files) == 0 {
				continue
			}
			if old := found[name]; old != nil {
				found[name] = &entry{id: name, location: path, files: files,
					warnings: []string{fmt.Sprintf("%s is ignored: the folder %s/ of the same name wins", filepath.Base(old.location), name)}}
				continue
			}
			found[name] = &entry{id: name, location: path, files: files}
		case fi.Mode().IsRegular() && isGoFile(name):
			id := strings.TrimSuffix(name, ".go")
			if old := found[id]; old != nil {
				old.warnings = append(old.warnings, fmt.Sprintf("%s is ignored: the folder %s/ of the same name wins", name, id))
				continue
			}
			found[id] = &entry{id: id, location: path, files: []string{path}}
		}
	}
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]tier.Candidate, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.candidate(found[id]))
	}
	return out, nil
}

// isGoFile reports whether name is a Go file a plugin consists of.
func isGoFile(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") &&
		!strings.HasPrefix(name, "_") && !strings.HasPrefix(name, ".")
}

// goFiles lists the plugin's Go files in folder dir.
func goFiles(dir string) []string {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var files []string
	for _, de := range des {
		path := filepath.Join(dir, de.Name())
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && isGoFile(de.Name()) { // links followed
			files = append(files, path)
		}
	}
	sort.Strings(files)
	return files
}

// candidate reads and parses a plugin's files into its candidate.
func (s *source) candidate(e *entry) tier.Candidate {
	c, _, _ := s.parse(e)
	return c
}

// parse reads and parses a plugin's files into its candidate, and returns
// the parsed package and definition too (nil when the candidate cannot be
// loaded).
func (s *source) parse(e *entry) (c tier.Candidate, _ *pkg, _ *definition) {
	c = tier.Candidate{
		ID:       e.id,
		Origin:   tier.OriginFolder,
		Tier:     tier.SourceTier,
		Location: e.location,
		Disabled: strings.HasSuffix(e.id, "_disabled"),
		Warnings: e.warnings,
	}
	c.BaseFolder = e.location
	if len(e.files) == 1 && e.files[0] == e.location {
		c.BaseFolder = filepath.Dir(e.location) // a one-file plugin
	}
	if !tentacle.ValidIdentifier(e.id) {
		c.Invalid = fmt.Errorf("invalid identifier %q: rename %s to [a-z0-9_]+", e.id, filepath.Base(e.location))
		return c, nil, nil
	}
	srcs, err := readFiles(e.files)
	if err != nil {
		c.Invalid = err
		return c, nil, nil
	}
	// The digest is of the files as they are, parsable or not, so that a
	// rescan notices a file that stops (or starts) parsing.
	h := sha256.New()
	for i, src := range srcs {
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(e.files[i]), len(src))
		h.Write(src)
	}
	c.Digest = hex.EncodeToString(h.Sum(nil))
	pkg, err := parsePackage(e.files, srcs)
	if err != nil {
		c.Invalid = err
		return c, nil, nil
	}
	def, err := findDefinition(pkg)
	switch {
	case err != nil:
		c.Invalid = err
		return c, nil, nil
	case def == nil:
		c.NotAPlugin = true
		return c, nil, nil
	}
	c.Metadata = def.metadata
	d := declaration(pkg, def, append([]map[string]map[string]reflect.Value{symbols.Symbols}, s.opts.Symbols...))
	c.Declares = func() *tier.Declaration { return d }
	c.Warnings = append(c.Warnings, def.warnings...)
	location := e.location
	c.Remove = func() error { return tier.RemoveAll(location) }
	c.Load = func(ctx context.Context, env tier.Env) (tier.Instance, error) {
		return load(ctx, s, e.id, pkg, def, env)
	}
	return c, pkg, def
}
