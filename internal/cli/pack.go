package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/pack"
)

// packCommand builds a process plugin into its package.
func (o *options) packCommand() *cobra.Command {
	var opts pack.Options
	cmd := &cobra.Command{
		Use:   "pack DIR",
		Short: "Build a process plugin into its package: the executable and its plugin.yaml",
		Long: strings.TrimSpace(`
Build the process plugin whose main package is in the folder DIR (go build,
in DIR, with DIR's go.mod, for this machine's GOOS and GOARCH), run the
executable once to describe itself, as a host does, and write its package,
the folder OUTDIR/<id>/ (OUTDIR is --out, default DIR/dist):

  tentacle-plugin-<id>  the executable
  plugin.yaml           its manifest: id, the metadata of its Definition
                        (name, version, description, author, url, license,
                        privacy_policy, compat), the executable's sha256,
                        which a host checks before every start, and what it
                        declares (its hooks, which of the server's mixins it
                        implements, whether it has a settings overlay), so
                        that a host lists it as restart-needing or not
                        before it runs

Install it by copying the folder into <basedir>/packages/ (cp -r
OUTDIR/<id> <basedir>/packages/); --out <basedir>/packages writes it there
directly. A server running on that base directory takes it up as it
appears.

The identifier is the one the executable gives sdk.Serve; --id gives it for
an executable that does not say it (built with an older SDK), and must be
the same when it does. A package already in OUTDIR/<id> is replaced.
Everything is written into a temporary folder in OUTDIR (its name starts
with a dot, which the packages folder ignores) and renamed into place when
complete: a failure (DIR is not a main package, the build fails, the
executable does not describe itself) leaves nothing behind.`),
		Args: exactArgs(1, "the folder of the plugin's main package (DIR)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ID != "" && !tentacle.ValidIdentifier(opts.ID) {
				return usagef("%s: invalid identifier %q for --id: want 1 to %d characters of [a-z0-9_]", cmd.CommandPath(), opts.ID, tentacle.MaxIdentifierLength)
			}
			opts.Dir = args[0]
			res, err := pack.Pack(cmd.Context(), opts)
			if err != nil {
				return err
			}
			m := res.Manifest
			fmt.Fprintf(o.stdout, "packed %s %s into %s%c\n", m.ID, dash(m.Version), res.Dir, filepath.Separator)
			fmt.Fprintf(o.stdout, "  %s  sha256 %s\n", filepath.Base(res.Executable), m.SHA256)
			fmt.Fprintf(o.stdout, "  plugin.yaml\n")
			if res.Replaced {
				fmt.Fprintln(o.stdout, "it replaces the package that was there")
			}
			fmt.Fprintf(o.stdout, "install: cp -r %s <basedir>/packages/\n", res.Dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Out, "out", "", "the folder to write the package's folder, OUTDIR/<id>, into (default DIR/dist)")
	cmd.Flags().StringVar(&opts.ID, "id", "", "the plugin's identifier, for an executable that does not say it")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 10*time.Second, "how long the executable may take to describe itself")
	return cmd
}
