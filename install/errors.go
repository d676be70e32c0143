package install

import (
	"errors"
	"fmt"
	"strconv"
)

// Step names a step of an install; an [Error] says in which it failed.
type Step string

// The steps of an install, in their order.
const (
	// StepDownload fetches the input: an http(s) URL is downloaded, a local
	// file copied, into the transaction's staging folder.
	StepDownload Step = "download"
	// StepVerify compares the input file's SHA-256 with Source.SHA256.
	StepVerify Step = "verify"
	// StepUnpack unpacks an archive (or copies a folder) into staging,
	// refusing what is unsafe and enforcing the limits.
	StepUnpack Step = "unpack"
	// StepValidate checks the layout, identifier, manifest, executable,
	// lint, reservations, what is installed and the host's checks.
	StepValidate Step = "validate"
	// StepPlace renames the plugin into place, and commits or rolls back.
	StepPlace Step = "place"
)

// The kinds of failure callers branch on. Every error of this package
// that has one of these causes matches it with errors.Is.
var (
	// ErrBusy: the Installer already has an install under way (a Pending
	// not yet committed, rolled back or discarded, or a running Install).
	ErrBusy = errors.New("another install is under way")
	// ErrInstalled: a plugin of that identifier is installed and neither
	// Mode.Reinstall nor Mode.Force was given.
	ErrInstalled = errors.New("already installed")
	// ErrReserved: Options.Reserved refused the identifier.
	ErrReserved = errors.New("reserved")
	// ErrChecksum: a SHA-256 does not match: the input's against
	// Source.SHA256, or an executable's against its manifest.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrUnsafe: an archive entry or a file of a folder that could write
	// outside the destination or is no regular file or folder.
	ErrUnsafe = errors.New("unsafe entry")
	// ErrLimit: a limit of Options.Limits was exceeded.
	ErrLimit = errors.New("limit exceeded")
	// ErrPlatform: the executable (or the package) is for another
	// platform than Options.GOOS/GOARCH.
	ErrPlatform = errors.New("wrong platform")
	// ErrLayout: the files are not laid out as a plugin of either kind.
	ErrLayout = errors.New("not a plugin layout")
	// ErrInvalid: the request or the plugin is invalid: no or two inputs,
	// an unknown type, a corrupt archive, an invalid identifier, a
	// manifest that does not parse, a source plugin that lint refuses.
	ErrInvalid = errors.New("invalid")
	// ErrDownload: the download failed: the server could not be reached,
	// answered with an error status, redirected to another scheme, or
	// did not answer in time (then the error matches
	// context.DeadlineExceeded too).
	ErrDownload = errors.New("download failed")
)

// Error is an install's failure: which plugin, at which step, why. Err
// matches one of the Err variables of this package when the cause is one
// of theirs; Error() reads
//
//	install "hello": unpack: entry "../x" leaves the folder
type Error struct {
	// Plugin is the plugin's identifier, once known.
	Plugin string
	// Source names the input (a file name or URL) while the identifier is
	// not known.
	Source string
	// Step is the step that failed; empty for ErrBusy.
	Step Step
	// Err is the cause.
	Err error
}

// Error returns `install "<plugin>": <step>: <cause>`, with the input in
// place of the plugin while it is not known.
func (e *Error) Error() string {
	s := "install"
	switch {
	case e.Plugin != "":
		s += " " + strconv.Quote(e.Plugin)
	case e.Source != "":
		s += " " + e.Source
	}
	if e.Step != "" {
		s += ": " + string(e.Step)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// kindError is a failure of a kind (one of the Err variables) whose
// message is its detail alone, so that messages read naturally:
// `entry "../x" leaves the folder`, not `unsafe entry: entry "../x" ...`.
type kindError struct {
	kind   error
	detail error
}

func (e *kindError) Error() string   { return e.detail.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.detail} }

// fail returns an error of kind with the formatted detail (which may wrap
// other errors with %w).
func fail(kind error, format string, args ...any) error {
	return &kindError{kind: kind, detail: fmt.Errorf(format, args...)}
}

// errLocked: a transaction folder is in use by a live install.
var errLocked = errors.New("in use by another install")
