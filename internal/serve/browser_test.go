package serve_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The web page is tested in headless Chromium. Without a Chromium on the
// machine these tests are skipped, unless TENTACLE_BROWSER_TESTS=required
// (as .ci/run sets it), when they fail.

// chromium returns the path of a Chromium or Chrome executable: the one
// TENTACLE_CHROMIUM names, or the first found on PATH.
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("TENTACLE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TENTACLE_BROWSER_TESTS") == "required" {
		t.Fatal("no Chromium found (set TENTACLE_CHROMIUM or put chromium on PATH)")
	}
	t.Skip("no Chromium found: browser tests skipped (set TENTACLE_BROWSER_TESTS=required to fail instead)")
	return ""
}

// browser starts a headless Chromium for the test and returns a context
// for its first tab. Every tab and the browser end with the test.
func browser(t testing.TB) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1200, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancelTab()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser process to end
	})
	return ctx
}

// tab opens another tab of the same browser.
func tab(t *testing.T, first context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(first)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// run runs browser actions, bounded by the harness's deadline, and fails
// the test with a screenshot of the page kept in the test's log folder.
func run(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
		defer scancel()
		html, _ := chromedp.Run(sctx, chromedp.OuterHTML(chromedp.CSS("body")))
		t.Fatalf("%s: %v\npage:\n%s", what, err, html)
	}
}

// clickLive clicks the element sel finds, once there is one, in one step
// in the page: an element the page replaces (htmx swaps a plugin's row
// when the server pushes a change) cannot go stale between being found
// and being clicked, as it can with chromedp.Click.
func clickLive(sel string) chromedp.Action[chromedp.Void] {
	return into(chromedp.Poll[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.click(); return true })()`, sel)), nil)
}

// into runs a, keeping its value in dst (nil: dropped).
func into[T any](a chromedp.Action[T], dst *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := a(ctx, t)
		if dst != nil {
			*dst = v
		}
		return err
	})
}

// asAdmin makes every request of the tab carry the API key, as a script
// would (TestBrowserPluginManager signs in through the page's form).
func asAdmin(h *harness) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"X-Api-Key": h.key}})
		return err
	})
}

// waitSocket waits until the page's push socket is open.
func waitSocket() chromedp.Action[chromedp.Void] {
	return chromedp.WaitReady(chromedp.CSS(`body[data-socket="open"]`))
}

// The Plugin Manager page in a browser: install a source plugin by
// upload, see it appear, disable it, uninstall it with its settings; a
// second tab shows every change without a reload, and the reload banner
// when a plugin that brings UI is toggled.
func TestBrowserPluginManager(t *testing.T) {
	h := start(t, setup{folder: true})
	first := browser(t)
	second := tab(t, first)
	var refused string
	run(t, first, "a wrong password is refused", chromedp.Navigate(h.url+"/"),
		chromedp.SendKeys(chromedp.CSS("#signin-pass"), "not the key"),
		chromedp.Click(chromedp.CSS(`#signin button[type=submit]`)),
		into(chromedp.Poll[string](`document.getElementById("signin-error").textContent`), &refused))
	if !strings.Contains(refused, "wrong user name or password") {
		t.Errorf("sign-in with a wrong password says %q", refused)
	}
	run(t, first, "sign in with the API key", signIn(h, "", h.key))
	for _, ctx := range []context.Context{first, second} {
		run(t, ctx, "open the page", chromedp.Navigate(h.url+"/"),
			chromedp.WaitVisible(chromedp.CSS("#plugin-demo")), waitSocket())
	}

	upload := filepath.Join(t.TempDir(), "watched.go")
	writeFile(t, upload, fmt.Sprintf(watched, "1.0.0", "1.0.0"))
	var log string
	var polled bool
	run(t, first, "install by upload",
		chromedp.SetUploadFiles(chromedp.CSS("#install-file-input"), []string{upload}),
		chromedp.Click(chromedp.CSS(`#install-file button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#plugin-watched")),
		into(chromedp.Poll[bool](`document.getElementById("install-log").textContent.includes("Installed watched 1.0.0")`), &polled),
		into(chromedp.Evaluate[string](`document.getElementById("install-log").textContent`), &log),
	)
	if !strings.Contains(log, "Installing plugin from the uploaded file watched.go") {
		t.Errorf("install log (%v):\n%s", polled, log)
	}
	run(t, second, "the other tab sees the install", chromedp.WaitVisible(chromedp.CSS("#plugin-watched")))

	run(t, first, "disable it",
		clickLive(`#plugin-watched [data-toggle]`),
		chromedp.WaitVisible(chromedp.CSS(`#plugin-watched [aria-checked="false"]`)))
	run(t, second, "the other tab sees the disable", chromedp.WaitVisible(chromedp.CSS(`#plugin-watched [aria-checked="false"]`)))
	if in := pluginInfo(t, h, "watched"); in.Enabled {
		t.Errorf("after the page's disable: %+v", in)
	}

	// demo brings its own JS and CSS: toggling it needs a page reload,
	// which every open page is told.
	for _, ctx := range []context.Context{first, second} {
		run(t, ctx, "no reload banner yet", chromedp.WaitNotVisible(chromedp.CSS("#reload-banner")))
	}
	run(t, first, "disable demo",
		clickLive(`#plugin-demo [data-toggle]`),
		chromedp.WaitVisible(chromedp.CSS(`#plugin-demo [aria-checked="false"]`)),
		chromedp.WaitVisible(chromedp.CSS("#reload-banner")))
	run(t, second, "the other tab is told to reload", chromedp.WaitVisible(chromedp.CSS("#reload-banner")))

	run(t, first, "uninstall with cleanup",
		clickLive(`[data-uninstall="watched"]`),
		chromedp.WaitVisible(chromedp.CSS("#uninstall-dialog")),
		chromedp.Click(chromedp.CSS("#uninstall-cleanup")),
		chromedp.Click(chromedp.CSS("#uninstall-confirm")),
		chromedp.WaitNotPresent(chromedp.CSS("#plugin-watched")))
	run(t, second, "the other tab sees the uninstall", chromedp.WaitNotPresent(chromedp.CSS("#plugin-watched")))
	if _, err := os.Stat(h.path("plugins", "watched.go")); !os.IsNotExist(err) {
		t.Errorf("the plugin's file after the uninstall: %v", err)
	}
	run(t, first, "sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#signin")))
	run(t, second, "the other tab is signed out too", chromedp.Navigate(h.url+"/"), chromedp.WaitVisible(chromedp.CSS("#signin")))
}

