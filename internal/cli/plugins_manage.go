package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/repository"
)

// uninstallCommand uninstalls a plugin, and cleans up after it when asked.
func (o *options) uninstallCommand() *cobra.Command {
	var cleanup bool
	cmd := &cobra.Command{
		Use:   "uninstall ID",
		Short: "Uninstall a plugin (its settings and data are kept unless --cleanup)",
		Long: strings.TrimSpace(`
Uninstall a plugin: its files are removed from the plugins or packages
folder. Through a running server it is stopped first, at once, or, if it
needs a restart to be disabled, at the next restart; offline its files are
removed now. Its settings and data folder are kept (see "tentacle plugins
orphans") unless --cleanup is given. Bundled plugins cannot be
uninstalled.`),
		Args: exactArgs(1, "the plugin identifier (ID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, id := cmd.Context(), args[0]
			return o.with(ctx, false, func(b backend) error {
				ch, err := o.uninstall(ctx, b, id)
				if err != nil {
					return err
				}
				fmt.Fprintln(o.stdout, describeChange(ch))
				switch {
				case !cleanup:
				case ch.Pending:
					fmt.Fprintf(o.stdout, "%s: settings and data kept until it is gone; clean up after the restart (tentacle plugins cleanup %s)\n", id, id)
				default:
					return o.cleanupOne(ctx, b, id)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&cleanup, "cleanup", false, "also remove its settings, its data folder and its entry in plugins._disabled")
	return cmd
}

// uninstall uninstalls plugin id, refusing what the Plugin Manager
// refuses with the same message through the server and offline.
func (o *options) uninstall(ctx context.Context, b backend, id string) (manager.Change, error) {
	in, ok, err := b.info(ctx, id)
	switch {
	case err != nil:
		return manager.Change{}, err
	case !ok:
		return manager.Change{}, fmt.Errorf("plugin %q: uninstall: unknown plugin%s", id, unknownHint)
	case in.Bundled:
		return manager.Change{}, fmt.Errorf("plugin %q: uninstall: bundled plugins cannot be uninstalled", id)
	case !in.Managable:
		return manager.Change{}, fmt.Errorf("plugin %q: uninstall: it is not managable: its origin (%s) has no files to remove", id, in.Origin)
	}
	return b.uninstall(ctx, id)
}

// cleanupCommand removes what uninstalled plugins left.
func (o *options) cleanupCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "cleanup ID | --all",
		Short: "Remove the settings and data an uninstalled plugin left (--all: every one)",
		Long: strings.TrimSpace(`
Remove what a plugin that is no longer installed left behind: its settings
(plugins.<id> in config.yaml), its data folder (data/<id>) and its entry in
plugins._disabled. "tentacle plugins orphans" lists them; --all removes
them all. An installed plugin's are left alone: uninstall it with --cleanup.`),
		Args: func(cmd *cobra.Command, args []string) error {
			if all {
				return noArgs(cmd, args)
			}
			return exactArgs(1, "the plugin identifier (ID), or --all")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return o.with(ctx, false, func(b backend) error {
				if all {
					return o.cleanupAll(ctx, b)
				}
				id := args[0]
				if _, installed, err := b.info(ctx, id); err != nil {
					return err
				} else if installed {
					return fmt.Errorf("plugin %q: cleanup: it is installed: uninstall it with its settings and data (tentacle plugins uninstall %s --cleanup)", id, id)
				}
				return o.cleanupOne(ctx, b, id)
			})
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "clean up after every plugin that is not installed")
	return cmd
}

// cleanupOne removes what plugin id left, and says what that was.
func (o *options) cleanupOne(ctx context.Context, b backend, id string) error {
	orphans, err := b.orphans(ctx)
	if err != nil {
		return err
	}
	for _, or := range orphans {
		if or.Plugin == id {
			if err := b.cleanup(ctx, id); err != nil {
				return err
			}
			fmt.Fprintln(o.stdout, describeCleanup(or))
			return nil
		}
	}
	fmt.Fprintf(o.stdout, "%s: nothing to clean up\n", id)
	return nil
}

// cleanupAll removes what every orphan left, and says what that was.
func (o *options) cleanupAll(ctx context.Context, b backend) error {
	orphans, err := b.orphans(ctx)
	if err != nil {
		return err
	}
	left := make(map[string]manager.Orphan, len(orphans))
	for _, or := range orphans {
		left[or.Plugin] = or
	}
	done, err := b.cleanupAll(ctx)
	for _, id := range done {
		fmt.Fprintln(o.stdout, describeCleanup(left[id]))
	}
	if len(done) == 0 && err == nil {
		fmt.Fprintln(o.stdout, "nothing to clean up")
	}
	return err
}

// describeCleanup says what a cleanup removed.
func describeCleanup(or manager.Orphan) string {
	return fmt.Sprintf("%s: removed %s", or.Plugin, strings.Join(leftovers(or), ", "))
}

// leftovers names what an orphan left.
func leftovers(or manager.Orphan) []string {
	var out []string
	if or.Settings {
		out = append(out, "its settings (plugins."+or.Plugin+")")
	}
	if or.Data {
		out = append(out, "its data folder (data/"+or.Plugin+")")
	}
	if or.Disabled {
		out = append(out, "its entry in plugins._disabled")
	}
	return out
}

// orphansCommand lists what uninstalled plugins left.
func (o *options) orphansCommand() *cobra.Command {
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "orphans",
		Short: "List the settings and data that uninstalled plugins left",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.with(cmd.Context(), true, func(b backend) error {
				orphans, err := b.orphans(cmd.Context())
				switch {
				case err != nil:
					return err
				case jsonOut:
					return writeJSON(o.stdout, orphansAnswer(orphans))
				}
				writeOrphans(o.stdout, orphans)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return cmd
}

// orphansAnswer is what GET /plugin/pluginmanager/orphans answers:
// OctoPrint's orphan_data by plugin, and the list.
func orphansAnswer(orphans []manager.Orphan) any {
	data := make(map[string]map[string]bool, len(orphans))
	for _, or := range orphans {
		data[or.Plugin] = map[string]bool{"settings": or.Settings, "data": or.Data, "disabled": or.Disabled}
	}
	if orphans == nil {
		orphans = []manager.Orphan{}
	}
	return map[string]any{"orphan_data": data, "orphans": orphans}
}

func writeOrphans(w io.Writer, orphans []manager.Orphan) {
	rows := make([][]string, len(orphans))
	for i, or := range orphans {
		rows[i] = []string{or.Plugin, strings.Join(leftovers(or), ", ")}
	}
	writeRows(w, "no uninstalled plugin left settings or data behind", []string{"PLUGIN", "LEFT BEHIND"}, rows)
}

// writeRows prints rows as aligned columns under a header, or empty when
// there are none.
func writeRows(w io.Writer, empty string, header []string, rows [][]string) {
	if len(rows) == 0 {
		fmt.Fprintln(w, empty)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, row := range append([][]string{header}, rows...) {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
}

// repositoryCommand searches the plugin repository's index.
func (o *options) repositoryCommand() *cobra.Command {
	var refresh, jsonOut bool
	cmd := &cobra.Command{
		Use:   "repository [TERM]",
		Short: "Search the plugin repository (plugins to install by identifier)",
		Long: strings.TrimSpace(`
List the plugins of the plugin repository whose identifier, title,
description or author contain TERM (ignoring case), or every plugin: its
identifier (what "tentacle plugins install ID" takes), title, version, tier
and whether it can be installed here. The index is the copy the server keeps
in data/pluginmanager, fetched again at most once a day; --refresh fetches
it now. The repository's address is plugins.pluginmanager.repository in
config.yaml.`),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s: unexpected argument %q (takes at most one search term)", cmd.CommandPath(), args[1])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var ix repository.Index
			err := o.with(cmd.Context(), true, func(b backend) (err error) {
				ix, err = b.repository(cmd.Context(), refresh)
				return err
			})
			switch {
			case err != nil:
				return err
			case !ix.Available:
				return fmt.Errorf("plugin repository unavailable: %s%s", ix.Error, repositoryHint(ix.Error))
			case ix.Error != "":
				fmt.Fprintf(o.stderr, "tentacle: warning: the plugin repository could not be fetched again (%s): showing the copy of %s\n",
					ix.Error, ix.Fetched.UTC().Format("2006-01-02 15:04 UTC"))
			}
			term := strings.Join(args, "")
			ix.Plugins = search(ix.Plugins, term)
			if jsonOut {
				return writeJSON(o.stdout, ix)
			}
			writeRepository(o.stdout, ix.Plugins, term)
			return nil
		},
	}
	cmd.Flags().BoolVar(&refresh, "refresh", false, "fetch the index again first")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return cmd
}

// repositoryHint says what to do about an unavailable repository.
func repositoryHint(reason string) string {
	switch reason {
	case repository.ReasonNotConfigured:
		return " (set plugins.pluginmanager.repository in config.yaml to the URL of its index)"
	case repository.ReasonNotFetched:
		return ` ("tentacle plugins repository --refresh" fetches it)`
	}
	return ""
}

// search returns the entries whose identifier, title, description or
// author contain term, ignoring case and the spaces around it, as
// repository.Repository.Search does.
func search(entries []repository.Entry, term string) []repository.Entry {
	term = strings.ToLower(strings.TrimSpace(term))
	out := []repository.Entry{}
	for _, e := range entries {
		for _, s := range []string{e.ID, e.Title, e.Description, e.Author} {
			if strings.Contains(strings.ToLower(s), term) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

func writeRepository(w io.Writer, entries []repository.Entry, term string) {
	empty := "the plugin repository lists no plugins"
	if term != "" {
		empty = fmt.Sprintf("no plugin of the repository matches %q", term)
	}
	rows := make([][]string, len(entries))
	for i, e := range entries {
		rows[i] = []string{e.ID, dash(e.Title), dash(e.Version), dash(e.Tier), compatibility(e)}
	}
	writeRows(w, empty, []string{"ID", "TITLE", "VERSION", "TIER", "COMPATIBLE"}, rows)
}

// compatibility says whether an entry can be installed on this machine,
// and if not, why.
func compatibility(e repository.Entry) string {
	switch {
	case e.Tier == "":
		return "no: not a Tentacle plugin"
	case !e.IsCompatible.OctoPrint:
		return "no: wants API " + e.Compatibility.Tentacle
	case !e.IsCompatible.OS:
		return "no: not for " + repository.OSName(runtime.GOOS)
	}
	if _, _, ok := e.ArchiveFor(runtime.GOOS, runtime.GOARCH); !ok {
		return "no: no archive for " + runtime.GOOS + "/" + runtime.GOARCH
	}
	return "yes"
}
