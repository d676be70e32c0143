package source_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tentacle-go/tentacle/tier/source"
)

// TestWatch: a burst of changes (a new file, a new plugin folder and a file
// in it, a change, a removal) is reported, each burst once the folder is
// quiet, until the context ends.
func TestWatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "plugins")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	changes := make(chan struct{}, 16)
	var calls atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- source.Watch(ctx, dir, 200*time.Millisecond, func() {
			calls.Add(1)
			changes <- struct{}{}
		})
	}()
	wait := func(what string) {
		t.Helper()
		select {
		case <-changes:
		case <-time.After(10 * time.Second):
			t.Fatalf("no change reported after %s", what)
		}
	}
	wait("the start of the watch")
	// The watch has begun; write until it reports.
	deadline := time.Now().Add(10 * time.Second)
	for reported := false; !reported; {
		if time.Now().After(deadline) {
			t.Fatal("the watcher never reported the first file")
		}
		write(t, filepath.Join(dir, "one.go"), "package one\n")
		select {
		case <-changes:
			reported = true
		case <-time.After(200 * time.Millisecond):
		}
	}
	// A burst of writes is one change.
	before := calls.Load()
	for i := 0; i < 5; i++ {
		write(t, filepath.Join(dir, "one.go"), "package one\n// edit\n")
	}
	wait("a burst of writes")
	if n := calls.Load() - before; n != 1 {
		t.Errorf("a burst of writes was reported %d times", n)
	}
	// A new plugin folder, then a file inside it.
	if err := os.Mkdir(filepath.Join(dir, "two"), 0o755); err != nil {
		t.Fatal(err)
	}
	wait("a new folder")
	write(t, filepath.Join(dir, "two", "two.go"), "package two\n")
	wait("a file in a new plugin folder")
	if err := os.Remove(filepath.Join(dir, "one.go")); err != nil {
		t.Fatal(err)
	}
	wait("a removal")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not return after the context ended")
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
