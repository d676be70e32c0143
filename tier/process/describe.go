package process

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pluginpb"
	"github.com/tentacle-go/tentacle/internal/wire"
	"github.com/tentacle-go/tentacle/tier"
)

// Describe runs the plugin executable exe once, as the host does to list an
// executable on PATH that has no manifest, and returns the manifest that
// describes it: the metadata of its Definition, the identifier it serves
// itself as (sdk.Serve's id; empty from an SDK too old to say it), its
// SHA-256 and what it declares (Declares): its hooks, whether it has a
// settings overlay, and which of mixins (a host's, as its manager gets
// them: tentacle.Mixins() and its own) it implements, matched by the
// plugin's SDK as when a host loads it. Executable is left empty, the
// default tentacle-plugin-<id>: set it when the file is named otherwise.
// The run is bounded by timeout (zero: 5 s, the default DescribeTimeout)
// and by ctx; the process is stopped before Describe returns. A failure
// includes the last lines the process wrote. tentacle plugins pack writes
// plugin.yaml from it, with the tentacle server's mixins.
func Describe(ctx context.Context, exe string, timeout time.Duration, mixins ...tentacle.Mixin) (*Manifest, error) {
	if timeout <= 0 {
		var o Options
		o.defaults()
		timeout = o.DescribeTimeout
	}
	sha, err := FileSHA256(exe)
	if err != nil {
		return nil, err
	}
	out := &output{log: discard}
	d, err := describe(ctx, "", exe, sha, out, timeout, mixins, describeRuns())
	if err != nil {
		if last := out.lines(); len(last) > 0 {
			err = fmt.Errorf("%w; its last output:\n  %s", err, strings.Join(last, "\n  "))
		}
		return nil, err
	}
	md := descriptionMetadata(d)
	return &Manifest{ID: d.Id, Name: md.Name, Version: md.Version, Description: md.Description,
		Author: md.Author, URL: md.URL, License: md.License, PrivacyPolicy: md.PrivacyPolicy,
		Compat: md.Compat, SHA256: sha, Declares: describedDeclares(d, mixins)}, nil
}

// describeRuns is the socket folder of Describe's runs: the temporary
// folder's.
var describeRuns = sync.OnceValue(func() *runDirs { return newRunDirs("") })

// describe starts exe (checked against sha) as plugin id, sends it mixins
// to match, takes its description and stops it, all within timeout.
func describe(ctx context.Context, id, exe, sha string, out *output, timeout time.Duration, mixins []tentacle.Mixin, runs *runDirs) (*pluginpb.Description, error) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p, err := startProcess(dctx, id, exe, sha, nil, out, hostService{}, mixinDecls(mixins), timeout, runs)
	if err != nil {
		return nil, err
	}
	d := p.desc
	p.stop()
	return d, nil
}

// descriptionMetadata is the metadata a plugin process describes.
func descriptionMetadata(d *pluginpb.Description) tier.Metadata {
	return tier.Metadata{Name: d.Name, Version: d.Version, Description: d.Description, Author: d.Author,
		URL: d.Url, License: d.License, PrivacyPolicy: d.PrivacyPolicy, Compat: d.Compat}
}

// describedDeclares is what a plugin process describes of itself that
// decides whether toggling it needs a restart: its hooks and settings
// overlay, and the mixins it implements among mixins (those it was sent),
// by the names listings show.
func describedDeclares(d *pluginpb.Description, mixins []tentacle.Mixin) *Declares {
	out := &Declares{Hooks: []string{}, Mixins: []string{}, SettingsOverlay: len(d.SettingsOverlayJson) > 0}
	for _, h := range d.Hooks {
		out.Hooks = append(out.Hooks, h.Name)
	}
	sort.Strings(out.Hooks)
	names := make(map[string]string, len(mixins)) // wire name -> listing name
	for _, mx := range mixins {
		names[wire.MixinName(mx.Type)] = mx.Name()
		if !slices.Contains(out.MixinsChecked, mx.Name()) {
			out.MixinsChecked = append(out.MixinsChecked, mx.Name())
		}
	}
	for _, wn := range d.Mixins {
		if name, ok := names[wn]; ok && !slices.Contains(out.Mixins, name) {
			out.Mixins = append(out.Mixins, name)
		}
	}
	sort.Strings(out.Mixins)
	sort.Strings(out.MixinsChecked)
	return out
}
