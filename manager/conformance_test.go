package manager_test

import (
	"testing"

	"github.com/tentacle-go/tentacle/internal/conformance"
)

// TestConformance runs the lifecycle conformance suite against the builtin
// tier; the other tiers run the very same suite.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Builtin())
}
