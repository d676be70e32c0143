package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/server"
	"github.com/tentacle-go/tentacle/tier/source"
)

func newPluginsCommand(o *options) *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "plugins",
		Short: "List, inspect, enable, disable, install and uninstall plugins; write, check and pack new ones",
		Long: strings.TrimSpace(`
List, inspect, enable and disable the plugins of the base directory; install
and uninstall them, clean up what uninstalled ones left and search the
plugin repository, as the Plugin Manager does.

When a tentacle server of the base directory is running (it names itself in
the base directory's .server.json), the commands go through it, with the API
key from config.yaml, and act at once. Otherwise (or with --offline) they
work on the base directory itself: enable and disable record the change in
config.yaml (plugins._disabled), an installed plugin is put in place, and
the change takes effect when the server next starts. The output is the same
either way.

For plugin authors, new writes a plugin skeleton, lint checks a source
plugin before it goes into a plugins folder, and pack builds a process
plugin into a package for a packages folder. They work on the plugin's own
files and need neither a base directory nor a server.`),
	})
	var jsonOut bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List every plugin with its state",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer b.close()
			infos, err := b.list(cmd.Context())
			if err != nil {
				return err
			}
			if jsonOut {
				return writeJSON(o.stdout, infos)
			}
			writeTable(o.stdout, infos)
			return nil
		},
	}
	list.Flags().BoolVar(&jsonOut, "json", false, "print JSON")

	var infoJSON bool
	info := &cobra.Command{
		Use:   "info ID",
		Short: "Show everything known about one plugin",
		Args:  exactArgs(1, "the plugin identifier (ID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer b.close()
			in, ok, err := b.info(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if !ok {
				return unknownPlugin(args[0])
			}
			if infoJSON {
				return writeJSON(o.stdout, in)
			}
			writeInfo(o.stdout, in)
			return nil
		},
	}
	info.Flags().BoolVar(&infoJSON, "json", false, "print JSON")

	var hooksJSON bool
	hooksCmd := &cobra.Command{
		Use:   "hooks [NAME]",
		Short: "Show each hook's handlers in call order, and why each is where it is",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s: unexpected argument %q (takes at most one hook name)", cmd.CommandPath(), args[1])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := o.open(cmd.Context())
			if err != nil {
				return err
			}
			defer b.close()
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			hs, err := b.hooks(cmd.Context(), name)
			if err != nil {
				return err
			}
			if hooksJSON {
				return writeJSON(o.stdout, hs)
			}
			writeHooks(o.stdout, hs)
			return nil
		},
	}
	hooksCmd.Flags().BoolVar(&hooksJSON, "json", false, "print JSON")

	cmd.AddCommand(list, info, o.toggleCommand(true), o.toggleCommand(false), hooksCmd, o.topCommand(),
		o.installCommand(), o.uninstallCommand(), o.orphansCommand(), o.cleanupCommand(), o.repositoryCommand(),
		o.lintCommand(), o.newCommand(), o.packCommand())
	return cmd
}

// unknownPlugin is the error of a command given an identifier no source
// provides.
func unknownPlugin(id string) error {
	return fmt.Errorf("plugin %q: unknown plugin%s", id, unknownHint)
}

// unknownHook is the error of the hooks command given a hook that is
// neither declared nor handled by any plugin that runs (the server answers
// 404 for it).
func unknownHook(name string) error {
	return fmt.Errorf("hook %q: unknown hook: it is not declared and no enabled plugin handles it%s", name, unknownHookHint)
}

// unknownHookHint is appended to unknown-hook errors.
const unknownHookHint = ` ("tentacle plugins hooks" shows the known ones)`

// toggleCommand returns the enable or the disable command.
func (o *options) toggleCommand(enable bool) *cobra.Command {
	verb := "disable"
	if enable {
		verb = "enable"
	}
	return &cobra.Command{
		Use:   verb + " ID",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " a plugin (through the server, or in config.yaml)",
		Args:  exactArgs(1, "the plugin identifier (ID)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, id := cmd.Context(), args[0]
			b, err := o.openWarn(ctx, false)
			if err != nil {
				return err
			}
			defer b.close()
			ch, in, err := b.toggle(ctx, id, enable)
			var cr *cannotRun
			switch {
			case errors.As(err, &cr):
				if cr.change.Persisted {
					fmt.Fprintln(o.stdout, describeChange(cr.change))
				}
				return err
			case errors.Is(err, manager.ErrUnknownPlugin):
				return fmt.Errorf("%w%s", err, unknownHint)
			case err != nil:
				return err
			}
			fmt.Fprintln(o.stdout, describeChange(ch))
			if !enable && in.DisablingDiscouraged != "" {
				fmt.Fprintf(o.stderr, "tentacle: warning: disabling %s is discouraged: %s\n", id, in.DisablingDiscouraged)
			}
			return nil
		},
	}
}

