package install

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/tentacle-go/tentacle/tier/process"
	"github.com/tentacle-go/tentacle/tier/source"
)

// Kind is the kind of plugin an install installs.
type Kind string

const (
	// KindSource is a source plugin: plugins/<id>.go or plugins/<id>/.
	KindSource Kind = "source"
	// KindPackage is a process plugin's package: packages/<id>/.
	KindPackage Kind = "package"
)

// Source is what to install: exactly one of URL and Path.
type Source struct {
	// URL is an http or https URL of a file to download: a .go file or an
	// archive. Other schemes are refused.
	URL string
	// Path is a local file (a .go file or an archive; an upload the
	// caller saved is one) or folder (a source plugin's, or a package's
	// when it holds plugin.yaml or platform folders).
	Path string
	// Name is the file's original name (an upload's); its extension
	// decides the type. Default: the Content-Disposition filename of a
	// download, else the last element of the URL's path, or Path's base
	// name.
	Name string
	// SHA256 is the file's expected SHA-256 in hex (not for a folder);
	// optional. A mismatch is ErrChecksum.
	SHA256 string
}

// Mode says what an install may replace.
type Mode struct {
	// Reinstall: replacing an installed plugin of the identifier is
	// expected (an upgrade, or OctoPrint's "plugin" field of install).
	// Without it (or Force), an installed one is ErrInstalled.
	Reinstall bool
	// Force replaces whatever is installed under the identifier and skips
	// Options.Check. It never skips the safety checks (unpacking, layout,
	// identifier, Reserved, manifest, platform, checksums, lint).
	Force bool
}

// Limits bound what an install reads and writes. Zero or negative
// values take the defaults.
type Limits struct {
	// Download is the largest input file, downloaded or local; default
	// 100 MiB.
	Download int64
	// Unpacked is the most an archive or folder may unpack to, counted in
	// the bytes written; default 512 MiB.
	Unpacked int64
	// Files is the most entries (files and folders) it may have; default
	// 10000.
	Files int
	// Ratio is the most an archive may unpack to, as a multiple of its
	// own size; default 100.
	Ratio int
}

// Defaults of Limits and Options.
const (
	DefaultDownload = 100 << 20
	DefaultUnpacked = 512 << 20
	DefaultFiles    = 10000
	DefaultRatio    = 100
	DefaultTimeout  = 5 * time.Minute
)

// Options configure an Installer.
type Options struct {
	// BaseDir is the base directory, required: plugins/, packages/ and
	// the staging folder .install/ are in it, on one file system.
	BaseDir string
	// Reserved returns why an identifier may not be installed (a bundled
	// plugin's, the Plugin Manager's), "" when it may; nil reserves none.
	// A reason is ErrReserved, Mode.Force or not.
	Reserved func(id string) string
	// Check is the host's own check of a staged plugin (its blocklist,
	// compatibility), run last in the validate step; its error fails the
	// install. Skipped with Mode.Force.
	Check func(ctx context.Context, s *Staged) error
	// Lint is what the host offers, to lint a source plugin against.
	Lint source.LintOptions
	// Log receives human-readable progress lines ("Downloading ...",
	// "Unpacked 12 entries", "Installed hello 1.2.0 into plugins/hello/")
	// and warnings. Optional.
	Log func(line string)
	// Progress receives the bytes downloaded so far and the total (-1
	// when the server does not say), every 100 ms at most and at the end.
	// Optional.
	Progress func(done, total int64)
	// Client makes the download's request; default a new http.Client.
	// Its CheckRedirect is wrapped to refuse redirects to other schemes
	// than http and https.
	Client *http.Client
	// Timeout bounds the whole download; default 5 minutes.
	Timeout time.Duration
	// Limits bound the input and what it unpacks to.
	Limits Limits
	// GOOS and GOARCH are the platform a package's executable must be
	// built for; default runtime.GOOS and runtime.GOARCH.
	GOOS, GOARCH string
}

// Staged is a plugin unpacked and validated in staging, before it is put
// in place.
type Staged struct {
	// ID is the plugin's identifier; Name and Version its metadata (from
	// its Definition or manifest).
	ID, Name, Version string
	Kind              Kind
	// Dir is the folder of the plugin's files in staging (for a one-file
	// source plugin, the folder holding <id>.go), valid until Place.
	Dir string
	// Manifest is a package's plugin.yaml; nil for a source plugin.
	Manifest *process.Manifest
	// Replaces are the installed paths, relative to the base directory,
	// that the install replaces (any of plugins/<id>.go, plugins/<id>,
	// packages/<id>).
	Replaces []string
}

// Installer installs plugins into one base directory, one install at a
// time. Its methods are safe for concurrent use.
type Installer struct {
	opts   Options
	client *http.Client

	mu   sync.Mutex
	busy bool
}

// New returns an Installer with opts, its defaults filled in. BaseDir
// must be an existing folder.
func New(opts Options) (*Installer, error) {
	if opts.BaseDir == "" {
		return nil, errors.New("install: no base directory")
	}
	base, err := filepath.Abs(opts.BaseDir)
	if err != nil {
		return nil, fmt.Errorf("install: base directory: %w", err)
	}
	if fi, err := os.Stat(base); err != nil {
		return nil, fmt.Errorf("install: base directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("install: base directory %s is not a folder", base)
	}
	opts.BaseDir = base
	opts.Limits = opts.Limits.withDefaults()
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.GOOS == "" {
		opts.GOOS = runtime.GOOS
	}
	if opts.GOARCH == "" {
		opts.GOARCH = runtime.GOARCH
	}
	return &Installer{opts: opts, client: newClient(opts.Client)}, nil
}

func (l Limits) withDefaults() Limits {
	if l.Download <= 0 {
		l.Download = DefaultDownload
	}
	if l.Unpacked <= 0 {
		l.Unpacked = DefaultUnpacked
	}
	if l.Files <= 0 {
		l.Files = DefaultFiles
	}
	if l.Ratio <= 0 {
		l.Ratio = DefaultRatio
	}
	return l
}

// Result is what an Install installed.
type Result struct {
	ID, Name, Version string
	Kind              Kind
	// Path is where it is, relative to the base directory:
	// plugins/<id>.go, plugins/<id> or packages/<id>.
	Path string
	// Replaced: an installed plugin of the identifier was replaced.
	Replaced bool
}

// Install prepares src, places it and commits: the whole install, which
// either happens completely or leaves the base directory as it was. An
// error is an *Error naming the plugin and the step.
func (in *Installer) Install(ctx context.Context, src Source, mode Mode) (Result, error) {
	p, err := in.Prepare(ctx, src, mode)
	if err != nil {
		return Result{}, err
	}
	if err := p.Place(); err != nil {
		return Result{}, err
	}
	if err := p.Commit(); err != nil {
		return Result{}, err
	}
	return p.result(), nil
}

// acquire marks the installer busy; false when it already is.
func (in *Installer) acquire() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.busy {
		return false
	}
	in.busy = true
	return true
}

func (in *Installer) release() {
	in.mu.Lock()
	in.busy = false
	in.mu.Unlock()
}

func (in *Installer) logf(format string, args ...any) {
	if in.opts.Log != nil {
		in.opts.Log(fmt.Sprintf(format, args...))
	}
}
