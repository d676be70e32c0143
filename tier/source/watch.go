package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long Watch waits for the folder to be quiet
// before it reports a change: an editor's save or a copy is one change.
const DefaultDebounce = 300 * time.Millisecond

// Watch watches the plugins folder dir and its plugin folders until ctx is
// done, and calls changed once the files have been quiet for debounce after
// anything was created, written, removed or renamed, and once when the
// watch has begun (so that nothing done before it is missed). changed runs on
// Watch's goroutine, one call at a time. A folder that does not exist yet
// is created. Watch returns when ctx is done (nil), or when the folder
// cannot be watched.
func Watch(ctx context.Context, dir string, debounce time.Duration, changed func()) error {
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("watch plugins folder: %w", err)
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch plugins folder: %w", err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch plugins folder %s: %w", dir, err)
	}
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		path := filepath.Join(dir, de.Name())
		if fi, err := os.Stat(path); err == nil && fi.IsDir() && !ignored(de.Name()) { // links followed
			_ = w.Add(path)
		}
	}
	// A first report once watching: what changed between the caller's last
	// scan and now is not missed.
	timer := time.NewTimer(debounce)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			// A new plugin folder: watch its files too.
			if ev.Has(fsnotify.Create) && filepath.Dir(ev.Name) == filepath.Clean(dir) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() && !ignored(filepath.Base(ev.Name)) {
					_ = w.Add(ev.Name)
				}
			}
			timer.Reset(debounce)
		case <-w.Errors:
			// An overflow or a transient error: rescan to be sure.
			timer.Reset(debounce)
		case <-timer.C:
			changed()
		}
	}
}

// ignored reports whether a name in the plugins folder is never a plugin.
func ignored(name string) bool {
	return strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")
}