// writeHooks prints each hook with its handlers in call order.
func writeHooks(w io.Writer, hs map[string][]hooks.Explanation) {
	names := make([]string, 0, len(hs))
	for name := range hs {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		fmt.Fprintln(w, "no hook handlers")
		return
	}
	for i, name := range names {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, name)
		if len(hs[name]) == 0 {
			fmt.Fprintln(w, "  no handlers")
		}
		for _, ex := range hs[name] {
			fmt.Fprintf(w, "  %d. %s: %s\n", ex.Position, ex.Plugin, ex.Reason)
		}
	}
}

// describeChange says in a sentence what an enable or disable did.
func describeChange(ch manager.Change) string {
	past := ch.Action + "ed"
	if strings.HasSuffix(ch.Action, "e") {
		past = ch.Action + "d"
	}
	switch {
	case ch.Cancelled:
		return fmt.Sprintf("%s: pending change cancelled; it stays as it is", ch.Plugin)
	case ch.Pending:
		return fmt.Sprintf("%s: will be %s after a restart", ch.Plugin, past)
	case ch.Applied && ch.NeedsReload:
		return fmt.Sprintf("%s: %s; reload open browser pages", ch.Plugin, past)
	case ch.Applied:
		return fmt.Sprintf("%s: %s", ch.Plugin, past)
	case ch.Persisted:
		return fmt.Sprintf("%s: %s in config.yaml; takes effect at the next start of the server", ch.Plugin, past)
	default:
		return fmt.Sprintf("%s: already %s", ch.Plugin, past)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// flags lists the notable flags of a listing entry.
func flags(in manager.Info) []string {
	var f []string
	add := func(on bool, name string) {
		if on {
			f = append(f, name)
		}
	}
	add(in.Bundled, "bundled")
	add(in.Hidden, "hidden")
	add(in.ForcedDisabled, "forced_disabled")
	add(in.Blocklisted, "blocklisted")
	add(in.Incompatible, "incompatible")
	add(in.SafeModeVictim, "safe_mode_victim")
	add(in.Quarantined, "quarantined")
	add(in.PendingEnable, "pending_enable")
	add(in.PendingDisable, "pending_disable")
	add(in.PendingInstall, "pending_install")
	add(in.PendingUninstall, "pending_uninstall")
	add(in.PendingReload, "pending_reload")
	add(in.Process != nil && in.Process.Crashed, "crashed")
	add(in.NeedsRestart, "needs_restart")
	add(in.NeedsReload, "needs_reload")
	add(len(in.RestartNeeding) > 0, "restart_needing")
	add(len(in.Shadowed) > 0, "shadows_others")
	return f
}

func writeTable(w io.Writer, infos []manager.Info) {
	if len(infos) == 0 {
		fmt.Fprintln(w, "no plugins")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVERSION\tENABLED\tTIER\tFLAGS\tPROBLEM")
	for _, in := range infos {
		problem := in.Reason
		if in.Error != nil {
			problem = fmt.Sprintf("%s: %s", in.Error.Phase, in.Error.Message)
		}
		if problem == "" && in.Process != nil && in.Process.LastCrash != "" {
			problem = "last crash: " + in.Process.LastCrash
		}
		if problem == "" && len(in.Warnings) > 0 {
			problem = "warning: " + in.Warnings[0]
		}
		fl := flags(in)
		if p := in.Process; p != nil {
			if p.PID != 0 {
				fl = append(fl, fmt.Sprintf("pid=%d", p.PID))
			}
			if p.Restarts > 0 {
				fl = append(fl, fmt.Sprintf("restarts=%d", p.Restarts))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", in.Key, dash(in.Version), yesNo(in.Enabled), in.Tier,
			dash(strings.Join(fl, ",")), dash(problem))
	}
	tw.Flush()
}

func writeInfo(w io.Writer, in manager.Info) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("key", in.Key)
	row("name", in.Name)
	row("version", dash(in.Version))
	row("description", in.Description)
	row("author", in.Author)
	row("url", in.URL)
	row("license", in.License)
	row("privacy policy", in.PrivacyPolicy)
	row("origin", in.Origin)
	row("tier", in.Tier)
	row("location", in.Location)
	row("state", in.State)
	row("enabled", yesNo(in.Enabled))
	row("flags", dash(strings.Join(flags(in), ", ")))
	if in.Enabled {
		row("note", in.Reason) // e.g. changed code that could not replace the running code
	} else {
		row("not running because", in.Reason)
	}
	if in.Error != nil {
		row("error", fmt.Sprintf("%s: %s", in.Error.Phase, in.Error.Message))
	}
	row("needs a restart to toggle", strings.Join(in.RestartNeeding, "; "))
	row("disabling discouraged", in.DisablingDiscouraged)
	row("mixins", strings.Join(in.Mixins, ", "))
	row("hooks", strings.Join(in.Hooks, ", "))
	row("helpers", strings.Join(in.Helpers, ", "))
	if in.Faults > 0 {
		row("faults", fmt.Sprintf("%d (last: %s)", in.Faults, in.LastFault))
	}
	if p := in.Process; p != nil {
		state := "not running"
		if p.PID != 0 {
			state = fmt.Sprintf("pid %d", p.PID)
		}
		if p.Crashed {
			state = "crashed (" + p.Exit + ")"
		}
		row("process", fmt.Sprintf("%s, %d restarts, %d overruns", state, p.Restarts, p.Overruns))
		row("last crash", p.LastCrash)
		for _, l := range p.LastCrashLines {
			row("  its output", l)
		}
		if !p.Crashed {
			for _, l := range p.LastLines {
				row("  output", l)
			}
		}
	}
	if in.LeftoverGoroutines > 0 {
		row("left-over goroutines", fmt.Sprintf("%d still running after it was stopped", in.LeftoverGoroutines))
	}
	for _, s := range in.Shadowed {
		row("shadows", fmt.Sprintf("%s plugin at %s (ignored)", s.Origin, dash(s.Location)))
	}
	for _, warn := range in.Warnings {
		row("warning", warn)
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// lintCommand checks a source plugin before it goes into the plugins
// folder.
func (o *options) lintCommand() *cobra.Command {
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "lint FILE|DIR",
		Short: "Check a source plugin (<id>.go or <id>/): exit status 0 only when it would load",
		Long: strings.TrimSpace(`
Load a source plugin (a <id>.go file or an <id>/ folder of Go files) in a
throw-away interpreter and report everything wrong with it: files that do not
parse or type-check, Go the interpreter cannot run, a missing Plugin
definition, missing metadata, an unparsable or excluding Compat, restricted
packages, unknown hooks and handlers of the wrong type. Its init functions,
Check and Load run; nothing is enabled. The exit status is 0 only when it
would load and enable.`),
		Args: exactArgs(1, "the plugin's file or folder"),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := source.Lint(cmd.Context(), args[0], source.LintOptions{Mixins: server.Mixins(), Hooks: serverHooks()})
			if jsonOut {
				if err := writeJSON(o.stdout, r); err != nil {
					return err
				}
			} else {
				writeLint(o.stdout, r)
			}
			if !r.OK() {
				return exitError{code: exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	return cmd
}

func writeLint(w io.Writer, r source.Report) {
	title := r.ID
	if r.Name != "" {
		title = fmt.Sprintf("%s (%s %s)", r.ID, r.Name, dash(r.Version))
	}
	fmt.Fprintf(w, "%s: %s\n", title, r.Path)
	for _, p := range r.Problems {
		kind := "warning"
		if p.Error {
			kind = "error"
		}
		fmt.Fprintf(w, "  %s: %s\n", kind, p.Message)
	}
	if len(r.Mixins) > 0 {
		fmt.Fprintf(w, "  mixins: %s\n", strings.Join(r.Mixins, ", "))
	}
	if len(r.Hooks) > 0 {
		fmt.Fprintf(w, "  hooks: %s\n", strings.Join(r.Hooks, ", "))
	}
	if r.OK() {
		fmt.Fprintln(w, "ok: it would load")
	} else {
		fmt.Fprintln(w, "not ok: it would not load")
	}
}

// serverHooks returns a registry with the tentacle server's hooks, for the
// lint of a plugin of the server.
func serverHooks() *hooks.Registry {
	reg := hooks.NewRegistry(hooks.Options{})
	if err := reg.DeclareAll(server.Hooks()); err != nil {
		panic("tentacle: the server's hooks: " + err.Error())
	}
	return reg
}
