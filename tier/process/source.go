// Package process is the process tier: plugins that run as executables of
// their own, over unix sockets (the lean protocol; executables built with
// earlier SDKs over hashicorp/go-plugin with gRPC), found in the packages
// folder of a base directory (and, when the operator allows it, on PATH).
// A crash, a leak or a hang in such a plugin never reaches the host: calls
// carry deadlines, a crashed process is reported and restarted by the
// manager, and the process dies with the host.
//
// Plugin authors serve their tentacle.Definition with package sdk.
package process

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
)

type source struct {
	dir  string
	opts *Options
	runs *runDirs // the socket folder
}

// New returns the source of the packages folder dir: <dir>/<id>/ with
// plugin.yaml and the executable it names. A folder that does not exist is
// an empty one. A package folder without plugin.yaml is listed as not a
// plugin. New removes the socket folders that hosts no longer running
// left in Options.SocketDir.
func New(dir string, opts Options) tier.Origin {
	opts.defaults()
	opts.checks = newChecks(opts.CheckRecords)
	return &source{dir: dir, opts: &opts, runs: newRunDirs(opts.SocketDir)}
}

func (s *source) Name() string { return tier.OriginPackage }

// IsolatesPlugins implements tier.Isolating: each plugin runs in a process
// of its own.
func (s *source) IsolatesPlugins() {}

var _ tier.Isolating = (*source)(nil)

// Scan lists the packaged plugins, sorted, reading only manifests: no
// plugin runs (except, with PathDiscovery, PATH executables without a
// manifest, for a bounded describe run).
func (s *source) Scan(ctx context.Context) ([]tier.Candidate, error) {
	_ = tier.CleanRemovals(s.dir) // what an interrupted uninstall left; hidden from the scan anyway
	var out []tier.Candidate
	des, err := os.ReadDir(s.dir)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read packages folder: %w", err)
	}
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		dir := filepath.Join(s.dir, name)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		out = append(out, s.packaged(name, dir))
	}
	if s.opts.PathDiscovery {
		packaged := make(map[string]bool, len(out))
		for _, c := range out {
			packaged[c.ID] = true
		}
		out = append(out, s.onPath(ctx, packaged)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// packaged is the candidate of <packages>/<name>/.
func (s *source) packaged(name, dir string) tier.Candidate {
	c := tier.Candidate{ID: name, Origin: tier.OriginPackage, Tier: tier.ProcessTier, Location: dir, BaseFolder: dir}
	if !tentacle.ValidIdentifier(name) {
		c.Invalid = fmt.Errorf("invalid identifier %q: rename the folder to [a-z0-9_]+", name)
		return c
	}
	m, err := ReadManifest(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		// Without a manifest, nothing declares the folder a plugin: it is
		// listed as not a plugin (as a source plugin's folder without a
		// definition is), never run.
		c.NotAPlugin = true
		c.Warnings = append(c.Warnings, "no "+ManifestFile+": not a plugin package")
		return c
	}
	if err != nil {
		c.Invalid = fmt.Errorf("manifest: %w", err)
		return c
	}
	if m.ID != name {
		c.Invalid = fmt.Errorf("manifest: id %q, but the folder is %s/", m.ID, name)
		return c
	}
	exe := filepath.Join(dir, m.Executable)
	c.Location = exe
	c.Metadata = m.Metadata()
	c.Declares = m.Declaration
	c.Digest = m.SHA256
	if fi, err := os.Stat(exe); err != nil || !fi.Mode().IsRegular() {
		c.Invalid = fmt.Errorf("executable %s is missing", exe)
		return c
	}
	c.Remove = func() error { return tier.RemoveAll(dir) }
	sha, opts, runs := m.SHA256, s.opts, s.runs
	c.Load = func(ctx context.Context, env tier.Env) (tier.Instance, error) {
		return load(ctx, name, exe, sha, env, opts, runs)
	}
	return c
}
