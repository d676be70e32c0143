//go:build !tentacle_grpc

package sdk

import (
	"testing"

	"github.com/tentacle-go/tentacle/internal/lean"
)

// TestMarker: the SDK holds the marker the host looks for.
func TestMarker(t *testing.T) {
	if marker != string(lean.Marker()) {
		t.Errorf("the SDK's marker %q, the host looks for %q", marker, lean.Marker())
	}
}
