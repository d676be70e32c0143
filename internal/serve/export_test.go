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

// SetTempSampleInterval sets how often the temperatures are sampled, for
// the test t.
func SetTempSampleInterval(t testing.TB, d time.Duration) {
	old := tempSampleInterval.Swap(int64(d))
	t.Cleanup(func() { tempSampleInterval.Store(old) })
}
