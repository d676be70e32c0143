package proctest_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/tentacle-go/tentacle/internal/proctest"
)

// TestGone: this process is not gone; a child that exited and was reaped
// is.
func TestGone(t *testing.T) {
	proctest.SkipUnsupported(t)
	if proctest.Gone(os.Getpid()) {
		t.Errorf("Gone(this process) = true")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run the test binary with no test: %v", err)
	}
	if !proctest.Gone(cmd.Process.Pid) {
		t.Errorf("Gone(a reaped child %d) = false", cmd.Process.Pid)
	}
}

// TestCPUTime: the CPU time this process used is known (it ran this
// far) and does not go back.
func TestCPUTime(t *testing.T) {
	proctest.SkipUnsupported(t)
	before := proctest.CPUTime()
	if before <= 0 {
		t.Fatalf("CPUTime() = %v", before)
	}
	x := 0
	for i := range 1 << 20 {
		x ^= i
	}
	_ = x
	if after := proctest.CPUTime(); after < before {
		t.Errorf("CPUTime() went back: %v, then %v", before, after)
	}
}
