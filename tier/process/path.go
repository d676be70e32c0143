package process

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
)

// onPath finds plugin executables on PATH (the first of a name wins). One
// whose id a package in the packages folder has is listed as found, for the
// manager to report it shadowed, and never run.
func (s *source) onPath(ctx context.Context, packaged map[string]bool) []tier.Candidate {
	path := s.opts.Path
	if path == "" {
		path = os.Getenv("PATH")
	}
	seen := map[string]bool{}
	var out []tier.Candidate
	for _, dir := range filepath.SplitList(path) {
		des, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, de := range des {
			name := de.Name()
			id, ok := strings.CutPrefix(name, ExecutablePrefix)
			if !ok || strings.Contains(id, ".") || seen[id] {
				continue
			}
			exe := filepath.Join(dir, name)
			fi, err := os.Stat(exe)
			if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
				continue
			}
			seen[id] = true
			if packaged[id] {
				out = append(out, tier.Candidate{ID: id, Origin: tier.OriginPackage, Tier: tier.ProcessTier, Location: exe})
				continue
			}
			out = append(out, s.pathCandidate(ctx, id, exe))
		}
	}
	return out
}

// pathCandidate describes a PATH executable: from its manifest
// (<exe>.yaml) when it has one, else by a short describe run.
func (s *source) pathCandidate(ctx context.Context, id, exe string) tier.Candidate {
	c := tier.Candidate{ID: id, Origin: tier.OriginPackage, Tier: tier.ProcessTier, Location: exe, BaseFolder: filepath.Dir(exe)}
	if !tentacle.ValidIdentifier(id) {
		c.Invalid = errInvalidName(id)
		return c
	}
	var sha string
	if m, err := ReadManifest(exe + ".yaml"); err == nil {
		if m.ID != id {
			c.Invalid = errManifestID(m.ID, id)
			return c
		}
		c.Metadata, c.Declares, sha = m.Metadata(), m.Declaration, m.SHA256
	} else {
		got, err := FileSHA256(exe)
		if err != nil {
			c.Invalid = err
			return c
		}
		sha = got
		d, err := describe(ctx, id, exe, sha, &output{log: discard}, s.opts.DescribeTimeout, nil, s.runs)
		if err != nil {
			c.Invalid = err
			return c
		}
		c.Metadata = descriptionMetadata(d)
		c.Declares = describedDeclares(d, nil).declaration // no mixins were sent: unknown
		c.Warnings = append(c.Warnings, "no manifest: described by running it once")
	}
	c.Digest = sha
	opts, runs := s.opts, s.runs
	c.Load = func(ctx context.Context, env tier.Env) (tier.Instance, error) {
		return load(ctx, id, exe, sha, env, opts, runs)
	}
	return c
}
