package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestRunCompiledIn runs the notifier with its compiled-in plugin only (an
// empty packages folder): console checks the samples and prints the alerts
// it raises. examples/examples_test.go in the tentacle module runs the
// notifier with the journal process plugin too.
func TestRunCompiledIn(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), options{packages: t.TempDir(), samples: 3000}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"plugins:\n  console  1.0.0   builtin              sends alerts, checks samples\n",
		"#1427 freezer -11.6: warning alert from console\n  console: WARNING  freezer at #1427, above -12: -11.6\n  sent by console\n",
		"#2401 boiler 47.9: warning alert from console\n",
		"; 4 alerts, 4 deliveries\n  console: 0 faults\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "journal") {
		t.Errorf("a journal without its package:\n%s", got)
	}
}

// TestRunInterrupted: the notifier stops checking when its context is done
// and still shuts down cleanly.
func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := run(ctx, options{packages: t.TempDir()}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "interrupted\nchecked 0 samples") {
		t.Errorf("output:\n%s", out.String())
	}
}
