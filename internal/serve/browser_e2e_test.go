//go:build unix

// Unix-only: it runs the tentacle command as e2e_test.go does (a process
// group, signals).

package serve_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserEndToEnd drives the tentacle command through its web page as
// an operator does: sign in, install a process plugin that brings its own
// tab and a wizard step by URL, finish its wizard, use its tab, change one of its settings through the form
// made from its defaults (a refused value shown by its field), disable a
// restart-needing plugin and restart the server from the banner (the page
// comes back by itself, signed out: sessions end with the run), uninstall
// with cleanup, sign out.
func TestBrowserEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tentacle command and a plugin executable")
	}
	ctx := browser(t)
	bin := buildHost(t)
	exe := filepath.Join(t.TempDir(), "uiprocess")
	if out, err := exec.Command("go", "build", "-o", exe, "./testdata/uiprocess").CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/uiprocess: %v\n%s", err, out)
	}
	srv := files(t, map[string][]byte{"/uidemo.tar.gz": packageArchiveOf(t, "uidemo", "UI Demo", exe, "1.2.3", "")})
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "plugins", "sticky.go"), sticky)
	p, h := serveCommand(t, bin, dir)
	pid := p.cmd.Process.Pid

	run(t, ctx, "sign in", signIn(h, "", h.key), chromedp.WaitVisible(chromedp.CSS("#plugin-sticky")), waitSocket())
	run(t, ctx, "install the process plugin by URL",
		chromedp.SendKeys(chromedp.CSS("#install-url-input"), srv.URL+"/uidemo.tar.gz"),
		chromedp.Click(chromedp.CSS(`#install-url button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#plugin-uidemo [aria-checked="true"]`)))
	if in := pluginInfo(t, h, "uidemo"); in.Tier != "process" || !in.Enabled {
		t.Fatalf("installed: %+v", in)
	}

	var greet string
	run(t, ctx, "its wizard step opens by itself after a reload, once",
		chromedp.Navigate(h.url+"/"),
		chromedp.WaitVisible(chromedp.CSS("#wizard")),
		chromedp.Click(chromedp.CSS("#wizard-finish")),
		chromedp.WaitNotVisible(chromedp.CSS("#wizard")),
		chromedp.Navigate(h.url+"/"), chromedp.WaitVisible(chromedp.CSS("#plugin-uidemo")),
		chromedp.WaitNotVisible(chromedp.CSS("#wizard")))
	run(t, ctx, "its tab",
		chromedp.Click(chromedp.CSS("#tab-tab_plugin_uidemo")),
		chromedp.WaitVisible(chromedp.CSS("#tab_plugin_uidemo .greet")),
		into(chromedp.TextContent(chromedp.CSS("#tab_plugin_uidemo .greet")), &greet))
	if greet != "hi <b> from UI Demo 1.2.3" {
		t.Errorf("the plugin's tab says %q", greet)
	}

	var fieldErr string
	form := "#settings_plugin_uidemo"
	colour := chromedp.CSS(`[name="plugins.uidemo.colour"]`)
	run(t, ctx, "a refused setting is shown by its field",
		chromedp.Click(chromedp.CSS("#tab-settings")),
		chromedp.WaitVisible(chromedp.CSS(form)),
		chromedp.SetValue(colour, "black"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		into(chromedp.Poll[string](`document.getElementById("err-plugins.uidemo.colour").textContent`), &fieldErr))
	if fieldErr != "is not a colour" {
		t.Errorf("the colour field's error: %q", fieldErr)
	}
	run(t, ctx, "save a setting",
		chromedp.SetValue(colour, "blue"),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		into(chromedp.Poll[bool](`document.querySelector("`+form+` .form-status").textContent === "Saved."`), nil))
	if got := readFile(t, filepath.Join(dir, "config.yaml")); !strings.Contains(string(got), "colour: blue") {
		t.Errorf("config.yaml after saving the form:\n%s", got)
	}

	run(t, ctx, "disable the restart-needing plugin",
		chromedp.Click(chromedp.CSS("#tab-plugins")),
		clickLive(`#plugin-sticky [data-toggle]`),
		chromedp.WaitVisible(chromedp.CSS("#restart-banner")))
	run(t, ctx, "restart from the banner: the page comes back, signed out",
		chromedp.Click(chromedp.CSS("#restart")),
		chromedp.WaitVisible(chromedp.CSS("#signin")))
	if p.cmd.Process.Pid != pid {
		t.Errorf("the server's pid changed across the restart")
	}
	if in := pluginInfo(t, h, "sticky"); in.Enabled || in.PendingDisable {
		t.Errorf("sticky after the restart: enabled %v, pending disable %v", in.Enabled, in.PendingDisable)
	}

	run(t, ctx, "sign in again and uninstall with cleanup",
		signIn(h, "", h.key), chromedp.WaitVisible(chromedp.CSS("#plugin-uidemo")), waitSocket(),
		clickLive(`[data-uninstall="uidemo"]`),
		chromedp.WaitVisible(chromedp.CSS("#uninstall-dialog")),
		chromedp.Click(chromedp.CSS("#uninstall-cleanup")),
		chromedp.Click(chromedp.CSS("#uninstall-confirm")),
		chromedp.WaitNotPresent(chromedp.CSS("#plugin-uidemo")))
	if _, err := os.Stat(filepath.Join(dir, "packages", "uidemo")); !os.IsNotExist(err) {
		t.Errorf("the package after the uninstall: %v", err)
	}
	if got := readFile(t, filepath.Join(dir, "config.yaml")); strings.Contains(string(got), "colour: blue") {
		t.Errorf("the cleanup left the plugin's settings:\n%s", got)
	}
	run(t, ctx, "sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#signin")))
}
