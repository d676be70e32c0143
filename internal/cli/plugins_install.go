package cli

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server/bundled"
)

// installCommand installs a plugin.
func (o *options) installCommand() *cobra.Command {
	var (
		reinstall reinstallFlag
		force     bool
		sha256    string
		jsonOut   bool
	)
	cmd := &cobra.Command{
		Use:   "install SRC",
		Short: "Install a plugin from a file, folder, archive, URL or the plugin repository",
		Long: strings.TrimSpace(`
Install a plugin as the Plugin Manager does. SRC is one of

  a source plugin's file, <id>.go, or folder, <id>/
  an archive (.zip, .tar.gz, .tgz, .tar) holding one folder, <id>/: a
    source plugin's, or a package's (an executable with its plugin.yaml)
  an http or https URL of such a file or archive
  the identifier of a plugin of the plugin repository (a name that is not
    an existing file or folder)

The plugin is checked before anything is changed (layout, identifier,
checksums, lint, the repository's blocklist), then put in place at once; a
plugin that does not load is taken out again, and a replaced one put back.

Through a running server the plugin runs at once (or after a restart, if it
needs one). Offline it is put in place and runs at the next start of the
server. A plugin of the same identifier is only replaced with --reinstall
(which may name it: --reinstall=ID) or --force, which also skips the
repository's blocklist and compatibility checks, never the safety checks.`),
		Args: exactArgs(1, "what to install (SRC)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := installSource(args[0])
			if err != nil {
				return err
			}
			req.Force, req.SHA256 = force, sha256
			if req.Reinstall, err = reinstall.id(cmd, req); err != nil {
				return err
			}
			// Stopped by Ctrl-C, an install offline rolls back; through
			// the server it goes on there.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return o.with(ctx, false, func(b backend) error {
				p := o.newProgress()
				out, err := b.install(ctx, req, p)
				p.finish()
				if err != nil {
					return err
				}
				if jsonOut {
					return writeJSON(o.stdout, out)
				}
				// A replaced plugin that is disabled stays loaded on the
				// server, not offline: whether it runs is its listing's.
				in, _, err := b.info(ctx, out.Plugin)
				if err != nil {
					return err
				}
				fmt.Fprintln(o.stdout, describeInstall(out))
				fmt.Fprintln(o.stdout, describeTakeUp(out.Change, in.Enabled))
				return nil
			})
		},
	}
	cmd.Flags().Var(&reinstall, "reinstall", "replace the installed plugin of the same identifier (=ID: only if it is ID)")
	cmd.Flags().Lookup("reinstall").NoOptDefVal = "true"
	cmd.Flags().BoolVar(&force, "force", false, "replace whatever is installed, and skip the blocklist and compatibility checks")
	cmd.Flags().StringVar(&sha256, "sha256", "", "the SHA-256 the file must have, in hex")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return cmd
}

// reinstallFlag is --reinstall[=ID]: alone, the install may replace the
// installed plugin of the identifier the source holds; with a value, only
// plugin ID.
type reinstallFlag struct {
	set   bool
	value string
}

func (f *reinstallFlag) String() string { return f.value }
func (f *reinstallFlag) Type() string   { return "boolfunc" } // --reinstall alone, usage without a type

func (f *reinstallFlag) Set(s string) error {
	switch s {
	case "true":
		f.set, f.value = true, ""
	case "false":
		f.set, f.value = false, ""
	default:
		if !tentacle.ValidIdentifier(s) {
			return fmt.Errorf("invalid plugin identifier %q", s)
		}
		f.set, f.value = true, s
	}
	return nil
}

// id returns the identifier of the plugin the install request may
// replace: "" without --reinstall, the one given, or the one the source
// holds. A URL must name it, unless it names a .go file.
func (f *reinstallFlag) id(cmd *cobra.Command, req bundled.InstallRequest) (string, error) {
	if !f.set || f.value != "" {
		return f.value, nil
	}
	id, ok := reinstallID(req)
	if !ok && req.URL != "" {
		return "", usagef("%s: cannot tell which plugin %s holds before it is downloaded: name it, --reinstall=ID", cmd.CommandPath(), req.URL)
	}
	// A local file whose plugin cannot be told is refused by the install
	// itself, with the reason.
	return id, nil
}

// describeInstall says in a sentence what an install put where.
func describeInstall(in bundled.Installed) string {
	verb := "installed"
	if in.Replaced {
		verb = "reinstalled"
	}
	name := in.Name
	if name == "" {
		name = in.Plugin
	}
	kind := "source plugin"
	if in.Kind == "package" {
		kind = "process plugin"
	}
	return fmt.Sprintf("%s: %s %s %s (%s) into %s", in.Plugin, verb, name, dash(in.Version), kind, in.Path)
}

// describeTakeUp says when an installed plugin runs: the enable of a new
// plugin (see describeChange) or the reload of a replaced one, which
// runs only when it is enabled.
func describeTakeUp(ch manager.Change, enabled bool) string {
	if ch.Action != "reload" {
		return describeChange(ch)
	}
	switch {
	case !enabled:
		return ch.Plugin + ": not running; the new version runs once it is enabled"
	case ch.Pending:
		return ch.Plugin + ": the new version runs after a restart"
	case ch.Applied && ch.NeedsReload:
		return ch.Plugin + ": reloaded; reload open browser pages"
	case ch.Applied:
		return ch.Plugin + ": reloaded"
	default:
		return ch.Plugin + ": the new version runs at the next start of the server"
	}
}
