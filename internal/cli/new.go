package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle"
	"github.com/tentacle-go/tentacle/internal/scaffold"
)

// newCommand writes a plugin skeleton.
func (o *options) newCommand() *cobra.Command {
	var tierName, dir, module, replace string
	cmd := &cobra.Command{
		Use:   "new ID --tier builtin|source|process [--dir DIR]",
		Short: "Write a plugin skeleton that builds, lints and runs as it is, with its test",
		Long: strings.TrimSpace(`
Write the skeleton of a plugin with identifier ID into the folder DIR/ID
(DIR is --dir, default the current folder): a plugin whose implementation
embeds tentacle.Base and implements tentacle.SettingsPlugin and
server.SimpleAPI (a "greet" command answered with a greeting from its
settings), with interface guards, and a test that runs it in a test host
with package plugintest. It builds, passes go vet and its test, and lints,
as it is. The tier says how it runs:

  builtin  a Go package compiled into a host program, which imports it; its
           init registers it (tentacle.Register). Files: ID.go, ID_test.go
           (plugintest.New).
  source   a plugin folder for a server's plugins folder, run by its
           interpreter: copy DIR/ID into <basedir>/plugins/. Files: ID.go
           (var Plugin = tentacle.Definition{...}), ID_test.go
           (plugintest.NewSource; the plugins folder leaves test files out).
  process  an executable of its own: a main package calling
           sdk.Serve(ID, &Plugin), which tentacle plugins pack builds into a
           package for <basedir>/packages/. Files: main.go, main_test.go
           (plugintest.NewProcess), go.mod, .gitignore.

(An ID that ends like a test or a platform file, hello_test or
hello_linux, gets plugin.go and plugin_test.go instead.)

A process plugin is a module of its own, and so is a builtin or source
plugin written outside any Go module: its go.mod (module --module, default
example.com/tentacle-plugin-ID) requires github.com/tentacle-go/tentacle,
which is not published yet, with a replace directive pointing at a tentacle
checkout: --replace PATH, by default the checkout this tentacle was built
from, else the one around the working directory. It also lists the tentacle
module's requirements and copies its go.sum, so that go test works without
the network (go mod tidy trims them). A tentacle built from a released
module requires that release instead. When neither is found, the output
says so, and the go.mod needs a replace directive before it builds;
--replace "" writes none. A builtin or source plugin written inside a module
joins it.

The skeleton is written into a temporary folder next to DIR/ID and renamed
into place when complete. An invalid ID and an existing DIR/ID are refused,
and then nothing is written.`),
		Args: exactArgs(1, "the plugin identifier (ID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			switch {
			case tierName == "":
				return usagef("%s: missing --tier (%s)", cmd.CommandPath(), strings.Join(scaffold.Tiers, ", "))
			case !scaffold.KnownTier(tierName):
				return usagef("%s: unknown tier %q (want %s)", cmd.CommandPath(), tierName, strings.Join(scaffold.Tiers, ", "))
			case !tentacle.ValidIdentifier(id):
				return usagef("%s: invalid identifier %q: want 1 to %d characters of [a-z0-9_]", cmd.CommandPath(), id, tentacle.MaxIdentifierLength)
			}
			opts := scaffold.Options{ID: id, Tier: tierName, Dir: dir, Module: module}
			switch {
			case cmd.Flags().Changed("replace") && replace == "":
			case cmd.Flags().Changed("replace"):
				abs, err := filepath.Abs(replace)
				if err != nil {
					return err
				}
				if !scaffold.IsCheckout(abs) {
					return fmt.Errorf("--replace %s: no go.mod of the module %s there", replace, scaffold.TentacleModule)
				}
				opts.Checkout, opts.CheckoutFrom = abs, "given with --replace"
			default:
				wd, _ := os.Getwd()
				opts.Checkout, opts.CheckoutFrom = scaffold.FindCheckout(wd)
				if opts.Checkout == "" {
					opts.Version = scaffold.PublishedVersion()
				}
			}
			res, err := scaffold.Write(opts)
			if err != nil {
				return err
			}
			writeSkeleton(o, tierName, id, res)
			return nil
		},
	}
	cmd.Flags().StringVar(&tierName, "tier", "", "how the plugin runs: builtin, source or process (required)")
	cmd.Flags().StringVar(&dir, "dir", ".", "the folder to write the plugin's folder, DIR/ID, into")
	cmd.Flags().StringVar(&module, "module", "", "the module path of its go.mod (default example.com/tentacle-plugin-ID)")
	cmd.Flags().StringVar(&replace, "replace", "", "the tentacle checkout its go.mod's replace directive points at (default: the one found)")
	return cmd
}

// writeSkeleton says what tentacle plugins new wrote and what to do next.
func writeSkeleton(o *options, tierName, id string, res scaffold.Result) {
	fmt.Fprintf(o.stdout, "wrote the %s plugin %q into %s%c\n", tierName, id, res.Dir, filepath.Separator)
	tw := tabwriter.NewWriter(o.stdout, 0, 4, 2, ' ', 0)
	for _, f := range res.Files {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Name, f.Purpose)
	}
	tw.Flush()
	for _, n := range res.Notes {
		fmt.Fprintln(o.stdout, n)
	}
	fmt.Fprintln(o.stdout, "next:")
	for _, n := range res.Next {
		fmt.Fprintln(o.stdout, "  "+n)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(o.stderr, "tentacle: warning: "+w)
	}
}
