package serve

import (
	"testing"
	"time"
)

// SetSockJSHeartbeat sets how often SockJS's websocket transport sends its
// heartbeat, for the test t; the default is back when t ends.
func SetSockJSHeartbeat(t testing.TB, d time.Duration) {
	old := sockjsHeartbeat.Swap(int64(d))
	t.Cleanup(func() { sockjsHeartbeat.Store(old) })
}
