package process

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/tier"
)

// ManifestFile is the manifest beside a packaged plugin's executable.
const ManifestFile = "plugin.yaml"

// ExecutablePrefix starts the name of every plugin executable:
// tentacle-plugin-<id>.
const ExecutablePrefix = "tentacle-plugin-"

// Manifest describes a plugin executable, so that it can be listed and
// gated without running it (OctoPrint reads a package's metadata the same
// way). It is plugin.yaml in the plugin's folder:
//
//	id: hello
//	name: Hello
//	version: 1.0.0
//	compat: ">=1.0, <2"
//	executable: tentacle-plugin-hello
//	sha256: 3b0c...
//	declares:
//	  hooks: [tentacle.plugin.hello.greeting]
//	  mixins: [tentacle.Initializer]
//	  mixins_checked: [tentacle.Initializer, tentacle.RestartNeeding, ...]
//	  settings_overlay: false
type Manifest struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Version       string `yaml:"version"`
	Description   string `yaml:"description,omitempty"`
	Author        string `yaml:"author,omitempty"`
	URL           string `yaml:"url,omitempty"`
	License       string `yaml:"license,omitempty"`
	PrivacyPolicy string `yaml:"privacy_policy,omitempty"`
	Compat        string `yaml:"compat,omitempty"`
	// Executable is the file name of the executable, in the manifest's
	// folder; default tentacle-plugin-<id>.
	Executable string `yaml:"executable,omitempty"`
	// SHA256 is the executable's SHA-256 in hex. The host checks it before
	// every start and refuses to run an executable that does not match.
	SHA256 string `yaml:"sha256"`
	// Declares is what the plugin declares that decides whether toggling
	// it needs a restart, so that a plugin that is not loaded (disabled at
	// start) is listed as restart-needing when it is. Optional: without
	// it, that is not known until the plugin runs.
	Declares *Declares `yaml:"declares,omitempty"`
}

// Declares is the declares section of a manifest: the facts of
// [tier.Declaration] as the plugin's describe answer gives them (tentacle
// plugins pack writes it).
type Declares struct {
	// Hooks are all the hooks the plugin has handlers for.
	Hooks []string `yaml:"hooks,flow"`
	// Mixins are the mixins it implements among MixinsChecked, by the names
	// listings show ("tentacle.RestartNeeding", "server.Asset").
	Mixins []string `yaml:"mixins,flow"`
	// MixinsChecked are the mixins the plugin was checked against (those of
	// the host that packed it): one of them not in Mixins is not
	// implemented. A host's mixin that is not among them is not known
	// until the plugin runs.
	MixinsChecked []string `yaml:"mixins_checked,omitempty,flow"`
	// SettingsOverlay: the plugin has a non-empty settings overlay.
	SettingsOverlay bool `yaml:"settings_overlay"`
}

// ReadManifest reads and checks a manifest.
func ReadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := parseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// parseManifest decodes and checks the content of a manifest.
func parseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Manifest) check() error {
	switch {
	case !tentacle.ValidIdentifier(m.ID):
		return fmt.Errorf("invalid or missing id %q (want [a-z0-9_]+)", m.ID)
	case m.SHA256 == "":
		return errors.New("no sha256 of the executable")
	}
	if b, err := hex.DecodeString(m.SHA256); err != nil || len(b) != sha256.Size {
		return fmt.Errorf("sha256 %q is not a SHA-256 in hex", m.SHA256)
	}
	if m.Executable == "" {
		m.Executable = ExecutablePrefix + m.ID
	}
	if strings.ContainsAny(m.Executable, `/\`) || m.Executable == "." || m.Executable == ".." {
		return fmt.Errorf("executable %q must be a file name in the manifest's folder", m.Executable)
	}
	return nil
}

// Marshal returns the manifest as plugin.yaml holds it, the format
// [ReadManifest] reads, after the same checks (an invalid id or a missing
// or malformed SHA-256 is an error). An Executable that is the default,
// tentacle-plugin-<id>, is left out.
func (m *Manifest) Marshal() ([]byte, error) {
	c := *m
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.Executable == ExecutablePrefix+c.ID {
		c.Executable = ""
	}
	return yaml.Marshal(&c)
}

// Metadata returns the manifest's metadata.
func (m *Manifest) Metadata() tier.Metadata {
	return tier.Metadata{Name: m.Name, Version: m.Version, Description: m.Description, Author: m.Author,
		URL: m.URL, License: m.License, PrivacyPolicy: m.PrivacyPolicy, Compat: m.Compat}
}

// Declaration returns what the manifest says the plugin declares (nil when
// it has no declares section): its hooks and settings overlay, known, and
// the mixins it implements among those checked.
func (m *Manifest) Declaration() *tier.Declaration { return m.Declares.declaration() }

func (d *Declares) declaration() *tier.Declaration {
	if d == nil {
		return nil
	}
	return &tier.Declaration{
		Hooks:                slices.Clone(d.Hooks),
		HooksKnown:           true,
		Mixins:               slices.Clone(d.Mixins),
		MixinsChecked:        slices.Clone(d.MixinsChecked),
		SettingsOverlay:      d.SettingsOverlay,
		SettingsOverlayKnown: true,
	}
}

// FileSHA256 returns the SHA-256 of a file in hex.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return readerSHA256(f)
}

func readerSHA256(r io.Reader) (string, error) {
	sum, _, err := scanSHA256(r)
	return sum, err
}

// ErrChecksum is returned when an executable does not match its manifest.
var ErrChecksum = errors.New("the executable does not match the SHA-256 of its manifest")