// signIn signs in through the page's form.
func signIn(h *harness, user, pass string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(h.url+"/"),
		chromedp.WaitVisible(chromedp.CSS("#signin")),
		chromedp.SendKeys(chromedp.CSS("#signin-user"), user),
		chromedp.SendKeys(chromedp.CSS("#signin-pass"), pass),
		chromedp.Click(chromedp.CSS(`#signin button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#main .tabs")),
	)
}

// Installing from the plugin repository in the browser: search narrows
// the list, Install installs the entry (its SHA-256 checked), the
// repository's notice shows on the installed plugin's card, and an entry
// the host cannot install says why instead of offering the button.
func TestBrowserRepository(t *testing.T) {
	archive := watchedZip(t, "1.0.0", false)
	srv := files(t, map[string][]byte{"/watched.zip": archive})
	index := fmt.Sprintf(`[
 {"id": "watched", "title": "Watched", "description": "Answers its version", "author": "T",
  "archive": %q, "sha256": %q, "tier": "source", "version": "1.0.0"},
 {"id": "octoprint_only", "title": "A Python plugin", "description": "For OctoPrint", "archive": "https://example.com/x.zip"}
]`, srv.URL+"/watched.zip", sum(archive))
	notices := `[{"plugin": "watched", "text": "Version 1.0.0 answers slowly", "date": "2026-12-01 10:00:00 +0000", "versions": ["1.0.0"]}]`
	lists := files(t, map[string][]byte{"/plugins.json": []byte(index), "/notices.json": []byte(notices)})
	h := start(t, setup{folder: true, config: fmt.Sprintf("plugins:\n  pluginmanager:\n    repository: %s/plugins.json\n    notices: %s/notices.json\n", lists.URL, lists.URL)})
	h.getJSON("/plugin/pluginmanager/repository?refresh=true", &struct{}{})

	ctx := browser(t)
	run(t, ctx, "open the page", asAdmin(h), chromedp.Navigate(h.url+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-repository-plugin="octoprint_only"]`)), waitSocket())
	var why string
	run(t, ctx, "search", chromedp.SendKeys(chromedp.CSS("#repo-search"), "version"),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-repository-plugin="octoprint_only"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-install-repository="watched"]`)))
	run(t, ctx, "install from the repository",
		clickLive(`[data-install-repository="watched"]`),
		chromedp.WaitVisible(chromedp.CSS("#plugin-watched")),
		chromedp.WaitVisible(chromedp.CSS(`#plugin-watched .notice`)),
		into(chromedp.Evaluate[string](`document.querySelector("#plugin-watched .notice").textContent`), &why))
	if !strings.Contains(why, "Version 1.0.0 answers slowly") {
		t.Errorf("notice on the card: %q", why)
	}
	if v := version(h); v != "1.0.0" {
		t.Errorf("the installed plugin answers %q", v)
	}
	run(t, ctx, "clear the search", into(chromedp.Evaluate[string](`document.getElementById("repo-search").value = ""`), nil), chromedp.SendKeys(chromedp.CSS("#repo-search"), "python"),
		chromedp.WaitVisible(chromedp.CSS(`[data-repository-plugin="octoprint_only"]`)),
		into(chromedp.Evaluate[string](`document.querySelector('[data-repository-plugin="octoprint_only"]').textContent`), &why))
	if !strings.Contains(why, "Cannot be installed here: an OctoPrint (Python) plugin") {
		t.Errorf("an OctoPrint plugin's entry: %q", why)
	}
}
