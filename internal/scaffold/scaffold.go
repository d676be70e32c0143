// Package scaffold writes plugin skeletons, for tentacle plugins new: a
// plugin of a tier that builds, lints and runs as it is, with a test that
// runs it in a test host with package plugintest.
package scaffold

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tentacle-go/tentacle"
)

// Tiers are the tiers a skeleton can be written for.
var Tiers = []string{"builtin", "source", "process"}

// Options say what skeleton to write.
type Options struct {
	// ID is the plugin's identifier.
	ID string
	// Tier is one of Tiers.
	Tier string
	// Dir is the folder the skeleton's folder, Dir/ID, is created in.
	Dir string
	// Module is the module path of the skeleton's go.mod; default
	// example.com/tentacle-plugin-<id>.
	Module string
	// Checkout is the tentacle checkout the go.mod's replace directive
	// points at, absolute; "" for none (see FindCheckout). CheckoutFrom
	// says how it was found, for the notes.
	Checkout, CheckoutFrom string
	// Version is the tentacle version the go.mod requires when there is no
	// checkout (PublishedVersion); default v0.0.0.
	Version string
}

// Result is what Write wrote.
type Result struct {
	// Dir is the skeleton's folder.
	Dir string
	// Files are the files written, in order, with what each is for.
	Files []File
	// Module is the module the skeleton is part of, and ModuleDir its root.
	Module, ModuleDir string
	// Notes say how the module gets the tentacle module; Warnings say what
	// the author must do before it builds.
	Notes, Warnings []string
	// Next are the commands to run next.
	Next []string
}

// File is one file of a skeleton.
type File struct {
	Name, Purpose string
	data          []byte
}

// ErrExists is the error of Write when the skeleton's folder exists.
var ErrExists = errors.New("already exists")

// Write writes the skeleton of opts.Tier for opts.ID into opts.Dir/ID: into
// a temporary folder next to it first (named with a leading dot, which
// plugin folders ignore), renamed into place once complete, so that an
// error leaves nothing behind and nobody sees half a skeleton. It refuses
// an invalid identifier, an unknown tier and an existing folder.
func Write(opts Options) (Result, error) {
	if !tentacle.ValidIdentifier(opts.ID) {
		return Result{}, fmt.Errorf("invalid identifier %q: want 1 to %d characters of [a-z0-9_]", opts.ID, tentacle.MaxIdentifierLength)
	}
	if !KnownTier(opts.Tier) {
		return Result{}, fmt.Errorf("unknown tier %q: want %s", opts.Tier, strings.Join(Tiers, ", "))
	}
	if strings.HasPrefix(opts.ID, "_") && opts.Tier != "builtin" {
		return Result{}, fmt.Errorf("identifier %q: the %s tier ignores names that start with _", opts.ID, opts.Tier)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return Result{}, err
	}
	target := filepath.Join(dir, opts.ID)
	if _, err := os.Lstat(target); err == nil {
		return Result{}, fmt.Errorf("%s: %w: choose another --dir or remove it", target, ErrExists)
	}
	opts = withDefaults(opts)
	res := Result{Dir: target}
	if opts.Tier == "source" && strings.HasSuffix(opts.ID, "_disabled") {
		res.Warnings = append(res.Warnings, "a source plugin whose name ends in _disabled is listed as disabled and never runs")
	}
	files, err := plan(opts, dir, &res)
	if err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, err
	}
	if err := stage(dir, target, opts.ID, files); err != nil {
		return Result{}, err
	}
	res.Files = files
	return res, nil
}

// withDefaults fills in the defaults of opts.
func withDefaults(opts Options) Options {
	if opts.Module == "" {
		opts.Module = "example.com/tentacle-plugin-" + opts.ID
	}
	return opts
}

// KnownTier reports whether t is one of Tiers.
func KnownTier(t string) bool {
	for _, k := range Tiers {
		if k == t {
			return true
		}
	}
	return false
}

