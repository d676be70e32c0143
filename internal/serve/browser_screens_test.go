package serve_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserScreens takes the screenshots of the main screens that
// docs/web.md shows, checking on the way that the page fits a phone's
// width and that every control has a name. scripts/screenshots runs it
// with TENTACLE_SCREENSHOTS=docs/images to write them there; otherwise
// they go to a temporary folder.
func TestBrowserScreens(t *testing.T) {
	out := os.Getenv("TENTACLE_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "plugins", "sticky.go"), sticky)
	h := start(t, setup{dir: dir, folder: true})
	ctx := browser(t)

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			data, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("screenshot %s is no PNG: %v", name, err)
			}
			return os.WriteFile(filepath.Join(out, name+".png"), data, 0o644)
		})
	}
	// (Quality 100 makes a PNG.)
	// Every form control and button has a name a screen reader reads out.
	var unnamed []string
	named := into(chromedp.Evaluate[[]string](`[...document.querySelectorAll("input, button, select, textarea")]
		.filter(el => el.type !== "hidden" && !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.textContent.trim())
		.map(el => el.outerHTML)`), &unnamed)
	// Nothing is wider than the window.
	var overflow bool
	fits := into(chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`), &overflow)

	run(t, ctx, "sign-in screen", chromedp.EmulateViewport(1200, 800), chromedp.Navigate(h.url+"/"),
		chromedp.WaitVisible(chromedp.CSS("#signin")), named, shot("signin"))
	if len(unnamed) > 0 {
		t.Errorf("controls without a name on the sign-in screen: %q", unnamed)
	}
	run(t, ctx, "plugin manager", asAdmin(h), chromedp.Navigate(h.url+"/"),
		chromedp.WaitVisible(chromedp.CSS("#plugin-sticky")), waitSocket(),
		clickLive(`#plugin-sticky [data-toggle]`),
		chromedp.WaitVisible(chromedp.CSS("#restart-banner")), named, shot("plugin-manager"))
	if len(unnamed) > 0 {
		t.Errorf("controls without a name on the Plugin Manager: %q", unnamed)
	}
	run(t, ctx, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(h.url+"/"), chromedp.WaitVisible(chromedp.CSS("#plugin-sticky")), fits, shot("phone"))
	if overflow {
		t.Error("the page is wider than a phone's screen (390 px)")
	}
}

// BenchmarkBrowserPageLoad loads the Plugin Manager page in headless
// Chromium over loopback until its plugin list is shown and its socket is
// open, and reports the navigation's time to an interactive page
// (domInteractive) and to the load event.
func BenchmarkBrowserPageLoad(b *testing.B) {
	h := start(b, setup{})
	ctx := browser(b)
	run(b, ctx, "sign in", asAdmin(h))
	var interactive, loaded float64
	for b.Loop() {
		var timing []float64
		run(b, ctx, "load the page", chromedp.Navigate(h.url+"/"),
			chromedp.WaitVisible(chromedp.CSS("#plugin-demo")), waitSocket(),
			into(chromedp.Evaluate[[]float64](`(e => [e.domInteractive, e.loadEventEnd])(performance.getEntriesByType("navigation")[0])`), &timing))
		interactive += timing[0]
		loaded += timing[1]
	}
	b.ReportMetric(interactive/float64(b.N), "ms-interactive/op")
	b.ReportMetric(loaded/float64(b.N), "ms-loaded/op")
}
