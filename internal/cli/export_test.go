package cli

import (
	"context"
	"testing"
)

// SetInterrupt has tentacle print take a close of ch for Ctrl-C, for the
// test t.
func SetInterrupt(t testing.TB, ch <-chan struct{}) {
	old := interruptContext
	interruptContext = func(ctx context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-ch:
				cancel()
			case <-ctx.Done():
			}
		}()
		return ctx, cancel
	}
	t.Cleanup(func() { interruptContext = old })
}