// plan renders the skeleton's files and fills in res's module, notes and
// next steps.
func plan(opts Options, dir string, res *Result) ([]File, error) {
	d := newData(opts.ID, opts.Tier)
	target := filepath.Join(dir, opts.ID)
	res.Module, res.ModuleDir, d.ImportPath = opts.Module, target, opts.Module
	ownModule := true
	if opts.Tier != "process" { // a process plugin is always a module of its own
		if root, m, ok := enclosingModule(dir); ok {
			rel, err := filepath.Rel(root, target)
			if err != nil {
				return nil, err
			}
			ownModule = false
			res.Module, res.ModuleDir = m.Module, root
			d.ImportPath = m.Module + "/" + filepath.ToSlash(rel)
			res.Notes = append(res.Notes, fmt.Sprintf("it is part of the module %s (%s)", m.Module, filepath.Join(root, "go.mod")))
			if m.Module != TentacleModule && !m.requires(TentacleModule) {
				res.Warnings = append(res.Warnings, fmt.Sprintf("the module %s does not require %s: add it (go get %s) before building", m.Module, TentacleModule, TentacleModule))
			}
		}
	}
	files, err := render(d)
	if err != nil {
		return nil, err
	}
	if ownModule {
		mod, sum, err := moduleFiles(opts.Module, opts.Checkout, opts.Version)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: "go.mod", Purpose: "its module, " + opts.Module + ", requiring the tentacle module", data: mod})
		if sum != nil {
			files = append(files, File{Name: "go.sum", Purpose: "the checksums of the tentacle module's requirements", data: sum})
		}
		switch {
		case opts.Checkout != "":
			from := opts.Checkout
			if opts.CheckoutFrom != "" {
				from += ", " + opts.CheckoutFrom + ","
			}
			res.Notes = append(res.Notes, "go.mod takes the tentacle module from "+from+" with a replace directive (the module is not published)")
		case opts.Version != "":
			res.Notes = append(res.Notes, "go.mod requires the tentacle module "+opts.Version+": run go mod tidy in the folder before building")
		default:
			res.Warnings = append(res.Warnings, "no tentacle checkout found: go.mod requires "+TentacleModule+
				" v0.0.0, which is not published, so it does not build yet: add a replace directive for a checkout, "+
				"replace "+TentacleModule+" => /path/to/tentacle (or write the skeleton again with --replace), then run go mod tidy")
		}
	}
	if opts.Tier == "process" {
		files = append(files, File{Name: ".gitignore", Purpose: "leaves out what go build and tentacle plugins pack write",
			data: []byte("/tentacle-plugin-" + opts.ID + "\n/dist/\n")})
	}
	res.Next = next(opts.Tier, target, opts.ID, d.ImportPath)
	return files, nil
}

// next are the commands to run after writing a skeleton of tier into
// target.
func next(tier, target, id, importPath string) []string {
	test := "cd " + target + " && go test ./..."
	switch tier {
	case "source":
		return []string{test, "tentacle plugins lint " + target, "cp -r " + target + " <basedir>/plugins/  (a running server waits for: tentacle plugins enable " + id + ")"}
	case "process":
		return []string{test, "tentacle plugins pack " + target, "cp -r " + filepath.Join(target, "dist", id) + " <basedir>/packages/"}
	}
	return []string{test, "in a host program: import _ \"" + importPath + "\" to compile it in"}
}

// stage writes files into a temporary folder in dir and renames it to
// target.
func stage(dir, target, id string, files []File) (err error) {
	tmp, err := os.MkdirTemp(dir, "."+id+".new-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(tmp, f.Name), f.data, 0o644); err != nil {
			return err
		}
	}
	// A folder that appeared meanwhile: a rename would replace an empty one.
	if _, err := os.Lstat(target); err == nil {
		return fmt.Errorf("%s: %w", target, ErrExists)
	}
	return os.Rename(tmp, target)
}
